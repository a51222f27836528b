package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// The scheduler is a chain of JobCheck jobs, one per slot of
// CheckInterval. Each run claims the next slot in sla_ticks — a primary
// key, so of several nodes (or a node restarted) exactly one claims it
// and enqueues the next run — then sweeps. Chains that split (a run
// delayed past its slot while a restart started another) meet again at
// the next slot both compute.
//
// A desk with no deadline to watch carries no scheduler job: a run that
// finds none marks the chain idle (sla_scheduler) and runs once more; a
// second run that finds none ends the chain. The first ticket change
// that gives a ticket a deadline to watch finds the chain idle and
// starts it again, in its own transaction. The run in between leaves a
// ticket change in flight while the chain stops a whole interval to
// commit; housekeeping restarts a chain hourly besides, should anything
// slip through.

// EnsureScheduled starts the scheduler's chain when a ticket has a
// deadline to watch. Every node calls it at start and hourly; a chain
// already running keeps its slot.
func (s *Service) EnsureScheduled(ctx context.Context) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		watched, err := anyWatched(ctx, tx)
		if err != nil || !watched {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sla_scheduler SET idle = FALSE WHERE id = 1`); err != nil {
			return fmt.Errorf("start the scheduler: %w", err)
		}
		return s.claimNext(ctx, tx)
	})
	if err == nil {
		s.jobs.Wake()
	}
	return err
}

// wake starts the chain from a ticket change that gave a ticket a
// deadline to watch, when the chain is idle. Only the change that flips
// the flag enqueues the run; the others read the flag and go on.
func (s *Service) wake(ctx context.Context, tx *sql.Tx) error {
	var idle bool
	if err := tx.QueryRowContext(ctx, `SELECT idle FROM sla_scheduler WHERE id = 1`).Scan(&idle); err != nil {
		return fmt.Errorf("scheduler state: %w", err)
	}
	if !idle {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE sla_scheduler SET idle = FALSE WHERE id = 1 AND idle`)
	if err != nil {
		return fmt.Errorf("start the scheduler: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // another change started it
	}
	return s.claimNext(ctx, tx)
}

// claimNext claims the slot after now and enqueues its run; a slot
// claimed already (by another node, or by an earlier attempt of this
// run) means its run is enqueued.
func (s *Service) claimNext(ctx context.Context, tx *sql.Tx) error {
	now := db.Now()
	every := s.cfg.CheckInterval
	slot := now.Truncate(every).Add(every)
	res, err := tx.ExecContext(ctx, `INSERT INTO sla_ticks (slot) VALUES ($1) ON CONFLICT (slot) DO NOTHING`, slot)
	if err != nil {
		return fmt.Errorf("claim scheduler slot: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sla_ticks WHERE slot < $1`, now.Add(-time.Hour)); err != nil {
		return fmt.Errorf("prune scheduler slots: %w", err)
	}
	_, err = s.jobs.Enqueue(ctx, tx, JobCheck, map[string]any{"slot": slot}, job.RunAt(slot), job.MaxAttempts(3))
	return err
}

// continueChain decides, at the start of a run, whether the chain goes
// on: while a ticket has a deadline to watch it does; the first run to
// find none marks it idle and runs once more, the second ends it.
func (s *Service) continueChain(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		watched, err := anyWatched(ctx, tx)
		if err != nil {
			return err
		}
		var idle bool
		if err := tx.QueryRowContext(ctx, `SELECT idle FROM sla_scheduler WHERE id = 1`).Scan(&idle); err != nil {
			return fmt.Errorf("scheduler state: %w", err)
		}
		switch {
		case watched && idle:
			if _, err := tx.ExecContext(ctx, `UPDATE sla_scheduler SET idle = FALSE WHERE id = 1`); err != nil {
				return fmt.Errorf("scheduler state: %w", err)
			}
		case !watched && idle:
			return nil // the second run in a row with nothing to watch: the chain ends
		case !watched:
			if _, err := tx.ExecContext(ctx, `UPDATE sla_scheduler SET idle = TRUE WHERE id = 1`); err != nil {
				return fmt.Errorf("scheduler state: %w", err)
			}
		}
		return s.claimNext(ctx, tx)
	})
}

// anyWatched reports whether some ticket has a deadline to watch.
func anyWatched(ctx context.Context, q db.Queryer) (bool, error) {
	return exists(ctx, q, `SELECT 1 FROM sla_tickets WHERE next_check_at IS NOT NULL LIMIT 1`)
}

// handleCheck is one run of the scheduler: it keeps the chain going, then
// warns, records breaches and escalates what is due.
func (s *Service) handleCheck(ctx context.Context, _ job.Job) error {
	if err := s.continueChain(ctx); err != nil {
		return err
	}
	_, err := s.Sweep(ctx)
	if err == nil {
		s.jobs.Wake()
	}
	return err
}

// sweepBatch is how many due tickets one query fetches.
const sweepBatch = 100

// Sweep handles every ticket whose clocks need a look now: warnings due,
// breaches to record and escalate. Each ticket is handled in its own
// transaction under its row lock; a ticket another transaction holds is
// skipped (PostgreSQL's SKIP LOCKED) and comes round at the next run.
// Two sweeps at once, on one node or several, never fire anything twice.
// It returns how many tickets it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	var after int64
	seen := 0
	for {
		ids, err := s.dueTickets(ctx, now, after)
		if err != nil {
			return seen, err
		}
		for _, id := range ids {
			if err := s.check(ctx, id, now); err != nil {
				return seen, err
			}
			seen++
		}
		if len(ids) < sweepBatch {
			return seen, nil
		}
		after = ids[len(ids)-1]
	}
}

