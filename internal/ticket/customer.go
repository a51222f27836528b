package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Customer is a contact acting on tickets through the portal. They see
// the tickets they asked for; their company's manager also sees every
// ticket of the company. Nothing else: any other ticket is NotFound, as if
// it did not exist.
type Customer struct {
	ContactID int64
	CompanyID *int64 // set for a company manager: the company's tickets too
}

// clause is the SQL condition (on alias t) of the tickets c may see.
func (c Customer) clause(args *[]any) string {
	*args = append(*args, c.ContactID)
	own := "t.requester_id = $" + strconv.Itoa(len(*args))
	if c.CompanyID == nil {
		return own
	}
	*args = append(*args, *c.CompanyID)
	return "(" + own + " OR t.company_id = $" + strconv.Itoa(len(*args)) + ")"
}

// covers reports whether the filter alone keeps to tickets c may see (the
// customer's own, or their company's for its manager), so the query needs
// no OR that would keep it from the requester's or the company's index.
func (c Customer) covers(f Filter) bool {
	if f.RequesterID != nil && *f.RequesterID == c.ContactID {
		return true
	}
	return f.CompanyID != nil && c.CompanyID != nil && *f.CompanyID == *c.CompanyID
}

// CanCustomerView returns nil when c may see the ticket and NotFound
// otherwise.
func (s *Service) CanCustomerView(ctx context.Context, c Customer, ticketID int64) error {
	return s.customerCan(ctx, s.db.R, c, ticketID)
}

func (s *Service) customerCan(ctx context.Context, q db.Queryer, c Customer, ticketID int64) error {
	args := []any{ticketID}
	query := `SELECT 1 FROM tickets t WHERE t.id = $1 AND ` + c.clause(&args)
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

// FindCustomerTicket returns the ticket with the number customers quote,
// if c may see it.
func (s *Service) FindCustomerTicket(ctx context.Context, c Customer, number int64) (Ticket, error) {
	args := []any{number}
	query := `SELECT t.id FROM tickets t WHERE t.number = $1 AND ` + c.clause(&args)
	var id int64
	err := s.db.R.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, apperr.NotFoundf("ticket %s not found", Number(number))
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("find ticket %s: %w", Number(number), err)
	}
	return s.load(ctx, s.db.R, id, false)
}

// FindCustomerTickets returns one page of the tickets c may see that
// match f, and how many match in all.
func (s *Service) FindCustomerTickets(ctx context.Context, c Customer, f Filter) ([]Ticket, int, error) {
	where, args, err := f.where(auth.System())
	if err != nil {
		return nil, 0, err
	}
	if !c.covers(f) {
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += c.clause(&args)
	}
	order, err := f.order()
	if err != nil {
		return nil, 0, err
	}
	total, err := s.count(ctx, `SELECT 1 FROM tickets t`+where, args, f.CountUpTo)
	if err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.Page = max(f.Page, 1)
	args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	page := `SELECT t.id FROM tickets t` + where + order + fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	out, err := s.queryTickets(ctx, `SELECT `+ticketColumns+ticketFrom+` WHERE t.id IN (`+page+`)`+order, args)
	return out, total, err
}

