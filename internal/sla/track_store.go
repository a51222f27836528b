package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// record is what the package keeps of one ticket: the plan, calendar and
// priority its clocks were last set from, and the clocks.
type record struct {
	TicketID      int64
	PlanID        *int64
	PlanName      string
	CalendarID    *int64
	Priority      ticket.Priority
	WarnPercent   int
	NextCheck     *time.Time
	RepliedAt     *time.Time // the first public reply of an agent
	AwaitingSince *time.Time // a customer's reply waits for an answer since
	OpenedAt      *time.Time // when the ticket was opened, as the clocks count it
	clocks        map[Target]*Clock
	exists        bool
	idle          *bool // the scheduler's chain was idle when the change read it; nil: not read
	promised      bool  // the ticket's plan sets targets (for some priority or channel)
}

func (r *record) clock(t Target) *Clock { return r.clocks[t] }

// opened is when a ticket's first stay at a line began: when the record
// says it was opened, else (a ticket from before the record) the ticket's
// own creation.
func (r *record) opened(t ticket.Ticket) time.Time {
	if r.OpenedAt != nil {
		return *r.OpenedAt
	}
	return t.CreatedAt
}

func newRecord(ticketID int64) *record {
	return &record{TicketID: ticketID, clocks: map[Target]*Clock{}}
}

// loadRecord reads a ticket's record; one never written comes back empty
// (exists false).
func loadRecord(ctx context.Context, q db.Queryer, ticketID int64) (*record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM sla_tickets WHERE ticket_id = $1`, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return newRecord(ticketID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("deadlines of ticket %d: %w", ticketID, err)
	}
	return r, nil
}

const recordColumns = `ticket_id, plan_id, plan_name, calendar_id, priority, warn_percent, next_check_at, replied_at,
	awaiting_since, opened_at, clocks`

func scanRecord(row db.Scanner) (*record, error) {
	r := newRecord(0)
	var clocks string
	if err := row.Scan(&r.TicketID, &r.PlanID, &r.PlanName, &r.CalendarID, &r.Priority, &r.WarnPercent, &r.NextCheck,
		&r.RepliedAt, &r.AwaitingSince, &r.OpenedAt, &clocks); err != nil {
		return nil, err
	}
	var stored []storedClock
	if err := json.Unmarshal([]byte(clocks), &stored); err != nil {
		return nil, fmt.Errorf("clocks of ticket %d: %w", r.TicketID, err)
	}
	for _, sc := range stored {
		c := sc.clock()
		r.clocks[c.Target] = c
	}
	r.exists = true
	return r, nil
}

// storedClock is a Clock as the record's JSON keeps it: durations in
// microseconds, times in RFC 3339 to the microsecond.
type storedClock struct {
	Target   Target     `json:"target"`
	Cycle    int        `json:"cycle"`
	State    string     `json:"state"`
	Allowed  int64      `json:"allowed_us"`
	Used     int64      `json:"used_us"`
	Started  time.Time  `json:"started"`
	Since    *time.Time `json:"since,omitempty"`
	Due      *time.Time `json:"due,omitempty"`
	Warn     *time.Time `json:"warn,omitempty"`
	Warned   *time.Time `json:"warned,omitempty"`
	Breached *time.Time `json:"breached,omitempty"`
	Stopped  *time.Time `json:"stopped,omitempty"`
}

func (sc storedClock) clock() *Clock {
	return &Clock{Target: sc.Target, Cycle: sc.Cycle, State: sc.State, Allowed: time.Duration(sc.Allowed) * time.Microsecond,
		Used: time.Duration(sc.Used) * time.Microsecond, Started: sc.Started, Since: sc.Since, DueAt: sc.Due, WarnAt: sc.Warn,
		WarnedAt: sc.Warned, BreachedAt: sc.Breached, StoppedAt: sc.Stopped}
}

func storeClock(c *Clock) storedClock {
	return storedClock{Target: c.Target, Cycle: c.Cycle, State: c.State, Allowed: c.Allowed.Microseconds(),
		Used: c.Used.Microseconds(), Started: c.Started, Since: c.Since, Due: c.DueAt, Warn: c.WarnAt, Warned: c.WarnedAt,
		Breached: c.BreachedAt, Stopped: c.StoppedAt}
}

// save writes the record with its clocks, and the deadlines onto the
// ticket's row.
func (s *Service) save(ctx context.Context, tx *sql.Tx, r *record) error {
	r.NextCheck = nil
	stored := []storedClock{}
	live := false
	for _, t := range AllTargets {
		c := r.clocks[t]
		if c == nil {
			continue
		}
		if at := c.nextCheck(); at != nil && (r.NextCheck == nil || at.Before(*r.NextCheck)) {
			r.NextCheck = at
		}
		live = live || c.State != Stopped
		stored = append(stored, storeClock(c))
	}
	clocks, _ := json.Marshal(stored)
	insert := `
		INSERT INTO sla_tickets (ticket_id, plan_id, plan_name, calendar_id, priority, warn_percent, next_check_at,
			replied_at, awaiting_since, clocks, live, updated_at, opened_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	if r.exists {
		insert += ` ON CONFLICT (ticket_id) DO UPDATE SET plan_id = excluded.plan_id, plan_name = excluded.plan_name,
			calendar_id = excluded.calendar_id, priority = excluded.priority, warn_percent = excluded.warn_percent,
			next_check_at = excluded.next_check_at, replied_at = excluded.replied_at,
			awaiting_since = excluded.awaiting_since, clocks = excluded.clocks, live = excluded.live,
			updated_at = excluded.updated_at`
	}
	_, err := tx.ExecContext(ctx, insert, r.TicketID, r.PlanID, r.PlanName, r.CalendarID, r.Priority, r.WarnPercent,
		r.NextCheck, r.RepliedAt, r.AwaitingSince, string(clocks), live, s.now(), r.OpenedAt)
	if err != nil {
		return fmt.Errorf("save deadlines of ticket %d: %w", r.TicketID, err)
	}
	existed := r.exists
	if r.NextCheck != nil && (r.idle == nil || *r.idle) {
		if err := s.wake(ctx, tx); err != nil {
			return err
		}
	}
	r.exists = true
	if !existed && len(r.clocks) == 0 {
		return nil // a new ticket without deadlines: its row has none already
	}
	return s.tickets.SetSLATx(ctx, tx, r.TicketID, r.columns())
}

// columns are the deadlines as the ticket's row keeps them.
func (r *record) columns() ticket.SLA {
	var v ticket.SLA
	target := func(t Target) *ticket.SLATarget {
		c := r.clocks[t]
		if c == nil {
			return nil
		}
		st := &ticket.SLATarget{State: c.stored(), DueAt: c.DueAt}
		if c.State == Running {
			if v.NextDueAt == nil || c.DueAt.Before(*v.NextDueAt) {
				v.NextDueAt = c.DueAt
			}
			if v.WarnAt == nil || c.WarnAt.Before(*v.WarnAt) {
				v.WarnAt = c.WarnAt
			}
		}
		return st
	}
	v.FirstResponse, v.NextResponse, v.Resolution = target(FirstResponse), target(NextResponse), target(Resolution)
	v.FirstResponseDueAt, v.NextResponseDueAt, v.ResolutionDueAt = targetDue(v.FirstResponse), targetDue(v.NextResponse),
		targetDue(v.Resolution)
	return v
}

func targetDue(t *ticket.SLATarget) *time.Time {
	if t == nil {
		return nil
	}
	return t.DueAt
}
