package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent, compacted copy of a SQLite database to path
// while Linedesk keeps running (SQLite's VACUUM INTO reads one snapshot).
// It uses a connection of its own so writers are not held up, and it
// never overwrites a file. PostgreSQL has its own tools (pg_dump).
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.Dialect != SQLite {
		return errors.New("backup: this database is PostgreSQL; use pg_dump")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", abs)
	}
	drv, err := sqliteDriver()
	if err != nil {
		return err
	}
	conn := sql.OpenDB(&cachingConnector{dsn: sqliteDSN(d.path, "normal", "_pragma=query_only(0)"), drv: drv})
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	return nil
}
