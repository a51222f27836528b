package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/db"
)

// What the customer portal shows: published translations of public
// articles, a plan-limited one only to customers whose company is on one
// of its plans. Anything else answers NotFound, exactly as a missing
// article does.

// PublicFilter selects what a customer's portal lists.
type PublicFilter struct {
	Language string // required: the portal's language
	// Fallback also lists the articles with no translation in Language,
	// each in the first other language it has (English, Russian,
	// Latvian); PublicSummary.Fallback marks them.
	Fallback   bool
	PlanID     *int64 // the plan of the customer's company; nil: none, or a visitor
	CategoryID *int64 // only this category and its sub-categories
	Q          string // search words (a part of the title until the search engine is plugged in)
	Offset     int
	Limit      int // 20 when 0, at most 100
}

// PublicSummary is one article in a portal list.
type PublicSummary struct {
	ArticleID   int64     `json:"article_id"`
	Language    string    `json:"language"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	CategoryID  *int64    `json:"category_id"`
	PublishedAt time.Time `json:"published_at"`
	Snippet     string    `json:"snippet,omitempty"` // the search engine's passage: HTML-escaped, matches in <mark> (see SnippetHTML)
	Excerpt     string    `json:"excerpt,omitempty"` // the beginning of the text, as plain text, when there is no snippet
	// Fallback is set when the article is shown in another language than
	// the one asked for, which it has no translation in.
	Fallback bool `json:"fallback,omitempty"`
}

// PublicArticles lists the articles a customer may read in a language.
func (s *Service) PublicArticles(ctx context.Context, f PublicFilter) ([]PublicSummary, int, error) {
	if err := checkLanguage("language", f.Language); err != nil {
		return nil, 0, err
	}
	q := Query{Text: f.Q, Reader: Reader{PlanID: f.PlanID}, Languages: []string{f.Language},
		CategoryID: f.CategoryID, Offset: f.Offset, Limit: f.Limit}
	var found []Found
	var total int
	var err error
	switch {
	case !f.Fallback:
		found, total, err = s.Search(ctx, q)
	case s.finder != nil && f.Q != "":
		q.Languages = nil
		found, total, err = s.Search(ctx, q)
		found = onePerArticle(found, f.Language)
	default:
		found, total, err = s.bestTranslations(ctx, q, f.Language)
	}
	if err != nil {
		return nil, 0, err
	}
	out := make([]PublicSummary, len(found))
	for i, fd := range found {
		t := fd.Translation
		out[i] = PublicSummary{ArticleID: fd.Article.ID, Language: t.Language, Slug: t.Slug, Title: t.Title,
			CategoryID: fd.Article.CategoryID, PublishedAt: *t.PublishedAt, Snippet: fd.Snippet,
			Fallback: t.Language != f.Language}
		if fd.Snippet == "" {
			out[i].Excerpt = Excerpt(t.Body, excerptLength)
		}
	}
	return out, total, nil
}

// PublicPage is an article's page on the portal.
type PublicPage struct {
	ArticleID   int64         `json:"article_id"`
	Language    string        `json:"language"`
	Slug        string        `json:"slug"`
	Title       string        `json:"title"`
	HTML        template.HTML `json:"html"` // sanitised; its files point at /portal/kb/{slug}/files/{id}
	CategoryID  *int64        `json:"category_id"`
	PublishedAt time.Time     `json:"published_at"`
	// Translations are the article's other languages the reader may read.
	Translations []PublicSummary `json:"translations"`
	// Moved is set when the slug asked for is an old address of the
	// article: Slug is where it is now, and the portal redirects there.
	Moved bool `json:"moved"`
}

// PublicArticle returns the portal page at slug for a customer of plan
// planID (nil: none).
func (s *Service) PublicArticle(ctx context.Context, slug string, planID *int64) (PublicPage, error) {
	id, lang, moved, err := s.bySlug(ctx, slug)
	if err != nil {
		return PublicPage{}, err
	}
	r := Reader{PlanID: planID}
	var w db.Where
	w.Add(`a.id = ` + w.Arg(id))
	visibleTo(&w, r)
	found, err := s.found(ctx, w, false, 0, len(Languages))
	if err != nil {
		return PublicPage{}, err
	}
	var page *PublicPage
	var others []PublicSummary
	for _, f := range found {
		t := f.Translation
		if t.Language != lang {
			others = append(others, PublicSummary{ArticleID: id, Language: t.Language, Slug: t.Slug, Title: t.Title,
				CategoryID: f.Article.CategoryID, PublishedAt: *t.PublishedAt})
			continue
		}
		files, err := s.portalFilesAt(ctx, f.Article, "/portal/kb/"+url.PathEscape(t.Slug)+"/files/")
		if err != nil {
			return PublicPage{}, err
		}
		page = &PublicPage{ArticleID: id, Language: lang, Slug: t.Slug, Title: t.Title, HTML: Render(t.Body, files),
			CategoryID: f.Article.CategoryID, PublishedAt: *t.PublishedAt, Moved: moved}
	}
	if page == nil {
		return PublicPage{}, notPublic(slug)
	}
	page.Translations = orEmpty(others)
	return *page, nil
}

func notPublic(slug string) error { return apperr.NotFoundf("article %q not found", slug) }

// bySlug finds the translation at an address, current or old.
func (s *Service) bySlug(ctx context.Context, slug string) (id int64, lang string, moved bool, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT article_id, language FROM kb_translations WHERE slug = $1`, slug).Scan(&id, &lang)
	if errors.Is(err, sql.ErrNoRows) {
		moved = true
		err = s.db.R.QueryRowContext(ctx, `SELECT article_id, language FROM kb_old_slugs WHERE slug = $1`, slug).Scan(&id, &lang)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, notPublic(slug)
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("find article %q: %w", slug, err)
	}
	return id, lang, moved, nil
}

