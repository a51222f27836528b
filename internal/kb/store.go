package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

const articleColumns = `a.id, a.category_id, a.visibility, a.plan_limited, a.position, a.views, a.version,
	a.created_by, a.created_at, a.updated_at`

func scanArticle(row db.Scanner) (Article, error) {
	var a Article
	err := row.Scan(&a.ID, &a.CategoryID, &a.Visibility, &a.PlanLimited, &a.Position, &a.Views, &a.Version,
		&a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

const translationColumns = `t.article_id, t.language, t.slug, t.title, t.body, t.published_at, t.published_by,
	t.has_draft, t.draft_title, t.draft_body, t.updated_by, t.updated_at`

func scanTranslation(row db.Scanner) (int64, Translation, error) {
	var id int64
	var t Translation
	err := row.Scan(&id, &t.Language, &t.Slug, &t.Title, &t.Body, &t.PublishedAt, &t.PublishedBy,
		&t.HasDraft, &t.DraftTitle, &t.DraftBody, &t.UpdatedBy, &t.UpdatedAt)
	t.PublishedAt = optionalTime(t.PublishedAt)
	return id, t, err
}

// FindArticle returns an article with every translation, drafts
// included: what an editor or an agent may see.
func (s *Service) FindArticle(ctx context.Context, id int64) (Article, error) {
	return s.findArticle(ctx, s.db.R, id)
}

func (s *Service) findArticle(ctx context.Context, q db.Queryer, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM kb_articles a WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, apperr.NotFoundf("article %d not found", id)
	}
	if err != nil {
		return Article{}, fmt.Errorf("find article %d: %w", id, err)
	}
	list := []*Article{&a}
	if err := withTranslations(ctx, q, list); err != nil {
		return Article{}, err
	}
	return a, withPlans(ctx, q, list)
}

// languageOrder sorts translations in the order of Languages.
const languageOrder = `CASE t.language WHEN 'en' THEN 1 WHEN 'ru' THEN 2 ELSE 3 END`

func withTranslations(ctx context.Context, q db.Queryer, list []*Article) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*Article{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
		a.Translations = []Translation{}
	}
	in, args := db.In(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT `+translationColumns+` FROM kb_translations t
		WHERE t.article_id IN (`+in+`) ORDER BY t.article_id, `+languageOrder, args...)
	if err != nil {
		return fmt.Errorf("translations of articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		id, t, err := scanTranslation(rows)
		if err != nil {
			return fmt.Errorf("translations of articles: %w", err)
		}
		byID[id].Translations = append(byID[id].Translations, t)
	}
	return rows.Err()
}

func withPlans(ctx context.Context, q db.Queryer, list []*Article) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*Article{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
		a.PlanIDs = []int64{}
	}
	in, args := db.In(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT article_id, plan_id FROM kb_article_plans WHERE article_id IN (`+in+`)
		ORDER BY article_id, plan_id`, args...)
	if err != nil {
		return fmt.Errorf("plans of articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, plan int64
		if err := rows.Scan(&id, &plan); err != nil {
			return err
		}
		byID[id].PlanIDs = append(byID[id].PlanIDs, plan)
	}
	return rows.Err()
}

// Filter selects articles for editors and agents.
type Filter struct {
	CategoryID    *int64     // nil: any
	Uncategorised bool       // only articles in no category
	Visibility    Visibility // "": both
	Q             string     // a case-insensitive part of a title (published or draft)
	Published     bool       // only articles with a published translation
	Offset        int
	Limit         int // 25 when 0, at most 500
}

// FindArticles returns a page of articles, by category position and id,
// and how many match.
func (s *Service) FindArticles(ctx context.Context, f Filter) ([]Article, int, error) {
	var w db.Where
	inCategory(&w, f.CategoryID)
	if f.Uncategorised {
		w.Add(`a.category_id IS NULL`)
	}
	if f.Visibility != "" {
		w.Add(`a.visibility = ` + w.Arg(string(f.Visibility)))
	}
	switch {
	case f.Published && f.Q != "":
		w.Add(`EXISTS (SELECT 1 FROM kb_translations t WHERE t.article_id = a.id AND t.published_at IS NOT NULL
			AND t.title_key LIKE ` + w.Arg(likeContains(titleKey(f.Q))) + ` ESCAPE '\')`)
	case f.Published:
		w.Add(`EXISTS (SELECT 1 FROM kb_translations t WHERE t.article_id = a.id AND t.published_at IS NOT NULL)`)
	case f.Q != "":
		p := w.Arg(likeContains(titleKey(f.Q)))
		w.Add(`EXISTS (SELECT 1 FROM kb_translations t WHERE t.article_id = a.id AND (t.title_key LIKE ` + p +
			` ESCAPE '\' OR t.draft_key LIKE ` + p + ` ESCAPE '\'))`)
	}
	list, total, err := db.FindPage(ctx, s.db.R, articleColumns, "kb_articles a", "a.position, a.id", w, f.Offset, f.Limit, scanArticle)
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Article, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	if err := withTranslations(ctx, s.db.R, ptrs); err != nil {
		return nil, 0, err
	}
	return list, total, withPlans(ctx, s.db.R, ptrs)
}

// articlesByID loads articles with their translations and plans.
func (s *Service) articlesByID(ctx context.Context, ids []int64) (map[int64]Article, error) {
	out := map[int64]Article{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := db.In(ids, 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+articleColumns+` FROM kb_articles a WHERE a.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	var list []*Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, &a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := withTranslations(ctx, s.db.R, list); err != nil {
		return nil, err
	}
	if err := withPlans(ctx, s.db.R, list); err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = *a
	}
	return out, nil
}
