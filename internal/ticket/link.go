package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// The kinds of link between two tickets.
const (
	LinkRelated   = "related"   // about the same matter
	LinkDuplicate = "duplicate" // the same request twice
	LinkSplit     = "split"     // one was split off the other
)

// LinkKinds lists every kind of link.
var LinkKinds = []string{LinkRelated, LinkDuplicate, LinkSplit}

// LinkedTicket is a ticket linked to another, as the other one lists it.
type LinkedTicket struct {
	Kind   string  `json:"kind"`
	Ticket Summary `json:"ticket"`
}

// Summary is what a list of related tickets shows of each.
type Summary struct {
	ID      int64  `json:"id"`
	Number  int64  `json:"number"`
	Subject string `json:"subject"`
	Status  Status `json:"status"`
}

// Link links two tickets p may see. A link goes both ways and exists once
// per pair: linking again changes nothing, or only its kind. An empty
// kind is "related".
func (s *Service) Link(ctx context.Context, p auth.Principal, id, otherID int64, kind string) error {
	if kind == "" {
		kind = LinkRelated
	}
	if !slices.Contains(LinkKinds, kind) {
		return apperr.Field("kind", "must be related, duplicate or split")
	}
	if err := checkOther(id, otherID, "linked to"); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, m, err := s.visibleNumbers(ctx, tx, p, id, otherID)
		if err != nil {
			return err
		}
		now := db.Now()
		was, err := insertLink(ctx, tx, p, id, otherID, kind, now)
		if err != nil || was == kind {
			return err
		}
		reason := ""
		if was != "" {
			reason = "was " + was
		}
		return linkEvents(ctx, tx, p, now, EventLinked, kind, reason, [2]int64{id, otherID}, [2]int64{n, m})
	})
}

// Unlink removes the link between two tickets p may see; NotFound when
// they are not linked.
func (s *Service) Unlink(ctx context.Context, p auth.Principal, id, otherID int64) error {
	if err := checkOther(id, otherID, "unlinked from"); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, m, err := s.visibleNumbers(ctx, tx, p, id, otherID)
		if err != nil {
			return err
		}
		var kind string
		a, b := min(id, otherID), max(id, otherID)
		err = tx.QueryRowContext(ctx, `DELETE FROM ticket_links WHERE ticket_id = $1 AND linked_id = $2 RETURNING kind`, a, b).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("ticket %s is not linked to %s", Number(n), Number(m))
		}
		if err != nil {
			return fmt.Errorf("unlink tickets %d and %d: %w", id, otherID, err)
		}
		return linkEvents(ctx, tx, p, db.Now(), EventUnlinked, kind, "", [2]int64{id, otherID}, [2]int64{n, m})
	})
}

// Links lists the tickets linked to a ticket p may see, by number; linked
// tickets p may not see are left out.
func (s *Service) Links(ctx context.Context, p auth.Principal, id int64) ([]LinkedTicket, error) {
	if err := s.CanViewTicket(ctx, p, id); err != nil {
		return nil, err
	}
	args := []any{id}
	query := `SELECT l.kind, t.id, t.number, t.subject, t.status FROM ticket_links l
		JOIN tickets t ON t.id = CASE WHEN l.ticket_id = $1 THEN l.linked_id ELSE l.ticket_id END
		WHERE (l.ticket_id = $1 OR l.linked_id = $1)`
	if c := visibleClause(p, &args); c != "" {
		query += " AND " + c
	}
	rows, err := s.db.R.QueryContext(ctx, query+` ORDER BY t.number`, args...)
	if err != nil {
		return nil, fmt.Errorf("links of ticket %d: %w", id, err)
	}
	defer rows.Close()
	out := []LinkedTicket{}
	for rows.Next() {
		var l LinkedTicket
		if err := rows.Scan(&l.Kind, &l.Ticket.ID, &l.Ticket.Number, &l.Ticket.Subject, &l.Ticket.Status); err != nil {
			return nil, fmt.Errorf("links of ticket %d: %w", id, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func checkOther(id, otherID int64, verb string) error {
	if otherID <= 0 {
		return apperr.Field("ticket_id", "name the ticket to be %s", verb)
	}
	if otherID == id {
		return apperr.Field("ticket_id", "a ticket cannot be %s itself", verb)
	}
	return nil
}

// visibleNumbers returns the numbers of two tickets p may see, or NotFound.
func (s *Service) visibleNumbers(ctx context.Context, q db.Queryer, p auth.Principal, id, otherID int64) (int64, int64, error) {
	var numbers [2]int64
	for i, t := range []int64{id, otherID} {
		if err := s.canView(ctx, q, p, t); err != nil {
			return 0, 0, err
		}
		if err := q.QueryRowContext(ctx, `SELECT number FROM tickets WHERE id = $1`, t).Scan(&numbers[i]); err != nil {
			return 0, 0, fmt.Errorf("number of ticket %d: %w", t, err)
		}
	}
	return numbers[0], numbers[1], nil
}

// insertLink stores the link of two tickets, lower id first, or changes
// its kind. It returns the kind the link had before, "" when it is new.
func insertLink(ctx context.Context, tx *sql.Tx, p auth.Principal, id, otherID int64, kind string, at time.Time) (string, error) {
	a, b := min(id, otherID), max(id, otherID)
	var was string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM ticket_links WHERE ticket_id = $1 AND linked_id = $2`, a, b).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find link of tickets %d and %d: %w", a, b, err)
	}
	switch {
	case was == kind:
		return was, nil
	case was != "":
		_, err = tx.ExecContext(ctx, `UPDATE ticket_links SET kind = $1 WHERE ticket_id = $2 AND linked_id = $3`, kind, a, b)
	default:
		var agent *int64
		if p.AgentID != 0 {
			agent = &p.AgentID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, kind, created_by_agent_id, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, a, b, kind, agent, at)
	}
	if err != nil {
		return "", fmt.Errorf("link tickets %d and %d: %w", a, b, err)
	}
	return was, nil
}

// linkEvents records a link or unlink on both tickets, each naming the
// other by number.
func linkEvents(ctx context.Context, tx *sql.Tx, p auth.Principal, at time.Time, event, kind, reason string, ids, numbers [2]int64) error {
	for i := range ids {
		other := Number(numbers[1-i])
		h := newHistory(ids[i], p, at)
		if event == EventUnlinked {
			h.add(event, kind, other, "", reason)
		} else {
			h.add(event, kind, "", other, reason)
		}
		if err := h.write(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
