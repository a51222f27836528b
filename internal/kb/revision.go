package kb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Actions a revision records.
const (
	ActionNone        = ""
	ActionCreated     = "created"     // a translation was added, as a draft
	ActionDraft       = "draft"       // its draft was saved
	ActionPublished   = "published"   // its draft became the published text
	ActionUnpublished = "unpublished" // it was taken off
	ActionDiscarded   = "discarded"   // a pending draft was dropped
	ActionRestored    = "restored"    // an old revision became the draft again
	ActionDeleted     = "deleted"     // the translation was removed
	ActionSettings    = "settings"    // visibility, category, plans, position, address or files changed (Changes says how)
)

// SettingChange is one setting a revision changed. Field is visibility,
// category_id, plan_ids ("" for every plan), position, slug, file_added or
// file_removed; From and To are the values, ids as numbers.
type SettingChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Revision is one entry of an article's history: who did what, when, and
// the text of the translation as it was then.
type Revision struct {
	ID           int64           `json:"id"`
	ArticleID    int64           `json:"article_id"`
	Language     string          `json:"language"` // "" for a change of the shared settings
	Action       string          `json:"action"`
	Title        string          `json:"title"`
	Body         string          `json:"body"`
	Changes      []SettingChange `json:"changes"`
	RestoredFrom *int64          `json:"restored_from"`
	AgentID      *int64          `json:"agent_id"`
	AgentName    string          `json:"agent_name"`
	CreatedAt    time.Time       `json:"created_at"`
}

// HasText reports whether the revision holds a translation's text.
func (r Revision) HasText() bool {
	return r.Language != "" && r.Action != ActionSettings
}

// revision is a history entry being written.
type revision struct {
	Action, Language, Title, Body string
	Changes                       []SettingChange
	RestoredFrom                  *int64
}

func writeRevision(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, r revision, at time.Time) error {
	if r.Action == ActionNone {
		return nil
	}
	note := ""
	if len(r.Changes) > 0 {
		b, _ := json.Marshal(r.Changes)
		note = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_revisions (article_id, language, action, title, body, note, restored_from,
		agent_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, r.Language, r.Action, r.Title, r.Body, note, r.RestoredFrom, agentRef(p), at)
	if err != nil {
		return fmt.Errorf("record revision of article %d: %w", id, err)
	}
	return nil
}

const revisionColumns = `r.id, r.article_id, r.language, r.action, r.title, r.body, r.note, r.restored_from, r.agent_id,
	COALESCE(a.name, ''), r.created_at FROM kb_revisions r LEFT JOIN agents a ON a.id = r.agent_id`

func scanRevision(row db.Scanner) (Revision, error) {
	var r Revision
	var note string
	err := row.Scan(&r.ID, &r.ArticleID, &r.Language, &r.Action, &r.Title, &r.Body, &note, &r.RestoredFrom,
		&r.AgentID, &r.AgentName, &r.CreatedAt)
	r.Changes = []SettingChange{}
	if note != "" {
		json.Unmarshal([]byte(note), &r.Changes)
	}
	return r, err
}

// Revisions returns an article's history, newest first.
func (s *Service) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	if _, err := s.FindArticle(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+revisionColumns+` WHERE r.article_id = $1 ORDER BY r.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("revisions of article %d: %w", id, err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRevision returns one revision of an article.
func (s *Service) FindRevision(ctx context.Context, id, revisionID int64) (Revision, error) {
	return findRevision(ctx, s.db.R, id, revisionID)
}

func findRevision(ctx context.Context, q db.Queryer, id, revisionID int64) (Revision, error) {
	r, err := scanRevision(q.QueryRowContext(ctx, `SELECT `+revisionColumns+` WHERE r.id = $1 AND r.article_id = $2`,
		revisionID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Revision{}, apperr.NotFoundf("revision %d of article %d not found", revisionID, id)
	}
	if err != nil {
		return Revision{}, fmt.Errorf("find revision %d: %w", revisionID, err)
	}
	return r, nil
}

// PreviousText returns the text of the translation just before a
// revision: the newest earlier revision with text in its language, for a
// diff. ok is false for the first one.
func (s *Service) PreviousText(ctx context.Context, r Revision) (Revision, bool, error) {
	prev, err := scanRevision(s.db.R.QueryRowContext(ctx, `SELECT `+revisionColumns+`
		WHERE r.article_id = $1 AND r.language = $2 AND r.id < $3 AND r.action <> $4
		ORDER BY r.id DESC LIMIT 1`, r.ArticleID, r.Language, r.ID, ActionSettings))
	if errors.Is(err, sql.ErrNoRows) {
		return Revision{}, false, nil
	}
	if err != nil {
		return Revision{}, false, fmt.Errorf("revision before %d: %w", r.ID, err)
	}
	return prev, true, nil
}

// Restore makes an old revision's text the draft of its translation again,
// exactly as it was; the translation is added back if it was deleted.
// The published text changes only when the draft is published.
func (s *Service) Restore(ctx context.Context, p auth.Principal, id, version, revisionID int64) (Article, error) {
	if err := canEdit(p); err != nil {
		return Article{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockArticle(ctx, tx, id, version)
		if err != nil {
			return err
		}
		r, err := findRevision(ctx, tx, id, revisionID)
		if err != nil {
			return err
		}
		if !r.HasText() {
			return apperr.Errorf(apperr.Conflict, "revision %d changed settings only; there is no text to restore", revisionID)
		}
		if err := s.restoreText(ctx, tx, p, a, r); err != nil {
			return err
		}
		return s.touch(ctx, tx, p, id, revision{Action: ActionRestored, Language: r.Language, Title: r.Title, Body: r.Body,
			RestoredFrom: &r.ID})
	})
	if err != nil {
		return Article{}, err
	}
	return s.FindArticle(ctx, id)
}

func (s *Service) restoreText(ctx context.Context, tx *sql.Tx, p auth.Principal, a Article, r Revision) error {
	t, ok := a.Translation(r.Language)
	if !ok {
		slug, err := uniqueSlug(ctx, tx, Slugify(r.Title))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO kb_translations (article_id, language, slug, has_draft, draft_title, draft_body,
			draft_key, updated_by, updated_at) VALUES ($1, $2, $3, TRUE, $4, $5, $6, $7, $8)`,
			a.ID, r.Language, slug, r.Title, r.Body, titleKey(r.Title), agentRef(p), db.Now())
		return err
	}
	same := t.PublishedAt != nil && t.Title == r.Title && t.Body == r.Body
	title, body := r.Title, r.Body
	if same {
		title, body = "", ""
	}
	_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET has_draft = $3, draft_title = $4, draft_body = $5, draft_key = $6,
		updated_by = $7, updated_at = $8 WHERE article_id = $1 AND language = $2`,
		a.ID, r.Language, !same, title, body, titleKey(title), agentRef(p), db.Now())
	return err
}
