package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/search"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// TestGenerate fills an empty SQLite file and an empty PostgreSQL
// database with a small help desk, finds its text by search, and refuses
// to fill either again.
func TestGenerate(t *testing.T) {
	_, pg := dbtest.PostgresURL(t)
	for name, url := range map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "desk.db"), "postgres": pg} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var out, errs bytes.Buffer
			if code := run(ctx, []string{"-database", url, "-tickets", "1000"}, &out, &errs); code != 0 {
				t.Fatalf("exit %d: %s", code, errs.String())
			}
			if !strings.HasPrefix(out.String(), "generated 1000 tickets with ") {
				t.Errorf("output %q", out.String())
			}
			d, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var tickets, comments int
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&tickets)
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM comments`).Scan(&comments)
			if tickets != 1000 || comments < 2000 {
				t.Errorf("%d tickets, %d comments", tickets, comments)
			}
			res, err := benchutil.Wire(d).Search(ctx, search.AgentViewer(auth.Principal{AgentID: 1, Role: auth.RoleAdmin}),
				search.Request{Query: "принтер", Kinds: []string{search.KindTicket}})
			if err != nil || len(res.Hits) == 0 {
				t.Errorf("searching the generated desk: %d hits, %v", len(res.Hits), err)
			}

			errs.Reset()
			if code := run(ctx, []string{"-database", url, "-tickets", "1000"}, &out, &errs); code != 1 ||
				!strings.Contains(errs.String(), "already holds 1000 tickets") {
				t.Errorf("a second fill: exit %d, %q", code, errs.String())
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Setenv("LINEDESK_DATABASE_URL", "")
	for _, args := range [][]string{{"-tickets", "1000"}, {"-database", "sqlite:x.db", "-tickets", "5"}, {"-nonsense"}} {
		var out, errs bytes.Buffer
		if code := run(context.Background(), args, &out, &errs); code != 2 || errs.Len() == 0 {
			t.Errorf("%v: exit %d, %q", args, code, errs.String())
		}
	}
}
