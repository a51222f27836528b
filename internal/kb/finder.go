package kb

import (
	"context"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Finder is the search engine's part of the knowledge base: full-text
// search over published translations, and the articles most like a text
// (a ticket's subject, description and comments) for suggestions. The
// search engine implements it; SetFinder plugs it in. Hits name articles
// and languages only: the knowledge base loads them and applies the
// reader's visibility again, so a stale index never shows an article
// someone may not read.
type Finder interface {
	// FindArticles returns the hits for q.Text, best first, and how many
	// there are in all.
	FindArticles(ctx context.Context, q Query) ([]Hit, int, error)
	// SimilarArticles returns up to q.Limit articles closest to text, best
	// first; q.Text is unused.
	SimilarArticles(ctx context.Context, text string, q Query) ([]Hit, error)
}

// Query is a search of the knowledge base.
type Query struct {
	Text       string
	Reader     Reader
	Languages  []string // only these translations; empty: any
	CategoryID *int64   // only articles in this category or its sub-categories
	Offset     int
	Limit      int // 20 when 0, at most 100
}

// Reader is who reads: an agent sees every published translation; a
// customer (Agent false) only public ones, and plan-limited ones only when
// PlanID, their company's plan, is among the article's plans.
type Reader struct {
	Agent  bool
	PlanID *int64
}

// Hit is one search result.
type Hit struct {
	ArticleID int64
	Language  string
	Score     float64
	Snippet   string // the matching passage, HTML-escaped, matches in <mark>
}

// Found is a published translation a search found, with its article.
type Found struct {
	Article     Article
	Translation Translation
	Snippet     string
}

// SetFinder plugs the search engine in. Until it is, Search matches
// titles only. Call it while wiring, before serving.
func (s *Service) SetFinder(f Finder) { s.finder = f }

// HasFinder reports whether full-text search and suggestions are
// available.
func (s *Service) HasFinder() bool { return s.finder != nil }

// Search finds published translations q's reader may see: by full text
// when the search engine is plugged in, else those whose title contains
// q.Text (case-insensitively), by category position; an empty q.Text
// lists them all.
func (s *Service) Search(ctx context.Context, q Query) ([]Found, int, error) {
	q.Limit = limit(q.Limit)
	if s.finder != nil && q.Text != "" {
		hits, total, err := s.finder.FindArticles(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		found, err := s.hydrate(ctx, q.Reader, hits)
		return found, total, err
	}
	return s.titleMatch(ctx, q)
}

// Suggest returns the published articles most like a ticket's text, for
// the reader. It needs the search engine.
func (s *Service) Suggest(ctx context.Context, text string, q Query) ([]Found, error) {
	if s.finder == nil {
		return nil, apperr.Errorf(apperr.Conflict, "suggestions need the search engine, which is not available")
	}
	q.Limit = limit(q.Limit)
	hits, err := s.finder.SimilarArticles(ctx, text, q)
	if err != nil {
		return nil, err
	}
	return s.hydrate(ctx, q.Reader, hits)
}

func limit(n int) int {
	if n <= 0 {
		return 20
	}
	return min(n, 100)
}

// hydrate loads the hits' translations in one query, keeping the order
// and dropping any the reader may not see (now).
func (s *Service) hydrate(ctx context.Context, r Reader, hits []Hit) ([]Found, error) {
	out := []Found{}
	if len(hits) == 0 {
		return out, nil
	}
	var w db.Where
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = w.Arg(h.ArticleID)
	}
	w.Add(`a.id IN (` + strings.Join(ids, ", ") + `)`)
	visibleTo(&w, r)
	list, err := s.found(ctx, w, false, 0, len(hits)*len(Languages))
	if err != nil {
		return nil, err
	}
	type key struct {
		id   int64
		lang string
	}
	byKey := make(map[key]Found, len(list))
	for _, f := range list {
		byKey[key{f.Article.ID, f.Translation.Language}] = f
	}
	for _, h := range hits {
		if f, ok := byKey[key{h.ArticleID, h.Language}]; ok {
			f.Snippet = h.Snippet
			out = append(out, f)
		}
	}
	return out, nil
}

// titleMatch is the search used until the search engine is plugged in.
func (s *Service) titleMatch(ctx context.Context, q Query) ([]Found, int, error) {
	var w db.Where
	visibleTo(&w, q.Reader)
	if q.Text != "" {
		w.Add(`t.title_key LIKE ` + w.Arg(likeContains(titleKey(q.Text))) + ` ESCAPE '\'`)
	}
	if len(q.Languages) > 0 {
		in := ""
		for i, l := range q.Languages {
			if i > 0 {
				in += ", "
			}
			in += w.Arg(l)
		}
		w.Add(`t.language IN (` + in + `)`)
	}
	inCategory(&w, q.CategoryID)
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id`+
		w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := s.found(ctx, w, len(q.Languages) == 1, q.Offset, q.Limit)
	return list, total, err
}

// visibleTo limits a query of translations t of articles a to the
// published ones r may read.
func visibleTo(w *db.Where, r Reader) {
	w.Add(`t.published_at IS NOT NULL`)
	if r.Agent {
		return
	}
	w.Add(`a.visibility = 'public'`)
	if r.PlanID == nil {
		w.Add(`NOT a.plan_limited`)
		return
	}
	w.Add(`(NOT a.plan_limited OR EXISTS (SELECT 1 FROM kb_article_plans ap WHERE ap.article_id = a.id AND ap.plan_id = ` +
		w.Arg(*r.PlanID) + `))`)
}

// inCategory limits articles a to a category and its sub-categories.
func inCategory(w *db.Where, id *int64) {
	if id == nil {
		return
	}
	p := w.Arg(*id)
	w.Add(`(a.category_id = ` + p + ` OR a.category_id IN (SELECT c.id FROM kb_categories c WHERE c.parent_id = ` + p + `))`)
}

// found runs a page of a translation query, with each translation's
// article, in the articles' order; a query of one language (oneLang)
// needs no order among an article's translations, which lets the
// database walk the articles' index instead of sorting.
func (s *Service) found(ctx context.Context, w db.Where, oneLang bool, offset, lim int) ([]Found, error) {
	order := ` ORDER BY a.position, a.id, ` + languageOrder
	if oneLang {
		order = ` ORDER BY a.position, a.id`
	}
	query := `SELECT ` + translationColumns + ` FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id` + w.String() +
		order + ` LIMIT ` + w.Arg(lim) + ` OFFSET ` + w.Arg(offset)
	rows, err := s.db.R.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, err
	}
	type pair struct {
		id int64
		t  Translation
	}
	var pairs []pair
	for rows.Next() {
		id, t, err := scanTranslation(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		pairs = append(pairs, pair{id, t})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(pairs))
	for i, p := range pairs {
		ids[i] = p.id
	}
	articles, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Found, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, Found{Article: articles[p.id], Translation: p.t})
	}
	return out, nil
}
