package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	clocks        map[Target]*Clock
	exists        bool
	idle          *bool // the scheduler's chain was idle when the change read it; nil: not read
}

func (r *record) clock(t Target) *Clock { return r.clocks[t] }

func newRecord(ticketID int64) *record {
	return &record{TicketID: ticketID, clocks: map[Target]*Clock{}}
}

// loadRecord reads a ticket's record; one never written comes back empty
// (exists false).
func loadRecord(ctx context.Context, q db.Queryer, ticketID int64) (*record, error) {
	r := newRecord(ticketID)
	err := q.QueryRowContext(ctx, `SELECT plan_id, plan_name, calendar_id, priority, warn_percent, next_check_at,
		replied_at, awaiting_since FROM sla_tickets WHERE ticket_id = $1`, ticketID).Scan(&r.PlanID, &r.PlanName,
		&r.CalendarID, &r.Priority, &r.WarnPercent, &r.NextCheck, &r.RepliedAt, &r.AwaitingSince)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deadlines of ticket %d: %w", ticketID, err)
	}
	r.exists = true
	rows, err := q.QueryContext(ctx, `SELECT `+clockColumns+` FROM sla_clocks WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("clocks of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		c, err := scanClock(rows, &id)
		if err != nil {
			return nil, fmt.Errorf("clocks of ticket %d: %w", ticketID, err)
		}
		r.clocks[c.Target] = c
	}
	return r, rows.Err()
}

const clockColumns = `ticket_id, target, cycle, state, allowed_us, used_us, started_at, since, due_at, warn_at,
	warned_at, breached_at, stopped_at`

func scanClock(row db.Scanner, ticketID *int64) (*Clock, error) {
	c := &Clock{}
	var allowed, used int64
	err := row.Scan(ticketID, &c.Target, &c.Cycle, &c.State, &allowed, &used, &c.Started, &c.Since, &c.DueAt, &c.WarnAt,
		&c.WarnedAt, &c.BreachedAt, &c.StoppedAt)
	c.Allowed, c.Used = time.Duration(allowed)*time.Microsecond, time.Duration(used)*time.Microsecond
	return c, err
}

// save writes the record and its clocks, and the deadlines onto the
// ticket's row.
func (s *Service) save(ctx context.Context, tx *sql.Tx, r *record) error {
	r.NextCheck = nil
	for _, c := range r.clocks {
		if at := c.nextCheck(); at != nil && (r.NextCheck == nil || at.Before(*r.NextCheck)) {
			r.NextCheck = at
		}
	}
	insert := `
		INSERT INTO sla_tickets (ticket_id, plan_id, plan_name, calendar_id, priority, warn_percent, next_check_at,
			replied_at, awaiting_since, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	if r.exists {
		insert += ` ON CONFLICT (ticket_id) DO UPDATE SET plan_id = excluded.plan_id, plan_name = excluded.plan_name,
			calendar_id = excluded.calendar_id, priority = excluded.priority, warn_percent = excluded.warn_percent,
			next_check_at = excluded.next_check_at, replied_at = excluded.replied_at,
			awaiting_since = excluded.awaiting_since, updated_at = excluded.updated_at`
	}
	_, err := tx.ExecContext(ctx, insert, r.TicketID, r.PlanID, r.PlanName, r.CalendarID, r.Priority, r.WarnPercent,
		r.NextCheck, r.RepliedAt, r.AwaitingSince, s.now())
	if err != nil {
		return fmt.Errorf("save deadlines of ticket %d: %w", r.TicketID, err)
	}
	existed := r.exists
	if err := saveClocks(ctx, tx, r); err != nil {
		return err
	}
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

// saveClocks replaces a ticket's clocks, in one statement each way.
func saveClocks(ctx context.Context, tx *sql.Tx, r *record) error {
	if r.exists {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_clocks WHERE ticket_id = $1`, r.TicketID); err != nil {
			return fmt.Errorf("save clocks of ticket %d: %w", r.TicketID, err)
		}
	}
	var rows []string
	var args []any
	for _, t := range AllTargets {
		c := r.clocks[t]
		if c == nil {
			continue
		}
		ph := make([]string, 13)
		for i := range ph {
			ph[i] = "$" + strconv.Itoa(len(args)+i+1)
		}
		rows = append(rows, "("+strings.Join(ph, ", ")+")")
		args = append(args, r.TicketID, c.Target, c.Cycle, c.State, c.Allowed.Microseconds(), c.Used.Microseconds(), c.Started,
			c.Since, c.DueAt, c.WarnAt, c.WarnedAt, c.BreachedAt, c.StoppedAt)
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sla_clocks (`+clockColumns+`) VALUES `+strings.Join(rows, ", "), args...); err != nil {
		return fmt.Errorf("save clocks of ticket %d: %w", r.TicketID, err)
	}
	return nil
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
