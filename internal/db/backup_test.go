package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestBackup(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	dbtest.Exec(t, d.W, `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ('Gold', 'gold', $1, $1)`, db.Now())
	to := filepath.Join(t.TempDir(), "backup.db")
	if err := d.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	if err := d.Backup(ctx, to); err == nil {
		t.Error("backup overwrote an existing file")
	}
	copy, err := db.Open(ctx, "sqlite:"+to)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	var name string
	if err := copy.R.QueryRowContext(ctx, `SELECT name FROM plans`).Scan(&name); err != nil || name != "Gold" {
		t.Errorf("backup holds %q, %v", name, err)
	}
	if err := copy.Migrate(ctx); err != nil {
		t.Errorf("backup is not a usable Linedesk database: %v", err)
	}
}
