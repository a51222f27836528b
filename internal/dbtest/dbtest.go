// Package dbtest gives tests real databases: a fresh SQLite file, and a
// fresh database on a throwaway PostgreSQL server that the tests start
// themselves from the initdb/postgres binaries when present.
//
// Set LINEDESK_REQUIRE_POSTGRES=1 to make a missing PostgreSQL fail the
// run instead of skipping the PostgreSQL half. Set LINEDESK_TEST_POSTGRES_URL
// to use an existing server instead of starting one.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linedesk/internal/db"
)

// Each runs fn once per database, as the subtests "sqlite" and "postgres",
// each with a freshly migrated, empty database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file under t.TempDir().
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "linedesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// Postgres returns a migrated database of its own on the shared test server.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, _ := PostgresURL(t)
	return d
}

// PostgresURL is Postgres that also returns the database's URL, for tests
// that start the whole application on it.
func PostgresURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	s := server(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx := context.Background()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	url := s.url(name)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		s.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return d, url
}

const templateDB = "linedesk_template"

var (
	dbSeq     atomic.Int64
	startOnce sync.Once
	shared    *pgServer
	startErr  error
)

// server starts the package's PostgreSQL on first use. A package-level
// server is the one shared state here: starting PostgreSQL per test would
// cost seconds each.
func server(t testing.TB) *pgServer {
	t.Helper()
	startOnce.Do(func() { shared, startErr = startServer() })
	if startErr != nil {
		if os.Getenv("LINEDESK_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (LINEDESK_REQUIRE_POSTGRES=1) but unavailable: %v", startErr)
		}
		t.Skipf("PostgreSQL unavailable: %v", startErr)
	}
	return shared
}

func startServer() (*pgServer, error) {
	s, err := connectOrLaunch()
	if err != nil {
		return nil, err
	}
	if err := s.prepareTemplate(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *pgServer) prepareTemplate() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+templateDB+" WITH (FORCE)")
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+templateDB); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	d, err := db.Open(ctx, s.url(templateDB))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Migrate(ctx)
}

// Main runs the package's tests and then stops the PostgreSQL server they
// started, if any. Call it from TestMain: os.Exit(dbtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

// Exec runs statements for test set-up, failing the test on error.
func Exec(t testing.TB, q *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := q.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// EachB is Each for benchmarks.
func EachB(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, Postgres(b)) })
}
