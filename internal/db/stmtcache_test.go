package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// TestStatementCache exercises the cached statements on SQLite's single
// writer connection, where every query of a transaction shares one
// connection and so one cache.
func TestStatementCache(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	for i := range 3 {
		dbtest.Exec(t, d.W, `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ($1, $1, $2, $2)`, fmt.Sprint("p", i), db.Now())
	}
	const q = `SELECT name FROM plans ORDER BY id`

	t.Run("same statement while its rows are open", func(t *testing.T) {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			outer, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer outer.Close()
			n := 0
			for outer.Next() {
				var name string
				outer.Scan(&name)
				var inner []string
				rows, err := tx.QueryContext(ctx, q)
				if err != nil {
					return err
				}
				for rows.Next() {
					var s string
					rows.Scan(&s)
					inner = append(inner, s)
				}
				rows.Close()
				if name != fmt.Sprint("p", n) || len(inner) != 3 {
					t.Errorf("outer row %d = %q, inner %v", n, name, inner)
				}
				n++
			}
			if n != 3 {
				t.Errorf("outer saw %d rows", n)
			}
			return outer.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("eviction keeps working", func(t *testing.T) {
		for i := range 600 {
			var n int
			if err := d.W.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + count(*) FROM plans", i)).Scan(&n); err != nil || n != i+3 {
				t.Fatalf("query %d: %d %v", i, n, err)
			}
		}
		var name string
		if err := d.W.QueryRowContext(ctx, q).Scan(&name); err != nil || name != "p0" {
			t.Fatalf("after eviction: %q %v", name, err)
		}
	})

	t.Run("a failing statement leaves the cache usable", func(t *testing.T) {
		ins := `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ('p0', 'p0', $1, $1)`
		for range 2 {
			if _, err := d.W.ExecContext(ctx, ins, db.Now()); !db.IsUniqueViolation(err) {
				t.Fatalf("want unique violation, got %v", err)
			}
		}
		var n int
		if err := d.W.QueryRowContext(ctx, `SELECT count(*) FROM plans`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("count %d %v", n, err)
		}
	})
}
