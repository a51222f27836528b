package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Article is one piece of knowledge, in one or more languages. Its
// translations share its id, category, visibility and plans.
type Article struct {
	ID           int64         `json:"id"`
	CategoryID   *int64        `json:"category_id"`
	Visibility   Visibility    `json:"visibility"`
	PlanLimited  bool          `json:"plan_limited"` // shown on the portal only to companies on PlanIDs
	PlanIDs      []int64       `json:"plan_ids"`
	Position     int           `json:"position"`
	Views        int64         `json:"views"`
	Version      int64         `json:"version"` // rises with every change; edits carry the version they were made on
	CreatedBy    *int64        `json:"created_by"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Translations []Translation `json:"translations"`
}

// Translation finds the article's translation in lang.
func (a Article) Translation(lang string) (Translation, bool) {
	for _, t := range a.Translations {
		if t.Language == lang {
			return t, true
		}
	}
	return Translation{}, false
}

// Pick returns the published translation to show a reader who prefers
// the languages given, in order; else the first published one.
func (a Article) Pick(prefer ...string) (Translation, bool) {
	for _, l := range append(prefer, Languages...) {
		if t, ok := a.Translation(l); ok && t.PublishedAt != nil {
			return t, true
		}
	}
	return Translation{}, false
}

// Title is the article's title for an editor who reads lang: the working
// text of that translation, or of the first there is.
func (a Article) Title(lang string) string {
	if t, ok := a.Translation(lang); ok {
		return t.WorkingTitle()
	}
	if len(a.Translations) > 0 {
		return a.Translations[0].WorkingTitle()
	}
	return ""
}

// Translation is an article in one language: the published text, and a
// pending draft of its next version when HasDraft. A translation never
// published has only a draft.
type Translation struct {
	Language    string     `json:"language"`
	Slug        string     `json:"slug"`
	Title       string     `json:"title"` // published; "" until published
	Body        string     `json:"body"`  // published Markdown
	PublishedAt *time.Time `json:"published_at"`
	PublishedBy *int64     `json:"published_by"`
	HasDraft    bool       `json:"has_draft"`
	DraftTitle  string     `json:"draft_title"`
	DraftBody   string     `json:"draft_body"`
	UpdatedBy   *int64     `json:"updated_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// States of a translation.
const (
	StateDraft     = "draft"     // never published, or taken off
	StatePublished = "published" // published, no pending change
	StateChanged   = "changed"   // published, with a draft of changes
)

// State is where the translation is in its life.
func (t Translation) State() string {
	switch {
	case t.PublishedAt == nil:
		return StateDraft
	case t.HasDraft:
		return StateChanged
	}
	return StatePublished
}

// WorkingTitle is the title an editor works on: the draft's, else the
// published one.
func (t Translation) WorkingTitle() string {
	if t.HasDraft {
		return t.DraftTitle
	}
	return t.Title
}

// WorkingBody is the body an editor works on.
func (t Translation) WorkingBody() string {
	if t.HasDraft {
		return t.DraftBody
	}
	return t.Body
}

// Settings are what an article's translations share.
type Settings struct {
	CategoryID  *int64     `json:"category_id"`
	Visibility  Visibility `json:"visibility"`
	PlanLimited bool       `json:"plan_limited"`
	PlanIDs     []int64    `json:"plan_ids"`
	Position    int        `json:"position"`
}

func (st *Settings) normalize(ctx context.Context, q db.Queryer) error {
	if st.Visibility == "" {
		st.Visibility = Internal
	}
	if !st.Visibility.Valid() {
		return apperr.Field("visibility", "must be internal or public")
	}
	st.PlanIDs = slices.Compact(slices.Sorted(slices.Values(st.PlanIDs)))
	if len(st.PlanIDs) > 0 {
		st.PlanLimited = true
	}
	if st.PlanLimited && len(st.PlanIDs) == 0 {
		return apperr.Field("plan_ids", "choose the plans the article is for, or do not limit it")
	}
	if st.CategoryID != nil {
		if _, err := findCategory(ctx, q, *st.CategoryID); apperr.Is(err, apperr.NotFound) {
			return apperr.Field("category_id", "category %d does not exist", *st.CategoryID)
		} else if err != nil {
			return err
		}
	}
	for _, id := range st.PlanIDs {
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM plans WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("plan_ids", "plan %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("check plan %d: %w", id, err)
		}
	}
	return nil
}

// NewArticle is an article to create with its first translation, as a
// draft.
type NewArticle struct {
	Settings
	Draft
}

// CreateArticle creates an article with one draft translation.
func (s *Service) CreateArticle(ctx context.Context, p auth.Principal, in NewArticle) (Article, error) {
	if err := canEdit(p); err != nil {
		return Article{}, err
	}
	if err := in.Draft.normalize(); err != nil {
		return Article{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := in.Settings.normalize(ctx, tx); err != nil {
			return err
		}
		now := db.Now()
		err := tx.QueryRowContext(ctx, `
			INSERT INTO kb_articles (category_id, visibility, plan_limited, position, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, in.CategoryID, in.Visibility, in.PlanLimited, in.Position,
			agentRef(p), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("create article: %w", err)
		}
		if err := setPlans(ctx, tx, id, in.PlanIDs); err != nil {
			return err
		}
		if err := s.insertTranslation(ctx, tx, p, id, in.Draft, now); err != nil {
			return err
		}
		return s.changed(ctx, tx, id)
	})
	if err != nil {
		return Article{}, err
	}
	return s.FindArticle(ctx, id)
}

func setPlans(ctx context.Context, tx *sql.Tx, id int64, plans []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_article_plans WHERE article_id = $1`, id); err != nil {
		return fmt.Errorf("set plans of article %d: %w", id, err)
	}
	for _, plan := range plans {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_article_plans (article_id, plan_id) VALUES ($1, $2)`, id, plan); err != nil {
			return fmt.Errorf("set plans of article %d: %w", id, err)
		}
	}
	return nil
}

// UpdateSettings changes what an article's translations share, if the
// article is still at version; the change is in the revision history.
func (s *Service) UpdateSettings(ctx context.Context, p auth.Principal, id, version int64, st Settings) (Article, error) {
	if err := canEdit(p); err != nil {
		return Article{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockArticle(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := st.normalize(ctx, tx); err != nil {
			return err
		}
		changes := settingsChanges(a, st)
		if len(changes) == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE kb_articles SET category_id = $2, visibility = $3, plan_limited = $4,
			position = $5 WHERE id = $1`, id, st.CategoryID, st.Visibility, st.PlanLimited, st.Position)
		if err != nil {
			return fmt.Errorf("update article %d: %w", id, err)
		}
		if err := setPlans(ctx, tx, id, st.PlanIDs); err != nil {
			return err
		}
		return s.touch(ctx, tx, p, id, revision{Action: ActionSettings, Changes: changes})
	})
	if err != nil {
		return Article{}, err
	}
	return s.FindArticle(ctx, id)
}

// settingsChanges lists what changes between a's settings and st.
func settingsChanges(a Article, st Settings) []SettingChange {
	var out []SettingChange
	add := func(field, from, to string) {
		if from != to {
			out = append(out, SettingChange{Field: field, From: from, To: to})
		}
	}
	add("visibility", string(a.Visibility), string(st.Visibility))
	add("category_id", idText(a.CategoryID), idText(st.CategoryID))
	add("plan_ids", plansText(a.PlanLimited, a.PlanIDs), plansText(st.PlanLimited, st.PlanIDs))
	add("position", strconv.Itoa(a.Position), strconv.Itoa(st.Position))
	return out
}

func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return itoa(*id)
}

