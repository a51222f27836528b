package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linedesk/internal/db"
)

// slaTarget is a target as stored on the ticket's row; nil when none is
// in force.
func slaTarget(state string, due *time.Time) *SLATarget {
	if state == "" {
		return nil
	}
	return &SLATarget{State: state, DueAt: due}
}

func targetState(t *SLATarget) string {
	if t == nil {
		return ""
	}
	return t.State
}

func targetDue(t *SLATarget) *time.Time {
	if t == nil {
		return nil
	}
	return t.DueAt
}

// slaNote carries the deadlines a hook writes for a ticket being
// created back to CreateTicket, which returns the ticket it built rather
// than reading it back.
type slaNote struct {
	id  int64
	v   SLA
	set bool
}

type slaNoteKey struct{}

// SetSLATx writes a ticket's deadlines inside the caller's transaction.
// They are Linedesk's bookkeeping, not fields anyone edits: the version
// stays, no history is written and no hook hears of it.
func (s *Service) SetSLATx(ctx context.Context, tx *sql.Tx, id int64, v SLA) error {
	if n, ok := ctx.Value(slaNoteKey{}).(*slaNote); ok && n.id == id {
		n.v, n.set = v, true
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE tickets SET sla_first_response_due_at = $2, sla_first_response_state = $3,
			sla_next_response_due_at = $4, sla_next_response_state = $5,
			sla_resolution_due_at = $6, sla_resolution_state = $7, sla_next_due_at = $8, sla_warn_at = $9
		WHERE id = $1`, id,
		targetDue(v.FirstResponse), targetState(v.FirstResponse), targetDue(v.NextResponse), targetState(v.NextResponse),
		targetDue(v.Resolution), targetState(v.Resolution), v.NextDueAt, v.WarnAt)
	if err != nil {
		return fmt.Errorf("set deadlines of ticket %d: %w", id, err)
	}
	return nil
}

// LockTx locks a ticket's row for the caller's transaction and returns
// the ticket. With skip set, a ticket another transaction holds answers
// ok=false at once instead of waiting (PostgreSQL; SQLite has a single
// writer, so nobody else can hold it).
func (s *Service) LockTx(ctx context.Context, tx *sql.Tx, id int64, skip bool) (t Ticket, ok bool, err error) {
	if s.db.Dialect == db.Postgres {
		lock := ` FOR UPDATE`
		if skip {
			lock = ` FOR UPDATE SKIP LOCKED`
		}
		var got int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE id = $1`+lock, id).Scan(&got)
		if err == sql.ErrNoRows {
			return Ticket{}, false, nil
		}
		if err != nil {
			return Ticket{}, false, fmt.Errorf("lock ticket %d: %w", id, err)
		}
	}
	t, err = s.load(ctx, tx, id, false)
	return t, err == nil, err
}

// AutoEvent is an entry written into a ticket's history without changing
// the ticket (RecordTx): a macro applied, an SLA warning, a breach.
type AutoEvent struct {
	Kind, Field, From, To, Reason string
	// NotifyAgentID names one more agent who hears of the entry in their
	// notifications, whether or not they follow the ticket (a supervisor).
	NotifyAgentID *int64
}
