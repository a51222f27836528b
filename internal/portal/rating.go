package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// RatingWindow is how long after their first rating a customer may still
// change it.
const RatingWindow = 7 * 24 * time.Hour

// maxRatingComment is the longest comment a rating takes, in characters.
const maxRatingComment = 2000

// Rating is a customer's rating of a solved ticket, 1 (bad) to 5 (very
// good), with an optional comment.
type Rating struct {
	TicketID     int64     `json:"ticket_id"`
	Number       int64     `json:"number"`
	Subject      string    `json:"subject"`
	ContactID    int64     `json:"contact_id"`
	ContactName  string    `json:"contact_name"`
	Score        int       `json:"score"`
	Comment      string    `json:"comment"`
	AssigneeID   *int64    `json:"assignee_id"` // who had the ticket when it was rated
	AssigneeName string    `json:"assignee_name"`
	GroupID      *int64    `json:"group_id"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ChangeableUntil is when the rating stops taking changes.
func (r Rating) ChangeableUntil() time.Time { return r.CreatedAt.Add(RatingWindow) }

// Rateable reports whether a ticket is in a state customers rate.
func Rateable(t ticket.Ticket) bool {
	return t.Status == ticket.StatusSolved || t.Status == ticket.StatusClosed
}

// RatingToken is the signed token of a ticket's rating link: it works
// without signing in, for that ticket and its requester only.
func (s *Service) RatingToken(t ticket.Ticket) string {
	return idToken(t.ID, s.mac("rating", strconv.FormatInt(t.ID, 10), strconv.FormatInt(t.Requester.ID, 10)))
}

// RateURL is the rating link of a ticket, for the "solved" mail.
func (s *Service) RateURL(ctx context.Context, ticketID int64) (string, error) {
	t, err := s.tickets.FindTicket(ctx, auth.System(), ticketID)
	if err != nil {
		return "", err
	}
	return s.cfg.BaseURL + "/portal/rate/" + s.RatingToken(t), nil
}

// TicketByRatingToken returns the ticket a rating link is for. A token
// Linedesk did not sign, or one for a ticket whose requester changed, is
// NotFound: it tells nothing about the ticket.
func (s *Service) TicketByRatingToken(ctx context.Context, token string) (ticket.Ticket, error) {
	id, mac, ok := splitIDToken(token)
	if !ok {
		return ticket.Ticket{}, apperr.NotFoundf("no such rating link")
	}
	t, err := s.tickets.FindTicket(ctx, auth.System(), id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !macOK(mac, strings.TrimPrefix(s.RatingToken(t), strconv.FormatInt(id, 10)+"-"))) {
		return ticket.Ticket{}, apperr.NotFoundf("no such rating link")
	}
	return t, err
}

// Rate records the requester's rating of their solved ticket, or changes
// it within RatingWindow of the first. Bad input names its field and
// changes nothing.
func (s *Service) Rate(ctx context.Context, t ticket.Ticket, contactID int64, score int, comment string) (Rating, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case contactID != t.Requester.ID:
		return Rating{}, apperr.Errorf(apperr.Forbidden, "only the ticket's requester may rate it")
	case !Rateable(t):
		return Rating{}, apperr.Errorf(apperr.Conflict, "ticket %s is not solved yet; it can be rated once it is", ticket.Number(t.Number))
	case score < 1 || score > 5:
		return Rating{}, apperr.Field("score", "must be a whole number from 1 to 5")
	case utf8.RuneCountInString(comment) > maxRatingComment:
		return Rating{}, apperr.Field("comment", "must be at most %d characters", maxRatingComment)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		prev, found, err := findRating(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		now := s.now()
		if found && now.After(prev.ChangeableUntil()) {
			return apperr.Errorf(apperr.Conflict, "the rating of ticket %s can no longer be changed", ticket.Number(t.Number))
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO ticket_ratings (ticket_id, contact_id, score, comment, assignee_id, group_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
			ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, comment = excluded.comment,
				assignee_id = excluded.assignee_id, group_id = excluded.group_id, updated_at = excluded.updated_at`,
			t.ID, contactID, score, comment, t.AssigneeID, t.GroupID, now)
		if err != nil {
			return fmt.Errorf("rate ticket %d: %w", t.ID, err)
		}
		return nil
	})
	if err != nil {
		return Rating{}, err
	}
	r, _, err := findRating(ctx, s.db.R, t.ID)
	return r, err
}

const ratingColumns = `r.ticket_id, t.number, t.subject, r.contact_id, COALESCE(c.name, ''), r.score, r.comment,
	r.assignee_id, COALESCE(a.name, ''), r.group_id, r.created_at, r.updated_at`

const ratingFrom = `ticket_ratings r JOIN tickets t ON t.id = r.ticket_id
	LEFT JOIN contacts c ON c.id = r.contact_id LEFT JOIN agents a ON a.id = r.assignee_id`

func scanRating(row db.Scanner) (Rating, error) {
	var r Rating
	err := row.Scan(&r.TicketID, &r.Number, &r.Subject, &r.ContactID, &r.ContactName, &r.Score, &r.Comment,
		&r.AssigneeID, &r.AssigneeName, &r.GroupID, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

func findRating(ctx context.Context, q db.Queryer, ticketID int64) (Rating, bool, error) {
	r, err := scanRating(q.QueryRowContext(ctx, `SELECT `+ratingColumns+` FROM `+ratingFrom+` WHERE r.ticket_id = $1`, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return Rating{}, false, nil
	}
	if err != nil {
		return Rating{}, false, fmt.Errorf("rating of ticket %d: %w", ticketID, err)
	}
	return r, true, nil
}

// FindRating returns a ticket's rating; found is false while it has none.
// The caller has checked that its reader may see the ticket.
func (s *Service) FindRating(ctx context.Context, ticketID int64) (Rating, bool, error) {
	return findRating(ctx, s.db.R, ticketID)
}

// RatingFilter selects ratings. Zero fields do not filter.
type RatingFilter struct {
	AssigneeID *int64 // who had the ticket when it was rated
	GroupID    *int64
	Score      int // 1 to 5
	Since      *time.Time
	Until      *time.Time
	Offset     int
	Limit      int // 25 when 0, at most 500
}

// FindRatings returns a page of ratings, the latest first, and how many
// match. Agents who do not see every ticket see the ratings of tickets
// they had.
func (s *Service) FindRatings(ctx context.Context, p auth.Principal, f RatingFilter) ([]Rating, int, error) {
	var w db.Where
	if !p.SeesAllTickets() {
		f.AssigneeID = &p.AgentID
	}
	if f.AssigneeID != nil {
		w.Add(`r.assignee_id = ` + w.Arg(*f.AssigneeID))
	}
	if f.GroupID != nil {
		w.Add(`r.group_id = ` + w.Arg(*f.GroupID))
	}
	if f.Score != 0 {
		if f.Score < 1 || f.Score > 5 {
			return nil, 0, apperr.Field("score", "must be a whole number from 1 to 5")
		}
		w.Add(`r.score = ` + w.Arg(f.Score))
	}
	if f.Since != nil {
		w.Add(`r.updated_at >= ` + w.Arg(*f.Since))
	}
	if f.Until != nil {
		w.Add(`r.updated_at < ` + w.Arg(*f.Until))
	}
	return db.FindPage(ctx, s.db.R, ratingColumns, ratingFrom, "r.updated_at DESC, r.ticket_id DESC", w, f.Offset, f.Limit, scanRating)
}
