package directory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Page limits of the Find… lists.
const (
	defaultLimit = 25
	maxLimit     = 500
)

// where collects the conditions and arguments of a dynamic filter.
type where struct {
	conds []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likeContains returns a LIKE pattern (to use with ESCAPE '\') matching
// s anywhere, lower-cased and with its spaces collapsed like nameKey.
func likeContains(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(nameKey(s))
	return "%" + s + "%"
}

type scanner interface{ Scan(...any) error }

// findPage runs one page of a list query and counts the rows the filter
// matches. from is the table; cols and order are SQL fragments.
func findPage[T any](ctx context.Context, q db.Queryer, cols, from, order string, w where, offset, limit int,
	scan func(scanner) (T, error)) ([]T, int, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset = max(offset, 0)
	countSQL := "SELECT count(*) FROM " + from + w.String()
	countArgs := slices.Clone(w.args)
	query := "SELECT " + cols + " FROM " + from + w.String() + " ORDER BY " + order +
		" LIMIT " + w.arg(limit) + " OFFSET " + w.arg(offset)
	rows, err := q.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", from, err)
	}
	defer rows.Close()
	items := []T{}
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list %s: %w", from, err)
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", from, err)
	}
	// A short page tells the total without counting.
	if len(items) < limit && (len(items) > 0 || offset == 0) {
		return items, offset + len(items), nil
	}
	var total int
	if err := q.QueryRowContext(ctx, countSQL, countArgs...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", from, err)
	}
	return items, total, nil
}

// childrenOf runs query, which selects (parent id, value) rows for the
// parent ids put in place of its %s, and groups the values by parent.
func childrenOf[T any](ctx context.Context, q db.Queryer, query string, ids []int64) (map[int64][]T, error) {
	out := map[int64][]T{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := db.In(ids, 1)
	rows, err := q.QueryContext(ctx, fmt.Sprintf(query, in), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v T
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = append(out[id], v)
	}
	return out, rows.Err()
}

// touch stamps a row's updated_at at the start of a write transaction.
// On PostgreSQL that also locks the row, so concurrent updates of one
// record apply one after the other instead of losing each other's fields
// (SQLite transactions are serial anyway). A missing row is NotFound.
func touch(ctx context.Context, tx *sql.Tx, table, what string, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET updated_at = $2 WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("update %s %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("update %s %d: %w", what, id, err)
		}
		return apperr.NotFoundf("%s %d not found", what, id)
	}
	return nil
}

// count runs a count(*) query.
func count(ctx context.Context, q db.Queryer, query string, args ...any) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// deleteRow deletes one row after the caller's checks. A foreign key that
// still points at it (from a table the checks do not know about) makes it
// a conflict rather than an internal error.
func deleteRow(ctx context.Context, tx *sql.Tx, table, what string, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = $1`, id)
	if db.IsForeignKeyViolation(err) {
		return apperr.Errorf(apperr.Conflict, "%s %d is still in use and cannot be deleted", what, id)
	}
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("%s %d not found", what, id)
	}
	return nil
}

// nameTaken is the conflict of a duplicate name.
func nameTaken(what, name string) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "name",
		Message: fmt.Sprintf("a %s named %q already exists", what, name)}
}
