package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Revision is an earlier text of an edited comment.
type Revision struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	EditedBy  *int64    `json:"edited_by"`
	CreatedAt time.Time `json:"created_at"` // when this text was replaced
}

// EditComment replaces a comment's text, keeping the old text as a
// revision and recording the edit in the ticket's history: a comment is
// never changed silently. Only its author or an administrator may edit an
// agent's comment; a customer's words are never edited.
func (s *Service) EditComment(ctx context.Context, p auth.Principal, ticketID, commentID int64, body string) (Comment, error) {
	body, err := checkText("body", body, true, 200_000)
	if err != nil {
		return Comment{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.canView(ctx, tx, p, ticketID); err != nil {
			return err
		}
		var old, authorType string
		var author sql.NullInt64
		var public bool
		var channel Channel
		err := tx.QueryRowContext(ctx, `SELECT body, author_type, author_agent_id, public, channel FROM comments
			WHERE id = $1 AND ticket_id = $2`, commentID, ticketID).Scan(&old, &authorType, &author, &public, &channel)
		if err == sql.ErrNoRows {
			return apperr.NotFoundf("comment %d not found on ticket %d", commentID, ticketID)
		}
		if err != nil {
			return fmt.Errorf("edit comment %d: %w", commentID, err)
		}
		if authorType != "agent" || (author.Int64 != p.AgentID && !p.IsAdmin()) {
			return apperr.Errorf(apperr.Forbidden, "only the comment's author or an administrator may edit it")
		}
		if old == body {
			return nil
		}
		if err := saveEdit(ctx, tx, p, ticketID, commentID, old, body); err != nil {
			return err
		}
		t, err := s.load(ctx, tx, ticketID, false)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeCommentEdited, Before: t, After: t, By: p,
			Comment: &ChangedComment{ID: commentID, Body: body, Public: public, AuthorType: authorType, Channel: channel}})
	})
	if err != nil {
		return Comment{}, err
	}
	return s.findComment(ctx, ticketID, commentID)
}

func saveEdit(ctx context.Context, tx *sql.Tx, p auth.Principal, ticketID, commentID int64, old, body string) error {
	now := db.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO comment_revisions (comment_id, body, edited_by_agent_id, created_at)
		VALUES ($1, $2, $3, $4)`, commentID, old, p.AgentID, now); err != nil {
		return fmt.Errorf("keep revision of comment %d: %w", commentID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3`, body, now, commentID); err != nil {
		return fmt.Errorf("edit comment %d: %w", commentID, err)
	}
	h := newHistory(ticketID, p, now)
	h.add(EventCommentEdited, "comment", itoa(commentID), itoa(commentID), "")
	return h.write(ctx, tx)
}

// Revisions returns a comment's earlier texts, oldest first.
func (s *Service) Revisions(ctx context.Context, p auth.Principal, ticketID, commentID int64) ([]Revision, error) {
	if err := s.CanViewTicket(ctx, p, ticketID); err != nil {
		return nil, err
	}
	if _, err := s.findComment(ctx, ticketID, commentID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, body, edited_by_agent_id, created_at
		FROM comment_revisions WHERE comment_id = $1 ORDER BY id`, commentID)
	if err != nil {
		return nil, fmt.Errorf("revisions of comment %d: %w", commentID, err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		var r Revision
		if err := rows.Scan(&r.ID, &r.Body, &r.EditedBy, &r.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
