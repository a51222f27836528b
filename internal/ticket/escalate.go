package ticket

import (
	"context"
	"database/sql"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Escalation moves a ticket to another support line, a named group, or
// both, for a reason.
type Escalation struct {
	Line    int    // 0: keep the line
	GroupID *int64 // nil: keep the group
	Reason  string
}

// Escalate passes a ticket on. The ticket leaves its assignee's hands for
// the new line's or group's queue, while the escalating agent and the
// previous assignee keep following it. The reason is in the history.
func (s *Service) Escalate(ctx context.Context, p auth.Principal, id int64, e Escalation) (Ticket, error) {
	var t Ticket
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.EscalateTx(ctx, tx, p, id, e, "")
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// EscalateTx is Escalate inside the caller's transaction, for a tool an
// agent uses (a guided script) or an automation (p is auth.System() and
// source names it, for hooks that must not answer their own changes). It
// returns the ticket as written.
func (s *Service) EscalateTx(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, e Escalation, source string) (Ticket, error) {
	reason, err := checkText("reason", e.Reason, true, 2000)
	if err != nil {
		return Ticket{}, err
	}
	if e.Line == 0 && e.GroupID == nil {
		return Ticket{}, apperr.Field("line", "name a line (1–4) or a group_id to escalate to")
	}
	if e.Line != 0 {
		if err := checkLine(e.Line); err != nil {
			return Ticket{}, err
		}
	}
	t, err := s.loadVisible(ctx, tx, p, id)
	if err != nil {
		return Ticket{}, err
	}
	if err := s.escalate(ctx, tx, p, t, e, reason, source); err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, tx, id, false)
}

// escalate moves t as e says. An automation (source set) gives its reason
// to every entry of the history, as ApplyTx does.
func (s *Service) escalate(ctx context.Context, tx *sql.Tx, p auth.Principal, t Ticket, e Escalation, reason, source string) error {
	if t.Status == StatusClosed || t.Status == StatusSolved {
		return apperr.Errorf(apperr.Conflict, "ticket %s is %s; reopen it before escalating", Number(t.Number), t.Status)
	}
	next := t
	if e.Line != 0 {
		next.Line = e.Line
	}
	if e.GroupID != nil {
		if err := checkGroup(ctx, tx, e.GroupID); err != nil {
			return err
		}
		next.GroupID = e.GroupID
	}
	if next.Line == t.Line && sameID(next.GroupID, t.GroupID) {
		return apperr.Field("line", "the ticket is already at line %d in that group", t.Line)
	}
	next.AssigneeID = nil
	if next.Status == StatusNew {
		next.Status = StatusOpen
	}
	h := newHistory(t.ID, p, db.Now())
	h.source = source
	h.add(EventEscalated, "", "", escalationTarget(next), reason)
	diff(&h, t, next)
	if source != "" {
		for i := range h.events {
			h.events[i].Reason = reason
		}
	}
	if err := follow(ctx, tx, t.ID, p.AgentID, deref(t.AssigneeID)); err != nil {
		return err
	}
	return s.save(ctx, tx, t, next, &h)
}

func escalationTarget(t Ticket) string {
	target := "line " + itoa(int64(t.Line))
	if t.GroupID != nil {
		target += ", group " + itoa(*t.GroupID)
	}
	return target
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func deref(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}
