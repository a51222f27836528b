package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// SplitComment moves one comment of a ticket, with its files, to a new
// ticket for the same requester, in the same queue, and returns the new
// ticket. It is how an agent separates a second problem a customer raised
// in the same conversation. An empty subject takes the old ticket's. The
// two tickets are linked ("split") and both histories say so.
func (s *Service) SplitComment(ctx context.Context, p auth.Principal, ticketID, commentID int64, subject string) (Ticket, error) {
	subject, err := checkText("subject", subject, false, 500)
	if err != nil {
		return Ticket{}, err
	}
	var created Ticket
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := s.loadVisible(ctx, tx, p, ticketID)
		if err != nil {
			return err
		}
		if err := checkCommentOf(ctx, tx, ticketID, commentID); err != nil {
			return err
		}
		if subject == "" {
			subject = t.Subject
		}
		created, err = s.CreateTicketTx(ctx, tx, p, NewTicket{Subject: subject, Requester: RequesterRef{ID: &t.Requester.ID},
			Priority: t.Priority, Type: t.Type, Channel: t.Channel, Line: t.Line, GroupID: t.GroupID,
			CompanyID: t.CompanyID, MailboxID: t.MailboxID})
		if err != nil {
			return err
		}
		return s.split(ctx, tx, p, t, created, commentID)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, s.db.R, created.ID, false)
}

// checkCommentOf answers NotFound unless the comment is on the ticket.
func checkCommentOf(ctx context.Context, q db.Queryer, ticketID, commentID int64) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE id = $1 AND ticket_id = $2`, commentID, ticketID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("comment %d not found on ticket %d", commentID, ticketID)
	}
	if err != nil {
		return fmt.Errorf("find comment %d: %w", commentID, err)
	}
	return nil
}

// splitMoves move a comment ($2), its files and its e-mail reference to
// another ticket ($1).
var splitMoves = []string{
	`UPDATE comments SET ticket_id = $1 WHERE id = $2`,
	`UPDATE attachments SET ticket_id = $1 WHERE comment_id = $2`,
	`UPDATE message_ids SET ticket_id = $1 WHERE comment_id = $2`,
}

// split moves the comment, its files and its e-mail reference to the new
// ticket, links the two and records it on both.
func (s *Service) split(ctx context.Context, tx *sql.Tx, p auth.Principal, old, created Ticket, commentID int64) error {
	for _, move := range splitMoves {
		if _, err := tx.ExecContext(ctx, move, created.ID, commentID); err != nil {
			return fmt.Errorf("split comment %d off ticket %d: %w", commentID, old.ID, err)
		}
	}
	now := db.Now()
	if _, err := insertLink(ctx, tx, p, old.ID, created.ID, LinkSplit, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $1 WHERE id = $2`, now, old.ID); err != nil {
		return fmt.Errorf("touch ticket %d: %w", old.ID, err)
	}
	c := itoa(commentID)
	h := newHistory(old.ID, p, now)
	h.add(EventSplit, "comment", c, Number(created.Number), "comment "+c+" split off into "+Number(created.Number))
	if err := h.write(ctx, tx); err != nil {
		return err
	}
	after := old
	after.UpdatedAt = now
	if err := s.notify(ctx, tx, h.changeOf(old, after, p)); err != nil {
		return err
	}
	h = newHistory(created.ID, p, now)
	h.add(EventSplit, "comment", Number(old.Number), c, "split off "+Number(old.Number)+" with comment "+c)
	return h.write(ctx, tx)
}
