package ticket

import (
	"context"
	"database/sql"

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
