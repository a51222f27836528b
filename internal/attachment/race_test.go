package attachment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// TestPruneWaitsForUploadInProgress holds an upload of bytes that an
// old, unattached upload also has between "file in place" and "row
// committed", and runs PruneOrphans right then: it must wait for the
// upload and leave the file, which the new row needs.
func TestPruneWaitsForUploadInProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewService(d, filepath.Join(t.TempDir(), "attachments"), 1<<20)
		var agent int64
		err := d.W.QueryRowContext(ctx, `INSERT INTO agents (name, email, role, created_at, updated_at)
			VALUES ('Ada', 'ada@example.com', 'agent', $1, $1) RETURNING id`, db.Now()).Scan(&agent)
		if err != nil {
			t.Fatal(err)
		}
		p := auth.Principal{AgentID: agent, Role: auth.RoleAgent}
		if _, err := s.Upload(ctx, p, "old.txt", "", strings.NewReader("contested")); err != nil {
			t.Fatal(err)
		}

		pruned := make(chan error, 1)
		s.placed = func(sha string) {
			go func() {
				_, err := s.PruneOrphans(ctx, time.Now().Add(time.Hour))
				pruned <- err
			}()
			select {
			case err := <-pruned:
				t.Errorf("prune finished while an upload held the blob (err %v)", err)
				pruned <- err
			case <-time.After(300 * time.Millisecond):
			}
			if _, err := os.Stat(s.path(sha)); err != nil {
				t.Errorf("file removed under an upload in progress: %v", err)
			}
		}
		a, err := s.Upload(ctx, p, "new.txt", "", strings.NewReader("contested"))
		if err != nil {
			t.Fatal(err)
		}
		s.placed = nil
		if err := <-pruned; err != nil {
			t.Fatal(err)
		}
		// The new upload is recent in the database's eyes too, but prune
		// ran with a future cutoff: only the file's fate matters here. If
		// the new row survived, its file must exist.
		var n int
		d.R.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE id = $1`, a.ID).Scan(&n)
		if _, err := os.Stat(s.path(a.SHA256)); n == 1 && err != nil {
			t.Errorf("row %d points at a missing file: %v", a.ID, err)
		}
	})
}