func (s *Service) dueTickets(ctx context.Context, now time.Time, after int64) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id FROM sla_tickets WHERE next_check_at <= $1 AND ticket_id > $2
		ORDER BY ticket_id LIMIT $3`, now, after, sweepBatch)
	if err != nil {
		return nil, fmt.Errorf("due deadlines: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due deadlines: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// check handles one due ticket: under the ticket's lock its record is
// read again, so what another run already did is seen and not repeated.
func (s *Service) check(ctx context.Context, id int64, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		t, ok, err := s.tickets.LockTx(ctx, tx, id, true)
		if err != nil || !ok {
			return err
		}
		r, err := loadRecord(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.NextCheck == nil || r.NextCheck.After(now) {
			return nil // done by another run meanwhile
		}
		return s.fire(ctx, tx, t, r, now)
	})
}

// handleResync computes again the deadlines of the open tickets a
// change of plan, calendar or company concerns.
func (s *Service) handleResync(ctx context.Context, j job.Job) error {
	var in struct {
		PlanID     *int64 `json:"plan_id"`
		CalendarID *int64 `json:"calendar_id"`
		CompanyID  *int64 `json:"company_id"`
		Unplanned  int64  `json:"unplanned"`
	}
	if err := j.Decode(&in); err != nil {
		return err
	}
	var query string
	var args []any // before the last id seen and the page's size
	switch {
	case in.PlanID != nil:
		query, args = resyncByRecordSQL("plan_id"), []any{*in.PlanID}
	case in.CalendarID != nil:
		query, args = resyncByRecordSQL("calendar_id"), []any{*in.CalendarID}
	case in.CompanyID != nil:
		query, args = resyncCompanySQL, []any{*in.CompanyID}
	case in.Unplanned != 0:
		query = resyncUnplannedSQL
	default:
		return nil
	}
	var after int64
	for {
		ids, err := s.ticketIDs(ctx, query, append(args, after, sweepBatch)...)
		if err != nil {
			return err
		}
		for _, tid := range ids {
			if err := s.Resync(ctx, tid); err != nil {
				return err
			}
		}
		if len(ids) < sweepBatch {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// resyncByRecordSQL lists the tickets of a plan or calendar with a clock
// still counting (running or paused), and open tickets with none (a
// priority or a channel the plan set no target for until now).
func resyncByRecordSQL(col string) string {
	return `SELECT s.ticket_id FROM sla_tickets s JOIN tickets t ON t.id = s.ticket_id
		WHERE s.` + col + ` = $1 AND (s.live OR t.status NOT IN ('solved', 'closed')) AND s.ticket_id > $2
		ORDER BY s.ticket_id LIMIT $3`
}

// resyncCompanySQL lists a company's open tickets; resyncUnplannedSQL
// the open tickets of no company or of a company without a plan of its
// own.
const (
	resyncCompanySQL = `SELECT t.id FROM tickets t
		WHERE t.company_id = $1 AND t.status NOT IN ('solved', 'closed') AND t.id > $2 ORDER BY t.id LIMIT $3`
	resyncUnplannedSQL = `SELECT t.id FROM tickets t LEFT JOIN companies c ON c.id = t.company_id
		WHERE c.plan_id IS NULL AND t.status NOT IN ('solved', 'closed') AND t.id > $1 ORDER BY t.id LIMIT $2`
)

// ticketIDs runs one of the resync queries for a page of ticket ids.
func (s *Service) ticketIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("tickets to resync: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var tid int64
		if err := rows.Scan(&tid); err != nil {
			return nil, err
		}
		ids = append(ids, tid)
	}
	return ids, rows.Err()
}

// DirectoryChanged is the directory hook: when a company's open tickets
// are no longer all kept under the plan the company is served by now (an
// administrator moved the client to another plan, or gave it one), their
// deadlines are computed again once the change commits.
func (s *Service) DirectoryChanged(ctx context.Context, q db.Queryer, c directory.Change) error {
	if c.Kind != directory.ChangeCompany || c.Deleted {
		return nil
	}
	sv, err := s.servedUnder(ctx, q, &c.ID)
	if err != nil {
		return err
	}
	var now *int64
	if sv.ok {
		now = &sv.ID
	}
	var moved bool
	err = q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets t LEFT JOIN sla_tickets s ON s.ticket_id = t.id
		WHERE t.company_id = $1 AND t.status NOT IN ('solved', 'closed') AND s.plan_id IS DISTINCT FROM $2)`, c.ID, now).Scan(&moved)
	if err != nil || !moved {
		return err
	}
	return s.enqueueResync(ctx, q, "company_id", c.ID)
}

// Resync computes a ticket's deadlines again from its plan and calendar
// as they are now.
func (s *Service) Resync(ctx context.Context, ticketID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		t, _, err := s.tickets.LockTx(ctx, tx, ticketID, false)
		if err != nil {
			return err
		}
		r, err := loadRecord(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, r, ticket.Change{Kind: ticket.ChangeUpdated, Before: t, After: t}, s.now()); err != nil {
			return err
		}
		return s.save(ctx, tx, r)
	})
}

// enqueueResync asks for the deadlines of a plan's or calendar's tickets
// to be computed again once the change commits.
func (s *Service) enqueueResync(ctx context.Context, tx db.Queryer, key string, id int64) error {
	payload, _ := json.Marshal(map[string]int64{key: id})
	_, err := s.jobs.Enqueue(ctx, tx, JobResync, json.RawMessage(payload))
	return err
}
