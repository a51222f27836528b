package dbtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// PersistentPostgres starts a PostgreSQL server of its own on a data
// directory that outlives the run (created on first use, under the
// temporary directory), for benchmarks whose data take long to build. It
// returns the URL of the database name (created when missing) and stops
// the server when tb ends. sharedBuffers sizes the server's cache, as a
// production server would be sized ("1GB").
func PersistentPostgres(tb testing.TB, dir, name, sharedBuffers string) string {
	tb.Helper()
	if !strings.HasPrefix(dir, os.TempDir()) {
		tb.Fatalf("persistent PostgreSQL: %s is not under %s", dir, os.TempDir())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	s, err := launchIn(dir, sharedBuffers)
	if err != nil {
		if os.Getenv("LINEDESK_REQUIRE_POSTGRES") == "1" {
			tb.Fatalf("PostgreSQL is required (LINEDESK_REQUIRE_POSTGRES=1) but unavailable: %v", err)
		}
		tb.Skipf("PostgreSQL unavailable: %v", err)
	}
	tb.Cleanup(s.stop)
	var n int
	ctx := context.Background()
	if err := s.admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		if _, err := s.admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s", name)); err != nil {
			tb.Fatal(err)
		}
	}
	return s.url(name)
}
