package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// visibleClause is the SQL condition (on alias t) limiting tickets to those
// p may open: administrators and supervisors see all; an agent sees
// tickets of their groups, tickets in no group yet (the shared intake),
// tickets assigned to them and tickets they follow. It appends its
// arguments to args and returns the clause, "" when nothing is hidden.
func visibleClause(p auth.Principal, args *[]any) string {
	if p.SeesAllTickets() {
		return ""
	}
	*args = append(*args, p.AgentID)
	me := "$" + strconv.Itoa(len(*args))
	// The cheap tests of the ticket's own columns come first: SQLite
	// evaluates them in order and looks up followers only when they fail.
	parts := []string{"t.group_id IS NULL", "t.assignee_id = " + me}
	if len(p.GroupIDs) > 0 {
		parts = append(parts, "t.group_id IN ("+joinIDs(p.GroupIDs)+")")
	}
	parts = append(parts, "EXISTS (SELECT 1 FROM ticket_followers f WHERE f.ticket_id = t.id AND f.agent_id = "+me+")")
	return "(" + strings.Join(parts, " OR ") + ")"
}

// CanViewTicket returns nil when p may open the ticket, and NotFound when
// it does not exist or p may not see it: a hidden ticket is not revealed
// by a different answer.
func (s *Service) CanViewTicket(ctx context.Context, p auth.Principal, ticketID int64) error {
	return s.canView(ctx, s.db.R, p, ticketID)
}

func (s *Service) canView(ctx context.Context, q db.Queryer, p auth.Principal, ticketID int64) error {
	args := []any{ticketID}
	query := `SELECT 1 FROM tickets t WHERE t.id = $1`
	if c := visibleClause(p, &args); c != "" {
		query += " AND " + c
	}
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("ticket %d not found", ticketID)
	}
	if err != nil {
		return fmt.Errorf("check access to ticket %d: %w", ticketID, err)
	}
	return nil
}
