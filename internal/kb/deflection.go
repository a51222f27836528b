package kb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// The customer portal counts two things: a view of an article's page, as
// the workspace does, and a deflection — a request the customer was about
// to send and did not, because an article suggested while they typed it
// solved their problem. A visit of the new-request form (named by the
// portal, which signs it into the suggestions' links) counts each
// article's view once and at most one deflection, however often the
// customer opens, goes back and clicks again.

// Kinds of what a visit counted.
const (
	visitView      = "view"
	visitDeflected = "deflected"
)

// PortalView is one reading of an article on the portal.
type PortalView struct {
	ArticleID int64
	Language  string
	Visit     string // the new-request form's visit it came from; "" for a plain reading
	ContactID *int64 // the signed-in customer; nil for a visitor
}

// CountPortalView counts a reading of an article on the portal: every
// plain reading, and a visit's first of each article.
func (s *Service) CountPortalView(ctx context.Context, v PortalView) error {
	if v.Visit == "" {
		return s.CountView(ctx, v.ArticleID)
	}
	_, err := s.countVisit(ctx, visitView, v, `views`)
	return err
}

// Deflect counts the request of a visit as deflected by an article: the
// customer read it and did not send the request. It reports whether it
// counted: a visit deflects once, whichever article it names the second
// time.
func (s *Service) Deflect(ctx context.Context, v PortalView) (bool, error) {
	if v.Visit == "" {
		return false, apperr.Field("visit", "a deflection needs the visit of the new-request form")
	}
	return s.countVisit(ctx, visitDeflected, v, `deflections`)
}

// countVisit records what the visit counted and, when the visit had not
// counted it yet, adds one to the article's counter column, in one
// transaction.
func (s *Service) countVisit(ctx context.Context, kind string, v PortalView, column string) (bool, error) {
	counted := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO kb_visit_counts (visit, kind, article_id, language, contact_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, v.Visit, kind, v.ArticleID, v.Language, v.ContactID, db.Now())
		if err != nil {
			return fmt.Errorf("count %s of article %d: %w", kind, v.ArticleID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		counted = true
		_, err = tx.ExecContext(ctx, `UPDATE kb_articles SET `+column+` = `+column+` + 1 WHERE id = $1`, v.ArticleID)
		if err != nil {
			return fmt.Errorf("count %s of article %d: %w", kind, v.ArticleID, err)
		}
		return nil
	})
	return counted, err
}

// ForgetVisitViews deletes the record of which articles visits older
// than before viewed; their views stay counted. Deflections are kept: they
// are the report's own record.
func (s *Service) ForgetVisitViews(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM kb_visit_counts WHERE kind = 'view' AND created_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("forget visits: %w", err)
	}
	return res.RowsAffected()
}
