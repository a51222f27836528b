package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Draft is the text of a translation as an editor saves it.
type Draft struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Body     string `json:"body"` // Markdown
	Slug     string `json:"slug"` // "" keeps the slug, or makes one from the title
}

func (d *Draft) normalize() (err error) {
	if err := checkLanguage("language", d.Language); err != nil {
		return err
	}
	if d.Title, err = cleanText("title", d.Title, true, maxTitle); err != nil {
		return err
	}
	// Browsers send text areas with CRLF; the text is kept as typed
	// otherwise, so a revision restores exactly.
	d.Body = strings.ReplaceAll(d.Body, "\r\n", "\n")
	if d.Body, err = cleanText("body", d.Body, false, maxBody); err != nil {
		return err
	}
	d.Slug = strings.TrimSpace(d.Slug)
	if d.Slug != "" {
		return checkSlug(d.Slug)
	}
	return nil
}

func (s *Service) insertTranslation(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, d Draft, now time.Time) error {
	slug := d.Slug
	if slug == "" {
		var err error
		if slug, err = uniqueSlug(ctx, tx, Slugify(d.Title)); err != nil {
			return err
		}
	} else if err := slugFree(ctx, tx, slug, id, d.Language); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO kb_translations (article_id, language, slug, has_draft, draft_title, draft_body, draft_key, updated_by, updated_at)
		VALUES ($1, $2, $3, TRUE, $4, $5, $6, $7, $8)`, id, d.Language, slug, d.Title, d.Body, titleKey(d.Title), agentRef(p), now)
	if db.IsUniqueViolation(err) {
		return apperr.Field("slug", "the address %q is taken by another article", slug)
	}
	if err != nil {
		return fmt.Errorf("add translation %s of article %d: %w", d.Language, id, err)
	}
	return writeRevision(ctx, tx, p, id, revision{Action: ActionCreated, Language: d.Language, Title: d.Title, Body: d.Body}, now)
}

// SaveDraft saves the draft of one translation, adding the translation
// when the article has none in that language yet. A published text stays
// as it is until the draft is published. version 0 skips the check that
// nobody changed the article meanwhile.
func (s *Service) SaveDraft(ctx context.Context, p auth.Principal, id, version int64, d Draft) (Article, error) {
	if err := canEdit(p); err != nil {
		return Article{}, err
	}
	if err := d.normalize(); err != nil {
		return Article{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockArticle(ctx, tx, id, version)
		if err != nil {
			return err
		}
		t, ok := a.Translation(d.Language)
		if !ok {
			if err := s.insertTranslation(ctx, tx, p, id, d, db.Now()); err != nil {
				return err
			}
			return s.touch(ctx, tx, p, id, revision{Action: ActionNone})
		}
		return s.saveDraft(ctx, tx, p, id, t, d)
	})
	if err != nil {
		return Article{}, err
	}
	return s.FindArticle(ctx, id)
}

func (s *Service) saveDraft(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, t Translation, d Draft) error {
	moved := d.Slug != "" && d.Slug != t.Slug
	edited := d.Title != t.WorkingTitle() || d.Body != t.WorkingBody()
	if !moved && !edited {
		return nil
	}
	if moved {
		if err := setSlug(ctx, tx, id, t, d.Slug); err != nil {
			return err
		}
		r := revision{Action: ActionSettings, Language: t.Language, Changes: []SettingChange{{Field: "slug", From: t.Slug, To: d.Slug}}}
		if !edited {
			return s.touch(ctx, tx, p, id, r)
		}
		if err := writeRevision(ctx, tx, p, id, r, db.Now()); err != nil {
			return err
		}
	}
	// A draft edited back to the published text is no pending change.
	title, body := d.Title, d.Body
	same := t.PublishedAt != nil && title == t.Title && body == t.Body
	if same {
		title, body = "", ""
	}
	_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET has_draft = $3, draft_title = $4, draft_body = $5, draft_key = $6,
		updated_by = $7, updated_at = $8 WHERE article_id = $1 AND language = $2`,
		id, t.Language, !same, title, body, titleKey(title), agentRef(p), db.Now())
	if err != nil {
		return fmt.Errorf("save draft %s of article %d: %w", t.Language, id, err)
	}
	return s.touch(ctx, tx, p, id, revision{Action: ActionDraft, Language: t.Language, Title: d.Title, Body: d.Body})
}

// Publish makes a translation's draft its published text.
func (s *Service) Publish(ctx context.Context, p auth.Principal, id, version int64, lang string) (Article, error) {
	return s.translationChange(ctx, p, id, version, lang, func(tx *sql.Tx, t Translation) (revision, error) {
		if !t.HasDraft {
			return revision{}, apperr.Errorf(apperr.Conflict, "the %s translation has no changes to publish", lang)
		}
		now := db.Now()
		_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET title = draft_title, body = draft_body, title_key = draft_key,
			published_at = $3, published_by = $4, has_draft = FALSE, draft_title = '', draft_body = '', draft_key = '',
			updated_by = $4, updated_at = $3 WHERE article_id = $1 AND language = $2`, id, lang, now, agentRef(p))
		return revision{Action: ActionPublished, Language: lang, Title: t.DraftTitle, Body: t.DraftBody}, err
	})
}

// Unpublish takes a translation off the portal and the agents' lists; its
// text stays as the draft (a pending draft is kept instead).
func (s *Service) Unpublish(ctx context.Context, p auth.Principal, id, version int64, lang string) (Article, error) {
	return s.translationChange(ctx, p, id, version, lang, func(tx *sql.Tx, t Translation) (revision, error) {
		if t.PublishedAt == nil {
			return revision{}, apperr.Errorf(apperr.Conflict, "the %s translation is not published", lang)
		}
		title, body := t.WorkingTitle(), t.WorkingBody()
		_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET title = '', body = '', title_key = '', published_at = NULL,
			published_by = NULL, has_draft = TRUE, draft_title = $3, draft_body = $4, draft_key = $5, updated_by = $6, updated_at = $7
			WHERE article_id = $1 AND language = $2`, id, lang, title, body, titleKey(title), agentRef(p), db.Now())
		return revision{Action: ActionUnpublished, Language: lang, Title: title, Body: body}, err
	})
}

