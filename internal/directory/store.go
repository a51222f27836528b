package directory

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// likeContains returns a LIKE pattern (to use with ESCAPE '\') matching
// s anywhere, lower-cased and with its spaces collapsed like nameKey.
func likeContains(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(nameKey(s))
	return "%" + s + "%"
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