// CustomerComments returns the public conversation of a ticket c may
// see, oldest first, with its files. Internal notes are never read.
func (s *Service) CustomerComments(ctx context.Context, c Customer, ticketID int64) ([]Comment, error) {
	if err := s.CanCustomerView(ctx, c, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+commentColumns+` WHERE m.ticket_id = $1 AND m.public ORDER BY m.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("public comments of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		cm, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("public comments of ticket %d: %w", ticketID, err)
		}
		out = append(out, cm)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.withAttachments(ctx, out)
}

// TicketFiles returns the files attached to a ticket itself rather than
// to a comment: those a customer sent with a new ticket.
func (s *Service) TicketFiles(ctx context.Context, p auth.Principal, ticketID int64) ([]attachment.Attachment, error) {
	if err := s.CanViewTicket(ctx, p, ticketID); err != nil {
		return nil, err
	}
	return s.files.OnTicket(ctx, s.db.R, ticketID)
}

// CustomerFiles is TicketFiles for a customer.
func (s *Service) CustomerFiles(ctx context.Context, c Customer, ticketID int64) ([]attachment.Attachment, error) {
	if err := s.CanCustomerView(ctx, c, ticketID); err != nil {
		return nil, err
	}
	return s.files.OnTicket(ctx, s.db.R, ticketID)
}

// IsPublicComment reports whether a comment is part of the public
// conversation; a missing comment is not.
func (s *Service) IsPublicComment(ctx context.Context, commentID int64) (bool, error) {
	var public bool
	err := s.db.R.QueryRowContext(ctx, `SELECT public FROM comments WHERE id = $1`, commentID).Scan(&public)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check comment %d: %w", commentID, err)
	}
	return public, nil
}

// StatusEvents returns the status changes of a ticket c may see: the
// part of the history a customer is told.
func (s *Service) StatusEvents(ctx context.Context, c Customer, ticketID int64) ([]Event, error) {
	if err := s.CanCustomerView(ctx, c, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT e.id, e.actor_type, COALESCE(CASE WHEN e.actor_type = 'agent' THEN a.name ELSE c.name END, ''),
			e.old_value, e.new_value, e.created_at
		FROM ticket_events e
		LEFT JOIN agents a ON e.actor_type = 'agent' AND a.id = e.actor_id
		LEFT JOIN contacts c ON e.actor_type = 'contact' AND c.id = e.actor_id
		WHERE e.ticket_id = $1 AND e.kind = 'changed' AND e.field = 'status' ORDER BY e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("status history of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		e := Event{TicketID: ticketID, Kind: EventChanged, Field: "status"}
		if err := rows.Scan(&e.ID, &e.ActorType, &e.ActorName, &e.From, &e.To, &e.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PublicActivity returns when a customer last saw something happen on
// each ticket: its creation, a public comment, a change of status or of
// who works on it. Internal notes and other changes do not count.
func (s *Service) PublicActivity(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := db.In(ids, 1)
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT id, created_at FROM tickets WHERE id IN (`+in+`)
		UNION ALL SELECT m.ticket_id, m.created_at FROM comments m WHERE m.id IN (
			SELECT max(id) FROM comments WHERE public AND ticket_id IN (`+in+`) GROUP BY ticket_id)
		UNION ALL SELECT e.ticket_id, e.created_at FROM ticket_events e WHERE e.id IN (
			SELECT max(id) FROM ticket_events WHERE kind = 'changed' AND field IN ('status', 'assignee_id')
				AND ticket_id IN (`+in+`) GROUP BY ticket_id)`, args...)
	if err != nil {
		return nil, fmt.Errorf("public activity of tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw any
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		if at := asTime(raw); at.After(out[id]) {
			out[id] = at
		}
	}
	return out, rows.Err()
}

// PublicStamp sums up what a customer sees of a ticket (status, assignee,
// public comments and their edits) in a string that changes when any of
// it does, so live updates reach a customer only when there is something
// for them to see.
func (s *Service) PublicStamp(ctx context.Context, ticketID int64) (string, error) {
	var status string
	var assignee, comments, newest int64
	var edited any
	err := s.db.R.QueryRowContext(ctx, `
		SELECT t.status, COALESCE(t.assignee_id, 0),
			(SELECT count(*) FROM comments m WHERE m.ticket_id = t.id AND m.public),
			(SELECT COALESCE(max(m.id), 0) FROM comments m WHERE m.ticket_id = t.id AND m.public),
			(SELECT m.edited_at FROM comments m WHERE m.ticket_id = t.id AND m.public AND m.edited_at IS NOT NULL
				ORDER BY m.edited_at DESC LIMIT 1)
		FROM tickets t WHERE t.id = $1`, ticketID).Scan(&status, &assignee, &comments, &newest, &edited)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("ticket %d not found", ticketID)
	}
	if err != nil {
		return "", fmt.Errorf("public stamp of ticket %d: %w", ticketID, err)
	}
	return fmt.Sprintf("%s/%d/%d/%d/%d", status, assignee, comments, newest, asTime(edited).UnixMicro()), nil
}

// CustomerMay reports whether a customer may move a ticket from one
// status to another: say their problem is solved while it is still
// being worked on, or reopen it once solved. Closed is final.
func CustomerMay(from, to Status) bool {
	switch to {
	case StatusSolved:
		return from == StatusNew || from == StatusOpen || from == StatusPending || from == StatusOnHold
	case StatusOpen:
		return from == StatusSolved
	}
	return false
}

// CustomerSetStatus applies a customer's "my problem is solved" or
// "reopen" to a ticket they may see, recorded in their name. A customer
// who says their problem is solved is not held up by custom fields the
// team must fill in (the agent fills them before closing), and is not
// mailed that the ticket was solved.
func (s *Service) CustomerSetStatus(ctx context.Context, c Customer, ticketID int64, to Status) (Ticket, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.customerCan(ctx, tx, c, ticketID); err != nil {
			return err
		}
		t, err := s.load(ctx, tx, ticketID, true)
		if err != nil {
			return err
		}
		if t.Status == to {
			return nil
		}
		if !CustomerMay(t.Status, to) {
			return apperr.Errorf(apperr.Conflict, "ticket %s is %s and cannot become %s", Number(t.Number), t.Status, to)
		}
		next := t
		next.Status = to
		h := history{ticketID: t.ID, by: actor{typ: "contact", id: &c.ContactID}, at: db.Now(), p: auth.System()}
		diff(&h, t, next)
		return s.save(ctx, tx, t, next, &h)
	})
	if err != nil {
		return Ticket{}, err
	}
	s.jobs.Wake()
	return s.load(ctx, s.db.R, ticketID, false)
}

// asTime reads a time the database computed rather than read from a
// column: SQLite gives back its stored microseconds then, PostgreSQL a
// time.
func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case int64:
		return time.UnixMicro(t).UTC()
	}
	return time.Time{}
}
