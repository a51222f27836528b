package kb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/db"
)

// The search index learns of article changes in the transaction of each
// change. Once the search engine is plugged in (SetIndexer), it is told
// directly and queues the article's indexing on the job queue. Until
// then the changes wait in an outbox table: the job queue fails a job
// whose kind no node handles, so a "kb.article.changed" job cannot be
// enqueued before the search engine registers its handler. An index
// reads the outbox in order (Changes), indexes each article (Documents:
// its published translations, or none once it is gone) and forgets what
// it has done (ForgetChanges). Repeated changes of one article are cheap
// to index twice.

// Indexer hears that an article changed, inside the change's
// transaction q.
type Indexer func(ctx context.Context, q db.Queryer, articleID int64) error

// SetIndexer plugs the search index in: from then on it hears of every
// change instead of the outbox. Call it while wiring, before serving.
func (s *Service) SetIndexer(f Indexer) { s.indexer = f }

// Change is one entry of the outbox: the article changed (ChangeEvent).
type Change struct {
	Seq       int64     `json:"seq"`
	ArticleID int64     `json:"article_id"`
	At        time.Time `json:"at"`
}

const changeSQL = `INSERT INTO kb_changes (article_id, created_at) VALUES ($1, $2)`

// changed records that an article changed, in the change's transaction.
func (s *Service) changed(ctx context.Context, q db.Queryer, articleID int64) error {
	if s.indexer != nil {
		return s.indexer(ctx, q, articleID)
	}
	if _, err := q.ExecContext(ctx, changeSQL, articleID, db.Now()); err != nil {
		return fmt.Errorf("record change of article %d: %w", articleID, err)
	}
	return nil
}

// changedIn records a change of every article a query (selecting ids by
// $1) finds.
func (s *Service) changedIn(ctx context.Context, q db.Queryer, query string, arg any) error {
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return fmt.Errorf("articles changed: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.changed(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// Changes returns up to limit outbox entries after seq, oldest first.
func (s *Service) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, article_id, created_at FROM kb_changes WHERE id > $1
		ORDER BY id LIMIT $2`, after, max(1, min(limit, 1000)))
	if err != nil {
		return nil, fmt.Errorf("article changes: %w", err)
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.ArticleID, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ForgetChanges deletes the outbox entries up to seq, once indexed.
func (s *Service) ForgetChanges(ctx context.Context, upTo int64) error {
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM kb_changes WHERE id <= $1`, upTo); err != nil {
		return fmt.Errorf("forget article changes: %w", err)
	}
	return nil
}

// Document is what the search index keeps of one published translation.
type Document struct {
	ArticleID   int64      `json:"article_id"`
	Language    string     `json:"language"`
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Text        string     `json:"text"` // the body as plain text
	Visibility  Visibility `json:"visibility"`
	PlanLimited bool       `json:"plan_limited"`
	PlanIDs     []int64    `json:"plan_ids"`
	CategoryID  *int64     `json:"category_id"`
	ParentID    *int64     `json:"parent_category_id"` // the category's parent, if it has one
	PublishedAt time.Time  `json:"published_at"`
}

// Documents returns what to index for an article: one document per
// published translation; none when the article is gone or unpublished,
// which tells the index to drop it.
func (s *Service) Documents(ctx context.Context, articleID int64) ([]Document, error) {
	a, err := s.findArticle(ctx, s.db.R, articleID)
	if err != nil {
		if isNotFound(err) {
			return []Document{}, nil
		}
		return nil, err
	}
	var parent *int64
	if a.CategoryID != nil {
		c, err := findCategory(ctx, s.db.R, *a.CategoryID)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		parent = c.ParentID
	}
	out := []Document{}
	for _, t := range a.Translations {
		if t.PublishedAt == nil {
			continue
		}
		out = append(out, Document{ArticleID: a.ID, Language: t.Language, Slug: t.Slug, Title: t.Title,
			Text: PlainText(t.Body, nil), Visibility: a.Visibility, PlanLimited: a.PlanLimited, PlanIDs: a.PlanIDs,
			CategoryID: a.CategoryID, ParentID: parent, PublishedAt: *t.PublishedAt})
	}
	return out, nil
}

// Published is a published translation: its article and language.
type Published struct {
	ArticleID int64
	Language  string
}

// PublishedAfter lists the published translations of up to limit
// articles after the given one, in ascending order of article: a rebuild
// of the index walks them, each article whole.
func (s *Service) PublishedAfter(ctx context.Context, after int64, limit int) ([]Published, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT article_id, language FROM kb_translations
		WHERE published_at IS NOT NULL AND article_id IN (SELECT DISTINCT article_id FROM kb_translations
			WHERE published_at IS NOT NULL AND article_id > $1 ORDER BY article_id LIMIT $2)
		ORDER BY article_id, language`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("published translations: %w", err)
	}
	defer rows.Close()
	var out []Published
	for rows.Next() {
		var p Published
		if err := rows.Scan(&p.ArticleID, &p.Language); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CountPublished says how many published translations there are.
func (s *Service) CountPublished(ctx context.Context) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_translations WHERE published_at IS NOT NULL`).Scan(&n)
	return n, err
}

// Readable returns, of the given articles, the languages of the
// published translations r may read now, by article.
func (s *Service) Readable(ctx context.Context, r Reader, articleIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(articleIDs) == 0 {
		return out, nil
	}
	var w db.Where
	in := make([]string, len(articleIDs))
	for i, id := range articleIDs {
		in[i] = w.Arg(id)
	}
	w.Add(`a.id IN (` + strings.Join(in, ", ") + `)`)
	visibleTo(&w, r)
	rows, err := s.db.R.QueryContext(ctx, `SELECT t.article_id, t.language FROM kb_translations t
		JOIN kb_articles a ON a.id = t.article_id`+w.String(), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("readable articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lang string
		if err := rows.Scan(&id, &lang); err != nil {
			return nil, err
		}
		out[id] = append(out[id], lang)
	}
	return out, rows.Err()
}
