// Package assign gives tickets to agents: per group no automatic
// assignment, round-robin or the fewest open tickets, among the group's
// agents who are active, on shift, not away and below their limit of
// open tickets; and it returns the unanswered tickets of agents who went
// away or off shift to their group's queue.
package assign

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Modes of a group's assignment.
const (
	ModeNone       = "none"        // tickets wait in the group's queue
	ModeRoundRobin = "round_robin" // each available agent in turn
	ModeLeastOpen  = "least_open"  // the available agent with the fewest open tickets
)

// Modes lists the modes in the order the screen offers them.
var Modes = []string{ModeNone, ModeRoundRobin, ModeLeastOpen}

// Source names assignment's own ticket changes (ticket.Change.Source).
const Source = "assign"

// JobSweep is one run of the scheduler that returns absent agents'
// unanswered tickets: {"slot"}.
const JobSweep = "assign.sweep"

// Reasons written into the history with each automatic assignment.
const (
	ReasonRoundRobin = "assigned by round-robin"
	ReasonLeastOpen  = "assigned by least open tickets"
	ReasonReturned   = "returned to the queue" // followed by ": who, why"
)

// Config tunes the scheduler.
type Config struct {
	CheckInterval time.Duration // how often absent agents' tickets are looked at; 1 minute when 0
}

// Service is assignment and shifts.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	cfg     Config
	now     func() time.Time

	mu     sync.Mutex
	shifts map[int64]cachedShift // parsed shift calendars by agent
}

type cachedShift struct {
	at  time.Time // the row's updated_at
	cal *sla.Calendar
}

// NewService returns the assignment service; Attach makes it hear ticket
// changes.
func NewService(d *db.DB, log *slog.Logger, dir *directory.Service, tickets *ticket.Service, jobs *job.Queue,
	cfg Config) *Service {
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = time.Minute
	}
	return &Service{db: d, log: log, dir: dir, tickets: tickets, jobs: jobs, cfg: cfg, now: time.Now,
		shifts: map[int64]cachedShift{}}
}

// Attach adds assignment to the ticket service's hooks (after the rules,
// so a ticket a rule moves is assigned in its new group) and registers
// the scheduler's job.
func (s *Service) Attach() {
	s.tickets.AddHook(s)
	s.jobs.Register(JobSweep, s.handleSweep)
}

// stamp is now as the database keeps times.
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) tx(ctx context.Context, fn func(tx *sql.Tx) error) error { return s.db.Tx(ctx, fn) }

func exists(ctx context.Context, q db.Queryer, query string, args ...any) (bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}
