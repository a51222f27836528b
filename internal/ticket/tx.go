package ticket

import (
	"context"
	"database/sql"

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

// RecordTx writes one entry into a ticket's history in p's name inside
// the caller's transaction, for an action that changes no field: a macro
// applied, an SLA warning or breach (p is then auth.System()). The ticket
// must be visible to p. Hooks do not hear of it: the ticket did not change.
func (s *Service) RecordTx(ctx context.Context, tx *sql.Tx, p auth.Principal, ticketID int64, e AutoEvent) error {
	if err := s.canView(ctx, tx, p, ticketID); err != nil {
		return err
	}
	h := newHistory(ticketID, p, db.Now())
	h.add(e.Kind, e.Field, e.From, e.To, e.Reason)
	h.events[0].NotifyAgentID = e.NotifyAgentID
	return h.write(ctx, tx)
}
