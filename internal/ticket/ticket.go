// Package ticket holds tickets, their comments and history, and the rules
// of their life: statuses, transitions, escalation, optimistic locking.
package ticket

import (
	"log/slog"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
)

// Jobs the ticket domain enqueues in the transaction of the change that
// causes them; the e-mail channel handles them.
const (
	JobEmailReply  = "email.reply"  // {"comment_id"}: mail an agent's public reply
	JobEmailNotify = "email.notify" // {"ticket_id", "kind"}: tell the requester (received, solved, merged)
)

// Service is the ticket domain: every change to a ticket goes through it.
type Service struct {
	db    *db.DB
	log   *slog.Logger
	dir   *directory.Service
	files *attachment.Service
	jobs  *job.Queue
	hooks []Hook

	// afterInsert, when set by a test, runs inside CreateTicket's
	// transaction after the ticket row is written: the crash test kills
	// the process there.
	afterInsert func()
}

// NewService returns the ticket service.
func NewService(d *db.DB, log *slog.Logger, dir *directory.Service, files *attachment.Service, jobs *job.Queue) *Service {
	return &Service{db: d, log: log, dir: dir, files: files, jobs: jobs}
}

// Ticket is one request from one requester.
type Ticket struct {
	ID           int64          `json:"id"`
	Number       int64          `json:"number"`
	Subject      string         `json:"subject"`
	Description  string         `json:"description"`
	Status       Status         `json:"status"`
	Priority     Priority       `json:"priority"`
	Type         Type           `json:"type"`
	Line         int            `json:"line"`
	GroupID      *int64         `json:"group_id"`
	AssigneeID   *int64         `json:"assignee_id"`
	Requester    Requester      `json:"requester"`
	CompanyID    *int64         `json:"company_id"`
	Channel      Channel        `json:"channel"`
	ParentID     *int64         `json:"parent_id"`
	MailboxID    *int64         `json:"mailbox_id"`
	FollowUpOf   *int64         `json:"follow_up_of"`   // the closed ticket this one continues
	MergedIntoID *int64         `json:"merged_into_id"` // the ticket this one was merged into; its conversation continues there
	Flag         string         `json:"flag"`           // why intake wants an agent to look, e.g. a stranger used another ticket's number
	Tags         []string       `json:"tags"`
	CustomFields map[string]any `json:"custom_fields"`
	FollowerIDs  []int64        `json:"follower_ids"`
	Participants []int64        `json:"participant_ids"` // contacts copied on the conversation
	SLA          SLA            `json:"sla"`
	Version      int64          `json:"version"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	SolvedAt     *time.Time     `json:"solved_at"`
	ClosedAt     *time.Time     `json:"closed_at"`
}

// Requester is the contact a ticket is for, as shown on the ticket.
type Requester struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// SLA holds a ticket's deadlines. They come from the client's plan (the
// sla package computes them and writes them with SetSLATx); with no SLA
// policy in force they are null. The due times of the three targets are
// also columns of their own, so queues sort and filter on them.
type SLA struct {
	FirstResponseDueAt *time.Time `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time `json:"resolution_due_at"`
	NextDueAt          *time.Time `json:"next_due_at"` // the nearest deadline of a target whose clock runs
	FirstResponse      *SLATarget `json:"first_response"`
	NextResponse       *SLATarget `json:"next_response"`
	Resolution         *SLATarget `json:"resolution"`
	// WarnAt is when the nearest running target enters its warning share:
	// from then on the ticket is at risk.
	WarnAt *time.Time `json:"-"`
}

// States of an SLA target.
const (
	SLARunning  = "running"
	SLAPaused   = "paused"
	SLAMet      = "met"
	SLABreached = "breached"
)

// SLATarget is where one target of a ticket stands.
type SLATarget struct {
	State string     `json:"state"`  // running, paused, met or breached
	DueAt *time.Time `json:"due_at"` // null while paused
	// Filled in where a ticket is shown, from the plan's calendar.
	AtRisk           bool   `json:"at_risk"`           // running and past the plan's warning share
	RemainingSeconds *int64 `json:"remaining_seconds"` // working time left; negative once overdue
	TargetMinutes    int    `json:"target_minutes"`    // the working time the plan allows
}

// Number formats a ticket number the way customers see it: #1042.
func Number(n int64) string {
	return "#" + itoa(n)
}

// mailable reports whether the conversation goes on by e-mail: the ticket
// has a mailbox to answer from and the requester an address.
func (t Ticket) mailable() bool {
	return t.MailboxID != nil && t.Requester.Email != ""
}
