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
	return "((" + strings.Join(visibleBranches(p, args), ") OR (") + "))"
}

// visibleBranches are the ways an agent reaches a ticket, as conditions on
// alias t that never hold for the same ticket twice: a count runs each
// from its own index and adds them up (UNION ALL, which can stop at a
// limit), instead of testing every row against all of them.
func visibleBranches(p auth.Principal, args *[]any) []string {
	*args = append(*args, p.AgentID)
	me := "$" + strconv.Itoa(len(*args))
	inGroups, elsewhere := "", "t.group_id IS NOT NULL"
	if len(p.GroupIDs) > 0 {
		inGroups = "t.group_id IN (" + joinIDs(p.GroupIDs) + ")"
		elsewhere += " AND NOT " + inGroups
	}
	parts := []string{"t.group_id IS NULL", "t.assignee_id = " + me + " AND " + elsewhere,
		"t.id IN (SELECT f.ticket_id FROM ticket_followers f WHERE f.agent_id = " + me + ") AND " + elsewhere +
			" AND (t.assignee_id IS NULL OR t.assignee_id <> " + me + ")"}
	if inGroups != "" {
		parts = append([]string{inGroups}, parts...)
	}
	return parts
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
