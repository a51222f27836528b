package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// TestMaintain proves one housekeeping round removes what has outlived
// its use and keeps everything else.
func TestMaintain(t *testing.T) {
	run := func(t *testing.T, url string) {
		cfg := config.Default()
		cfg.DatabaseURL, cfg.DataDir = url, t.TempDir()
		ctx := context.Background()
		a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		old := db.Now().Add(-30 * 24 * time.Hour)
		for _, state := range []string{"done", "dead"} {
			dbtest.Exec(t, a.DB.W, `INSERT INTO jobs (kind, payload, state, max_attempts, run_at, created_at, updated_at)
				VALUES ('x', '{}', $1, 3, $2, $2, $2)`, state, old)
		}
		if err := a.Bootstrap(ctx, io.Discard); err != nil {
			t.Fatal(err)
		}
		admin, _ := a.Directory.FindAgentByEmail(ctx, cfg.AdminEmail)
		up, err := a.Attachments.Upload(ctx, auth.Principal{AgentID: admin.ID, Role: auth.RoleAdmin}, "a.txt", "text/plain", strings.NewReader("abandoned"))
		if err != nil {
			t.Fatal(err)
		}
		dbtest.Exec(t, a.DB.W, `UPDATE attachments SET created_at = $1 WHERE id = $2`, old, up.ID)
		fresh, _ := a.Attachments.Upload(ctx, auth.Principal{AgentID: admin.ID, Role: auth.RoleAdmin}, "b.txt", "text/plain", strings.NewReader("new"))

		if err := a.Maintain(ctx); err != nil {
			t.Fatal(err)
		}
		var jobs, uploads int
		a.DB.R.QueryRow(`SELECT count(*) FROM jobs`).Scan(&jobs)
		a.DB.R.QueryRow(`SELECT count(*) FROM attachments WHERE id = $1`, fresh.ID).Scan(&uploads)
		if jobs != 1 || uploads != 1 {
			t.Errorf("after maintenance: %d jobs (want the dead one kept), fresh upload present: %d", jobs, uploads)
		}
		if _, err := a.Attachments.Find(ctx, auth.Principal{AgentID: admin.ID, Role: auth.RoleAdmin}, up.ID, a.Tickets); err == nil {
			t.Error("abandoned upload survived")
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db")) })
	t.Run("postgres", func(t *testing.T) { _, url := dbtest.PostgresURL(t); run(t, url) })
}
