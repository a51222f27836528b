package ticket

import (
	"context"
	"database/sql"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// EventMacro is the history entry of a macro an agent applied: To is the
// macro's name. Its changes carry the same name as their reason.
const EventMacro = "macro"

// The functions below let a tool an agent uses — a macro, a guided script —
// make several changes to one ticket in one transaction, in the agent's
// name: all of them commit together or none does.

// FindTicketTx loads and locks a ticket p may see inside the caller's
// transaction; NotFound when it is hidden or missing.
func (s *Service) FindTicketTx(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64) (Ticket, error) {
	return s.loadVisible(ctx, tx, p, id)
}

// UpdateTicketTx is UpdateTicket inside the caller's transaction: u
// applies only while the ticket is still at u.Version. reason, when not
// empty, goes into every history entry the change writes. It returns the
// ticket as written; when u changes nothing, nothing is recorded.
func (s *Service) UpdateTicketTx(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, u Update, reason string) (Ticket, error) {
	if u.Version <= 0 {
		return Ticket{}, apperr.Field("version", "the ticket's version is required")
	}
	t, err := s.loadVisible(ctx, tx, p, id)
	if err != nil {
		return Ticket{}, err
	}
	if t.Version != u.Version {
		return Ticket{}, &apperr.Error{Code: apperr.Conflict, Field: "version", Message: fmt.Sprintf(
			"ticket %s was changed by someone else (now version %d, yours %d); reload it and apply your change again",
			Number(t.Number), t.Version, u.Version)}
	}
	next, err := s.apply(ctx, tx, t, u)
	if err != nil {
		return Ticket{}, err
	}
	h := newHistory(id, p, db.Now())
	diff(&h, t, next)
	if len(h.events) == 0 {
		return t, nil
	}
	for i := range h.events {
		h.events[i].Reason = reason
	}
	if err := s.save(ctx, tx, t, next, &h); err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, tx, id, false)
}

// EscalateTx is Escalate inside the caller's transaction.
func (s *Service) EscalateTx(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, e Escalation) error {
	reason, err := checkText("reason", e.Reason, true, 2000)
	if err != nil {
		return err
	}
	if e.Line == 0 && e.GroupID == nil {
		return apperr.Field("line", "name a line (1–4) or a group_id to escalate to")
	}
	if e.Line != 0 {
		if err := checkLine(e.Line); err != nil {
			return err
		}
	}
	t, err := s.loadVisible(ctx, tx, p, id)
	if err != nil {
		return err
	}
	return s.escalate(ctx, tx, p, t, e, reason)
}

// RecordTx writes one entry in a ticket's history in p's name, for an
// action that is not itself a change of a field, such as a macro being
// applied. The ticket must be visible to p.
func (s *Service) RecordTx(ctx context.Context, tx *sql.Tx, p auth.Principal, ticketID int64, kind, to, reason string) error {
	if err := s.canView(ctx, tx, p, ticketID); err != nil {
		return err
	}
	h := newHistory(ticketID, p, db.Now())
	h.add(kind, "", "", to, reason)
	return h.write(ctx, tx)
}