// plansText is "" for an article for every plan, else its plans' ids.
func plansText(limited bool, ids []int64) string {
	if !limited {
		return ""
	}
	if len(ids) == 0 {
		return "-"
	}
	return idList(ids)
}

// DeleteArticle deletes an article with its translations, revisions,
// files and usage.
func (s *Service) DeleteArticle(ctx context.Context, p auth.Principal, id int64) error {
	if err := canEdit(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM kb_articles WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete article %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("article %d not found", id)
		}
		return s.changed(ctx, tx, id)
	})
}

// lockArticle loads an article for a change, refusing a stale version.
func (s *Service) lockArticle(ctx context.Context, tx *sql.Tx, id, version int64) (Article, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET version = version WHERE id = $1`, id); err != nil {
		return Article{}, fmt.Errorf("lock article %d: %w", id, err)
	}
	a, err := s.findArticle(ctx, tx, id)
	if err != nil {
		return Article{}, err
	}
	if version != 0 && a.Version != version {
		return Article{}, &apperr.Error{Code: apperr.Conflict, Field: "version", Message: fmt.Sprintf(
			"the article was changed by someone else meanwhile (now version %d, yours %d); reload it", a.Version, version)}
	}
	return a, nil
}

// touch bumps an article's version, writes its revision and tells the
// search index.
func (s *Service) touch(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, r revision) error {
	now := db.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET version = version + 1, updated_at = $2 WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("touch article %d: %w", id, err)
	}
	if err := writeRevision(ctx, tx, p, id, r, now); err != nil {
		return err
	}
	return s.changed(ctx, tx, id)
}

func agentRef(p auth.Principal) *int64 {
	if p.AgentID <= 0 {
		return nil
	}
	id := p.AgentID
	return &id
}

func isNotFound(err error) bool { return apperr.Is(err, apperr.NotFound) }
