package attachment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Files of knowledge-base articles. An article's file is never a ticket's:
// only unattached uploads become an article's, so a ticket's file cannot
// be published through an article, and an article's file cannot be moved
// onto a ticket.

// AttachToArticle makes p's unattached uploads (an administrator's: anyone's)
// files of an article, inside the caller's transaction. One id that does
// not qualify is refused as an "attachment_ids" error and nothing changes.
func (s *Service) AttachToArticle(ctx context.Context, tx *sql.Tx, p auth.Principal, ids []int64, articleID int64) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil
	}
	in, args := db.In(ids, 1)
	list, err := query(ctx, tx, `SELECT `+columns+` FROM attachments WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("attach files to article %d: %w", articleID, err)
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
	in, args = db.In(ids, 2)
	res, err := tx.ExecContext(ctx, `
		UPDATE attachments SET article_id = $1
		WHERE id IN (`+in+`) AND ticket_id IS NULL AND comment_id IS NULL AND article_id IS NULL`,
		append([]any{articleID}, args...)...)
	if err != nil {
		return fmt.Errorf("attach files to article %d: %w", articleID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
		return apperr.Field("attachment_ids", "an attachment was attached elsewhere meanwhile; try again")
	}
	return nil
}

// ForArticle returns an article's files in upload order.
func (s *Service) ForArticle(ctx context.Context, q db.Queryer, articleID int64) ([]Attachment, error) {
	list, err := query(ctx, q, `SELECT `+columns+` FROM attachments WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("files of article %d: %w", articleID, err)
	}
	return list, nil
}

// RemoveFromArticle deletes one of an article's files, inside the caller's
// transaction; its content goes when no other attachment names it.
func (s *Service) RemoveFromArticle(ctx context.Context, tx *sql.Tx, articleID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE id = $1 AND article_id = $2`, id, articleID)
	if err != nil {
		return fmt.Errorf("remove file %d of article %d: %w", id, articleID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(id)
	}
	return nil
}

// OpenArticleFile opens one of an article's files for a reader the caller
// has already allowed to read the article (the customer portal). A file
// of another article, of a ticket or of nobody is NotFound.
func (s *Service) OpenArticleFile(ctx context.Context, articleID, id int64) (Attachment, *os.File, error) {
	a, err := scan(s.db.R.QueryRowContext(ctx, `SELECT `+columns+` FROM attachments WHERE id = $1 AND article_id = $2`,
		id, articleID))
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, nil, notFound(id)
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("find file %d of article %d: %w", id, articleID, err)
	}
	f, err := os.Open(s.path(a.SHA256))
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("open attachment %d: %w", id, err)
	}
	return a, f, nil
}