// DiscardDraft drops the pending changes of a published translation.
func (s *Service) DiscardDraft(ctx context.Context, p auth.Principal, id, version int64, lang string) (Article, error) {
	return s.translationChange(ctx, p, id, version, lang, func(tx *sql.Tx, t Translation) (revision, error) {
		if t.PublishedAt == nil {
			return revision{}, apperr.Errorf(apperr.Conflict, "the %s translation was never published; delete it instead", lang)
		}
		if !t.HasDraft {
			return revision{}, apperr.Errorf(apperr.Conflict, "the %s translation has no changes to discard", lang)
		}
		_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET has_draft = FALSE, draft_title = '', draft_body = '',
			draft_key = '', updated_by = $3, updated_at = $4 WHERE article_id = $1 AND language = $2`, id, lang, agentRef(p), db.Now())
		return revision{Action: ActionDiscarded, Language: lang, Title: t.DraftTitle, Body: t.DraftBody}, err
	})
}

// DeleteTranslation removes one translation; the last one stays (delete
// the article instead). Its text remains in the revision history.
func (s *Service) DeleteTranslation(ctx context.Context, p auth.Principal, id, version int64, lang string) (Article, error) {
	return s.translationChange(ctx, p, id, version, lang, func(tx *sql.Tx, t Translation) (revision, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kb_translations WHERE article_id = $1`, id).Scan(&n); err != nil {
			return revision{}, err
		}
		if n == 1 {
			return revision{}, apperr.Errorf(apperr.Conflict, "this is the article's only translation; delete the article instead")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kb_old_slugs WHERE article_id = $1 AND language = $2`, id, lang); err != nil {
			return revision{}, err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM kb_translations WHERE article_id = $1 AND language = $2`, id, lang)
		return revision{Action: ActionDeleted, Language: lang, Title: t.WorkingTitle(), Body: t.WorkingBody()}, err
	})
}

// translationChange runs one change of an existing translation under the
// article's lock and records its revision.
func (s *Service) translationChange(ctx context.Context, p auth.Principal, id, version int64, lang string,
	fn func(tx *sql.Tx, t Translation) (revision, error)) (Article, error) {
	if err := canEdit(p); err != nil {
		return Article{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockArticle(ctx, tx, id, version)
		if err != nil {
			return err
		}
		t, ok := a.Translation(lang)
		if !ok {
			return apperr.NotFoundf("article %d has no %q translation", id, lang)
		}
		r, err := fn(tx, t)
		if err != nil {
			return err
		}
		return s.touch(ctx, tx, p, id, r)
	})
	if err != nil {
		return Article{}, err
	}
	return s.FindArticle(ctx, id)
}

// setSlug gives a translation a new address; a published one keeps its
// old address as a redirect.
func setSlug(ctx context.Context, tx *sql.Tx, id int64, t Translation, slug string) error {
	if err := slugFree(ctx, tx, slug, id, t.Language); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_old_slugs WHERE slug = $1`, slug); err != nil {
		return err
	}
	if t.PublishedAt != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_old_slugs (slug, article_id, language) VALUES ($1, $2, $3)`,
			t.Slug, id, t.Language); err != nil {
			return fmt.Errorf("keep old address %s: %w", t.Slug, err)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE kb_translations SET slug = $3 WHERE article_id = $1 AND language = $2`, id, t.Language, slug)
	if db.IsUniqueViolation(err) {
		return apperr.Field("slug", "the address %q is taken by another article", slug)
	}
	return err
}

// slugFree checks that no other translation has or had the address.
func slugFree(ctx context.Context, q db.Queryer, slug string, id int64, lang string) error {
	var owner int64
	var ownerLang string
	err := q.QueryRowContext(ctx, `SELECT article_id, language FROM kb_translations WHERE slug = $1
		UNION ALL SELECT article_id, language FROM kb_old_slugs WHERE slug = $1`, slug).Scan(&owner, &ownerLang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check address %s: %w", slug, err)
	}
	if owner == id && ownerLang == lang {
		return nil
	}
	return apperr.Field("slug", "the address %q is taken by another article", slug)
}

// uniqueSlug returns base, or base-2, base-3, … whichever is free.
func uniqueSlug(ctx context.Context, q db.Queryer, base string) (string, error) {
	for n := 1; n < 1000; n++ {
		slug := base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		err := slugFree(ctx, q, slug, 0, "")
		if err == nil {
			return slug, nil
		}
		if !apperr.Is(err, apperr.Invalid) {
			return "", err
		}
	}
	return "", apperr.Field("slug", "choose an address for the article")
}