// PublicCategory is a category with how many articles a customer may read
// in it (its sub-categories' included).
type PublicCategory struct {
	Category
	Articles int `json:"articles"`
}

// PublicCategories returns the categories holding articles a customer of
// plan planID may read in lang, in tree order.
func (s *Service) PublicCategories(ctx context.Context, lang string, planID *int64) ([]PublicCategory, error) {
	return s.publicCategories(ctx, PublicFilter{Language: lang, PlanID: planID})
}

// PublicCategoriesFallback is PublicCategories counting, as PublicArticles
// with Fallback lists them, also the articles lang has no translation of.
func (s *Service) PublicCategoriesFallback(ctx context.Context, lang string, planID *int64) ([]PublicCategory, error) {
	return s.publicCategories(ctx, PublicFilter{Language: lang, PlanID: planID, Fallback: true})
}

func (s *Service) publicCategories(ctx context.Context, f PublicFilter) ([]PublicCategory, error) {
	if err := checkLanguage("language", f.Language); err != nil {
		return nil, err
	}
	var w db.Where
	visibleTo(&w, Reader{PlanID: f.PlanID})
	if !f.Fallback {
		w.Add(`t.language = ` + w.Arg(f.Language))
	}
	w.Add(`a.category_id IS NOT NULL`)
	rows, err := s.db.R.QueryContext(ctx, `SELECT a.category_id, count(DISTINCT a.id) FROM kb_translations t
		JOIN kb_articles a ON a.id = t.article_id`+w.String()+` GROUP BY a.category_id`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("count public articles: %w", err)
	}
	counts := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	all, err := s.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ParentID != nil {
			counts[*c.ParentID] += counts[c.ID]
		}
	}
	out := []PublicCategory{}
	for _, c := range all {
		if counts[c.ID] > 0 {
			out = append(out, PublicCategory{Category: c, Articles: counts[c.ID]})
		}
	}
	return out, nil
}

// PublicFile opens a file of the article at slug for a customer of plan
// planID who may read the article; the caller closes the file.
func (s *Service) PublicFile(ctx context.Context, slug string, planID *int64, fileID int64) (attachment.Attachment, *os.File, error) {
	page, err := s.PublicArticle(ctx, slug, planID)
	if err != nil {
		return attachment.Attachment{}, nil, err
	}
	return s.files.OpenArticleFile(ctx, page.ArticleID, fileID)
}
