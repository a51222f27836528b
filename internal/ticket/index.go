package ticket

import (
	"context"
	"fmt"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// The readers below serve Linedesk's own consumers of tickets in bulk,
// such as the search index: they read many tickets at once and apply no
// principal's visibility (VisibleIDs and RequestedIDs do that).

// TicketsByID returns the tickets with these ids, with their tags,
// followers and participants, in no particular order. Ids that do not
// exist are left out.
func (s *Service) TicketsByID(ctx context.Context, ids []int64) ([]Ticket, error) {
	if len(ids) == 0 {
		return []Ticket{}, nil
	}
	in, args := db.In(ids, 1)
	return s.queryTickets(ctx, `SELECT `+ticketColumns+ticketFrom+` WHERE t.id IN (`+in+`)`, args)
}

// ConversationText is a comment as a reader of text sees it: the words
// of an e-mail without its quoted history, whether customers see it, and
// the names of its files.
type ConversationText struct {
	CommentID int64
	Text      string
	Public    bool
	Files     []string
	CreatedAt time.Time
}

const conversationSQL = `SELECT m.ticket_id, m.id, m.body, m.visible_length, m.public, m.created_at
	FROM comments m WHERE m.ticket_id IN (%s) ORDER BY m.ticket_id, m.id`

const filesSQL = `SELECT ticket_id, COALESCE(comment_id, 0), filename FROM attachments WHERE ticket_id IN (%s) ORDER BY id`

// Conversations returns the comments of tickets, oldest first, by
// ticket. Files attached to a ticket outside any comment come first, as
// a public part without text.
func (s *Service) Conversations(ctx context.Context, ids []int64) (map[int64][]ConversationText, error) {
	out := map[int64][]ConversationText{}
	if len(ids) == 0 {
		return out, nil
	}
	files, err := s.fileNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	in, args := db.In(ids, 1)
	rows, err := s.db.R.QueryContext(ctx, fmt.Sprintf(conversationSQL, in), args...)
	if err != nil {
		return nil, fmt.Errorf("read conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ticketID int64
		var c ConversationText
		var visible *int
		if err := rows.Scan(&ticketID, &c.CommentID, &c.Text, &visible, &c.Public, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("read conversations: %w", err)
		}
		if visible != nil && *visible <= len(c.Text) {
			c.Text = c.Text[:*visible]
		}
		c.Files = files[[2]int64{ticketID, c.CommentID}]
		out[ticketID] = append(out[ticketID], c)
	}
	for key, names := range files {
		if key[1] == 0 {
			out[key[0]] = append([]ConversationText{{Public: true, Files: names}}, out[key[0]]...)
		}
	}
	return out, rows.Err()
}

// fileNames returns attachment names by (ticket, comment); comment 0 for
// files outside comments.
func (s *Service) fileNames(ctx context.Context, ids []int64) (map[[2]int64][]string, error) {
	in, args := db.In(ids, 1)
	rows, err := s.db.R.QueryContext(ctx, fmt.Sprintf(filesSQL, in), args...)
	if err != nil {
		return nil, fmt.Errorf("read attachment names: %w", err)
	}
	defer rows.Close()
	out := map[[2]int64][]string{}
	for rows.Next() {
		var key [2]int64
		var name string
		if err := rows.Scan(&key[0], &key[1], &name); err != nil {
			return nil, fmt.Errorf("read attachment names: %w", err)
		}
		out[key] = append(out[key], name)
	}
	return out, rows.Err()
}

// IDsAfter returns up to limit ticket ids greater than after, ascending.
func (s *Service) IDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.ids(ctx, `SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
}

// CountAll returns how many tickets exist.
func (s *Service) CountAll(ctx context.Context) (int, error) {
	return s.count(ctx, `SELECT 1 FROM tickets t`, nil, 0)
}

// VisibleIDs returns those of ids that p may open, by the rule of
// CanViewTicket, in ascending order.
func (s *Service) VisibleIDs(ctx context.Context, p auth.Principal, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args := visibleIDsQuery(p, ids)
	return s.ids(ctx, query, args...)
}

// visibleIDsQuery reads the tickets by id and tests each. The test is
// compared with TRUE so that it is not one the planner can run from the
// group and assignee indexes: SQLite would otherwise read every ticket of
// the agent's groups (a multi-index OR) to find the few asked about.
func visibleIDsQuery(p auth.Principal, ids []int64) (string, []any) {
	in, args := db.In(ids, 1)
	query := `SELECT t.id FROM tickets t WHERE t.id IN (` + in + `)`
	if c := visibleClause(p, &args); c != "" {
		query += " AND (" + c + ") = TRUE"
	}
	return query + ` ORDER BY t.id`, args
}

// RequestedIDs returns those of ids a customer may see, in ascending
// order: tickets the contact requested and, when companyID is set (a
// contact who manages their company's tickets), the company's tickets.
func (s *Service) RequestedIDs(ctx context.Context, contactID int64, companyID *int64, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := db.In(ids, 1)
	args = append(args, contactID)
	cond := fmt.Sprintf("t.requester_id = $%d", len(args))
	if companyID != nil {
		args = append(args, *companyID)
		cond = fmt.Sprintf("(%s OR t.company_id = $%d)", cond, len(args))
	}
	return s.ids(ctx, `SELECT t.id FROM tickets t WHERE t.id IN (`+in+`) AND `+cond+` ORDER BY t.id`, args...)
}

func (s *Service) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list ticket ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list ticket ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
