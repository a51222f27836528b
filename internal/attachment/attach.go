package attachment

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Attach attaches p's unattached uploads to a ticket and, unless commentID
// is 0, one of its comments. Run it inside the comment's transaction. Only
// unattached uploads of p's own (administrators: anyone's) qualify; one
// id that does not is refused as an "attachment_ids" error and nothing is
// attached. With a plain pool instead of a transaction it opens its own.
func (s *Service) Attach(ctx context.Context, q db.Queryer, p auth.Principal, ids []int64, ticketID, commentID int64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil
	}
	if ticketID <= 0 {
		return fmt.Errorf("attach files: ticket id %d", ticketID)
	}
	if tx, ok := q.(*sql.Tx); ok {
		return attach(ctx, tx, p, ids, ticketID, commentID)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return attach(ctx, tx, p, ids, ticketID, commentID)
	})
}

// attach checks every id first and changes rows only when all qualify;
// the update repeats the "unattached" condition, so an upload attached
// elsewhere in between makes the count fall short and the caller's
// transaction roll back.
func attach(ctx context.Context, tx *sql.Tx, p auth.Principal, ids []int64, ticketID, commentID int64) error {
	in, args := db.In(ids, 1)
	list, err := query(ctx, tx, `SELECT `+columns+` FROM attachments WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("attach files: %w", err)
	}
	found := map[int64]Attachment{}
	for _, a := range list {
		found[a.ID] = a
	}
	for _, id := range ids {
		if a, ok := found[id]; !ok || !attachable(p, a) {
			return apperr.Field("attachment_ids", "attachment %d cannot be attached", id)
		}
	}
	in, args = db.In(ids, 3)
	res, err := tx.ExecContext(ctx, `
		UPDATE attachments SET ticket_id = $1, comment_id = $2
		WHERE id IN (`+in+`) AND ticket_id IS NULL AND comment_id IS NULL AND article_id IS NULL`,
		append([]any{ticketID, nullID(commentID)}, args...)...)
	if err != nil {
		return fmt.Errorf("attach files: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
		return apperr.Field("attachment_ids", "an attachment was attached elsewhere meanwhile; try again")
	}
	return nil
}

// attachable reports whether p may attach a: an unattached upload of p's
// own, or of anyone's when p is an administrator.
func attachable(p auth.Principal, a Attachment) bool {
	if a.TicketID != nil || a.CommentID != nil || a.ArticleID != nil {
		return false
	}
	return p.IsAdmin() || (a.uploader != 0 && a.uploader == p.AgentID)
}

// ForComments returns the attachments of each comment, by comment id, in
// upload order. Comments without attachments are absent from the map.
func (s *Service) ForComments(ctx context.Context, q db.Queryer, commentIDs []int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	for chunk := range slices.Chunk(commentIDs, 500) {
		in, args := db.In(chunk, 1)
		list, err := query(ctx, q, `SELECT `+columns+` FROM attachments WHERE comment_id IN (`+in+`) ORDER BY id`, args...)
		if err != nil {
			return nil, fmt.Errorf("attachments of comments: %w", err)
		}
		for _, a := range list {
			out[*a.CommentID] = append(out[*a.CommentID], a)
		}
	}
	return out, nil
}

// ForTicket returns every attachment of a ticket, its comments' included,
// in upload order.
func (s *Service) ForTicket(ctx context.Context, q db.Queryer, ticketID int64) ([]Attachment, error) {
	list, err := query(ctx, q, `SELECT `+columns+` FROM attachments WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("attachments of ticket %d: %w", ticketID, err)
	}
	return list, nil
}

// OnTicket returns the files attached to a ticket itself, not to one of
// its comments, in upload order.
func (s *Service) OnTicket(ctx context.Context, q db.Queryer, ticketID int64) ([]Attachment, error) {
	list, err := query(ctx, q, `SELECT `+columns+` FROM attachments WHERE ticket_id = $1 AND comment_id IS NULL ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("files of ticket %d: %w", ticketID, err)
	}
	return list, nil
}

// query returns the attachments a SELECT of columns finds, never nil.
func query(ctx context.Context, q db.Queryer, query string, args ...any) ([]Attachment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []Attachment{}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}
