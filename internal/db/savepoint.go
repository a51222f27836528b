package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Savepoint runs fn inside a savepoint of tx: when fn fails, what it wrote
// is undone and the transaction goes on (on PostgreSQL a failed statement
// otherwise aborts the whole transaction). It returns fn's error; an
// error of the savepoint itself is returned wrapped in ErrSavepoint.
func Savepoint(ctx context.Context, tx *sql.Tx, name string, fn func() error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%w: %w", ErrSavepoint, err)
	}
	if err := fn(); err != nil {
		if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rbErr != nil {
			return fmt.Errorf("%w: %w (after %w)", ErrSavepoint, rbErr, err)
		}
		if _, relErr := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); relErr != nil {
			return fmt.Errorf("%w: %w (after %w)", ErrSavepoint, relErr, err)
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%w: %w", ErrSavepoint, err)
	}
	return nil
}

// ErrSavepoint marks a failure of the savepoint itself: the transaction
// cannot go on.
var ErrSavepoint = errSavepoint{}

type errSavepoint struct{}

func (errSavepoint) Error() string { return "savepoint" }

// ForUpdate is the clause that locks the rows a query reads until the
// transaction ends. SQLite has one writer, so it needs none.
func (d *DB) ForUpdate() string {
	if d.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
