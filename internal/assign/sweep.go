package assign

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// The return scheduler follows the deadline scheduler's pattern (see
// internal/sla/schedule.go): a chain of JobSweep jobs, one per slot of
// CheckInterval, each slot a primary key in assign_ticks, so that of
// several nodes exactly one claims a slot and enqueues the next run; each
// ticket is then handled in its own transaction under its row lock with
// SKIP LOCKED, its state read again under the lock. The chain lives
// while some group returns tickets: turning returns on starts it in the
// same transaction, and every node calls EnsureScheduled at start and
// hourly.

// EnsureScheduled starts the chain when a group returns tickets.
func (s *Service) EnsureScheduled(ctx context.Context) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		on, err := anyReturns(ctx, tx)
		if err != nil || !on {
			return err
		}
		return s.claimNext(ctx, tx)
	})
	if err == nil {
		s.jobs.Wake()
	}
	return err
}

func anyReturns(ctx context.Context, q db.Queryer) (bool, error) {
	return exists(ctx, q, `SELECT 1 FROM assign_groups WHERE return_after_minutes > 0 LIMIT 1`)
}

// claimNext claims the slot after now and enqueues its run; a slot
// claimed already means its run is enqueued.
func (s *Service) claimNext(ctx context.Context, tx *sql.Tx) error {
	now := db.Now()
	every := s.cfg.CheckInterval
	slot := now.Truncate(every).Add(every)
	res, err := tx.ExecContext(ctx, `INSERT INTO assign_ticks (slot) VALUES ($1) ON CONFLICT (slot) DO NOTHING`, slot)
	if err != nil {
		return fmt.Errorf("claim assignment slot: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM assign_ticks WHERE slot < $1`, now.Add(-time.Hour)); err != nil {
		return fmt.Errorf("prune assignment slots: %w", err)
	}
	_, err = s.jobs.Enqueue(ctx, tx, JobSweep, map[string]any{"slot": slot}, job.RunAt(slot), job.MaxAttempts(3))
	return err
}

func (s *Service) handleSweep(ctx context.Context, _ job.Job) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		on, err := anyReturns(ctx, tx)
		if err != nil || !on {
			return err // no group returns tickets: the chain ends
		}
		return s.claimNext(ctx, tx)
	})
	if err != nil {
		return err
	}
	_, err = s.Sweep(ctx)
	s.jobs.Wake()
	return err
}

// held is an assigned, unanswered ticket of a group that returns them.
type held struct {
	ticketID, agentID int64
	assignedAt        time.Time
	after             time.Duration
}

// Sweep returns to their group's queue the unanswered tickets (no public
// reply from an agent yet) of agents away or off shift for the group's
// time; it answers how many it returned. Each ticket is handled under
// its row lock, skipped when another transaction holds it: two sweeps at
// once, on one node or several, return a ticket once.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	list, err := s.heldTickets(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for _, h := range list {
		done, err := s.returnOne(ctx, h, now)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

const heldSQL = `SELECT at.ticket_id, at.agent_id, at.assigned_at, g.return_after_minutes ` + heldFrom +
	` ORDER BY at.ticket_id`

const heldFrom = `
	FROM assign_tickets at
	JOIN tickets t ON t.id = at.ticket_id AND t.assignee_id = at.agent_id
	JOIN assign_groups g ON g.group_id = t.group_id
	WHERE g.return_after_minutes > 0 AND t.status IN ('new', 'open')
		AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id AND c.public AND c.author_type = 'agent')`

func (s *Service) heldTickets(ctx context.Context) ([]held, error) {
	rows, err := s.db.R.QueryContext(ctx, heldSQL)
	if err != nil {
		return nil, fmt.Errorf("assigned tickets: %w", err)
	}
	defer rows.Close()
	var out []held
	for rows.Next() {
		var h held
		var mins int
		if err := rows.Scan(&h.ticketID, &h.agentID, &h.assignedAt, &mins); err != nil {
			return nil, err
		}
		h.after = time.Duration(mins) * time.Minute
		out = append(out, h)
	}
	return out, rows.Err()
}

// returnOne returns one ticket if, under its lock, it is still held by
// the same absent agent long enough; the group's assignment then offers
// it to an available colleague.
func (s *Service) returnOne(ctx context.Context, h held, now time.Time) (bool, error) {
	returned := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t, ok, err := s.tickets.LockTx(ctx, tx, h.ticketID, true)
		if err != nil || !ok || t.AssigneeID == nil || *t.AssigneeID != h.agentID {
			return err
		}
		still, err := exists(ctx, tx, `SELECT 1 `+heldFrom+` AND at.ticket_id = $1 AND at.agent_id = $2`,
			h.ticketID, h.agentID)
		if err != nil || !still {
			return err
		}
		why, gone, err := s.absence(ctx, tx, h, now)
		if err != nil || !gone {
			return err
		}
		if _, err := s.tickets.ApplyTx(ctx, tx, h.ticketID, ticket.Update{AssigneeID: ticket.IDChange{Set: true}},
			Source, ReasonReturned+": "+why); err != nil {
			return err
		}
		returned = true
		_, err = s.assignTx(ctx, tx, h.ticketID)
		return err
	})
	return returned, err
}

// absence tells whether the agent has been away or off shift for the
// group's time (counted from when they got the ticket, if later), and
// how to say so.
func (s *Service) absence(ctx context.Context, tx *sql.Tx, h held, now time.Time) (string, bool, error) {
	var r availRow
	var awaySince *time.Time
	err := tx.QueryRowContext(ctx, `
		SELECT a.id, a.name, a.time_zone, COALESCE(st.away, FALSE), st.away_since, COALESCE(st.shift_zone, ''),
			COALESCE(st.shift_always, FALSE), COALESCE(st.shift_windows, ''), st.updated_at
		FROM agents a LEFT JOIN assign_agents st ON st.agent_id = a.id WHERE a.id = $1`, h.agentID).
		Scan(&r.id, &r.name, &r.agentZone, &r.away, &awaySince, &r.zone, &r.always, &r.windows, &r.at)
	if err != nil {
		return "", false, fmt.Errorf("availability of agent %d: %w", h.agentID, err)
	}
	var since time.Time
	var what string
	switch {
	case r.away && awaySince != nil:
		since, what = *awaySince, "away"
	case !s.onShift(r, now):
		since, what = s.shiftEnded(r, now), "off shift"
	default:
		return "", false, nil
	}
	if h.assignedAt.After(since) {
		since = h.assignedAt
	}
	if now.Sub(since) < h.after {
		return "", false, nil
	}
	return fmt.Sprintf("%s %s for %d min", r.name, what, int(now.Sub(since).Minutes())), true, nil
}

// shiftEnded is when the agent's last shift before now ended (a week
// back at most).
func (s *Service) shiftEnded(r availRow, now time.Time) time.Time {
	cal, err := s.shiftCalendar(r)
	from := now.AddDate(0, 0, -8)
	if err != nil || cal == nil {
		return from
	}
	iv := cal.Intervals(from, now)
	if len(iv) == 0 {
		return from
	}
	return iv[len(iv)-1].End
}
