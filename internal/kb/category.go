package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Category groups articles. Categories nest one level: a top category
// may have sub-categories, which have none of their own. Position orders
// siblings.
type Category struct {
	ID        int64             `json:"id"`
	ParentID  *int64            `json:"parent_id"`
	Position  int               `json:"position"`
	Names     map[string]string `json:"names"` // by language; at least one
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Name is the category's name in lang, or else in the first language it
// has one in.
func (c Category) Name(lang string) string {
	if n := c.Names[lang]; n != "" {
		return n
	}
	for _, l := range Languages {
		if n := c.Names[l]; n != "" {
			return n
		}
	}
	return ""
}

// CategoryInput creates or replaces a category.
type CategoryInput struct {
	ParentID *int64            `json:"parent_id"`
	Position int               `json:"position"`
	Names    map[string]string `json:"names"`
}

func (in *CategoryInput) normalize() error {
	names := map[string]string{}
	for lang, n := range in.Names {
		if err := checkLanguage("names", lang); err != nil {
			return err
		}
		v, err := cleanText("names."+lang, n, false, maxName)
		if err != nil {
			return err
		}
		if v != "" {
			names[lang] = v
		}
	}
	if len(names) == 0 {
		return apperr.Field("names", "give the category a name in at least one language")
	}
	in.Names = names
	return nil
}

const categoryColumns = `id, parent_id, position, name_en, name_ru, name_lv, created_at, updated_at`

func scanCategory(row db.Scanner) (Category, error) {
	var c Category
	var en, ru, lv string
	err := row.Scan(&c.ID, &c.ParentID, &c.Position, &en, &ru, &lv, &c.CreatedAt, &c.UpdatedAt)
	c.Names = map[string]string{}
	for lang, n := range map[string]string{"en": en, "ru": ru, "lv": lv} {
		if n != "" {
			c.Names[lang] = n
		}
	}
	return c, err
}

// checkParent requires the parent to be a top category other than id.
func checkParent(ctx context.Context, q db.Queryer, id int64, parent *int64) error {
	if parent == nil {
		return nil
	}
	if *parent == id {
		return apperr.Field("parent_id", "a category cannot be its own parent")
	}
	p, err := findCategory(ctx, q, *parent)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("parent_id", "category %d does not exist", *parent)
	}
	if err != nil {
		return err
	}
	if p.ParentID != nil {
		return apperr.Field("parent_id", "categories nest one level only: %q is already a sub-category", p.Name("en"))
	}
	if id == 0 {
		return nil
	}
	var children int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM kb_categories WHERE parent_id = $1`, id).Scan(&children); err != nil {
		return fmt.Errorf("count sub-categories of %d: %w", id, err)
	}
	if children > 0 {
		return apperr.Field("parent_id", "this category has sub-categories of its own, so it cannot become one")
	}
	return nil
}

// CreateCategory adds a category.
func (s *Service) CreateCategory(ctx context.Context, p auth.Principal, in CategoryInput) (Category, error) {
	if err := canEdit(p); err != nil {
		return Category{}, err
	}
	if err := in.normalize(); err != nil {
		return Category{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkParent(ctx, tx, 0, in.ParentID); err != nil {
			return err
		}
		now := db.Now()
		return tx.QueryRowContext(ctx, `
			INSERT INTO kb_categories (parent_id, position, name_en, name_ru, name_lv, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			in.ParentID, in.Position, in.Names["en"], in.Names["ru"], in.Names["lv"], now).Scan(&id)
	})
	if err != nil {
		return Category{}, fmt.Errorf("create category: %w", err)
	}
	return s.FindCategory(ctx, id)
}

// UpdateCategory replaces a category's names, parent and position. The
// search index hears of every article in it, as their category changed.
func (s *Service) UpdateCategory(ctx context.Context, p auth.Principal, id int64, in CategoryInput) (Category, error) {
	if err := canEdit(p); err != nil {
		return Category{}, err
	}
	if err := in.normalize(); err != nil {
		return Category{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := findCategory(ctx, tx, id); err != nil {
			return err
		}
		if err := checkParent(ctx, tx, id, in.ParentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE kb_categories SET parent_id = $2, position = $3, name_en = $4, name_ru = $5, name_lv = $6, updated_at = $7
			WHERE id = $1`, id, in.ParentID, in.Position, in.Names["en"], in.Names["ru"], in.Names["lv"], db.Now())
		if err != nil {
			return fmt.Errorf("update category %d: %w", id, err)
		}
		return s.changedIn(ctx, tx, `SELECT id FROM kb_articles WHERE category_id = $1`, id)
	})
	if err != nil {
		return Category{}, err
	}
	return s.FindCategory(ctx, id)
}

// DeleteCategory deletes an empty category: one with articles or
// sub-categories stays, and the error says why.
func (s *Service) DeleteCategory(ctx context.Context, p auth.Principal, id int64) error {
	if err := canEdit(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := findCategory(ctx, tx, id); err != nil {
			return err
		}
		var articles, children int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM kb_articles WHERE category_id = $1),
			(SELECT count(*) FROM kb_categories WHERE parent_id = $1)`, id).Scan(&articles, &children)
		if err != nil {
			return fmt.Errorf("check category %d: %w", id, err)
		}
		if articles > 0 || children > 0 {
			return apperr.Errorf(apperr.Conflict, "the category still holds %d articles and %d sub-categories; move them first",
				articles, children)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM kb_categories WHERE id = $1`, id)
		return err
	})
}

// FindCategory returns one category.
func (s *Service) FindCategory(ctx context.Context, id int64) (Category, error) {
	return findCategory(ctx, s.db.R, id)
}

func findCategory(ctx context.Context, q db.Queryer, id int64) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM kb_categories WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Category{}, apperr.NotFoundf("category %d not found", id)
	}
	if err != nil {
		return Category{}, fmt.Errorf("find category %d: %w", id, err)
	}
	return c, nil
}

// Categories returns every category in tree order: each top category,
// by position, followed by its sub-categories by position.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+categoryColumns+` FROM kb_categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var top []Category
	children := map[int64][]Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("list categories: %w", err)
		}
		if c.ParentID == nil {
			top = append(top, c)
		} else {
			children[*c.ParentID] = append(children[*c.ParentID], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Category{}
	for _, c := range top {
		out = append(out, c)
		out = append(out, children[c.ID]...)
	}
	return out, nil
}
