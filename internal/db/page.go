package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Page limits of list queries.
const (
	DefaultLimit = 25
	MaxLimit     = 500
)

// Where collects the conditions and arguments of a dynamic filter.
type Where struct {
	conds []string
	Args  []any
}

// Arg adds an argument and returns its placeholder.
func (w *Where) Arg(v any) string {
	w.Args = append(w.Args, v)
	return "$" + strconv.Itoa(len(w.Args))
}

// Add adds a condition; conditions are joined with AND.
func (w *Where) Add(cond string) { w.conds = append(w.conds, cond) }

// String is the WHERE clause, "" when there is no condition.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// FindPage runs one page of a list query and counts the rows the filter
// matches. from is the table; cols and order are SQL fragments. A short
// page tells the total without counting.
func FindPage[T any](ctx context.Context, q Queryer, cols, from, order string, w Where, offset, limit int,
	scan func(Scanner) (T, error)) ([]T, int, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset = max(offset, 0)
	countSQL := "SELECT count(*) FROM " + from + w.String()
	countArgs := slices.Clone(w.Args)
	query := "SELECT " + cols + " FROM " + from + w.String() + " ORDER BY " + order +
		" LIMIT " + w.Arg(limit) + " OFFSET " + w.Arg(offset)
	items, err := queryAll(ctx, q, query, w.Args, scan)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", from, err)
	}
	if len(items) < limit && (len(items) > 0 || offset == 0) {
		return items, offset + len(items), nil
	}
	var total int
	if err := q.QueryRowContext(ctx, countSQL, countArgs...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", from, err)
	}
	return items, total, nil
}

func queryAll[T any](ctx context.Context, q Queryer, query string, args []any, scan func(Scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []T{}
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, rows.Err()
}
