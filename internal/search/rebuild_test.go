package search_test

import (
	"context"
	"slices"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/search"
)

type stats struct{ docs, title, body, notes int64 }

func readStats(t *testing.T, d *db.DB) stats {
	t.Helper()
	var s stats
	if err := d.R.QueryRow(`SELECT docs, title_count, body_count, notes_count FROM search_stats`).
		Scan(&s.docs, &s.title, &s.body, &s.notes); err != nil {
		t.Fatal(err)
	}
	return s
}

// wipe empties the index as if it had never been built.
func wipe(t *testing.T, d *db.DB) {
	t.Helper()
	if d.Dialect == db.SQLite {
		dbtest.Exec(t, d.W, `INSERT INTO search_fts (search_fts) VALUES ('delete-all')`)
	}
	dbtest.Exec(t, d.W, `DELETE FROM search_docs`)
	dbtest.Exec(t, d.W, `UPDATE search_stats SET docs = 0, title_count = 0, body_count = 0, notes_count = 0`)
}

// TestRebuild: an index rebuilt from nothing answers as the index kept
// up to date did, with the same statistics; a rebuild also drops what
// no longer exists.
func TestRebuild(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		build(t, e)
		stray, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Stray Quagga", Email: "quagga@nowhere.example"})
		if err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		admin := search.AgentViewer(e.admin)
		var before [][]int64
		for _, qc := range corpusQueries {
			before = append(before, numbers(e.find(t, admin, qc.q, search.KindTicket)))
		}
		kept := readStats(t, d)

		// Removed behind the index's back: a rebuild must drop it.
		dbtest.Exec(t, d.W, `DELETE FROM contact_emails WHERE contact_id = $1`, stray.ID)
		dbtest.Exec(t, d.W, `DELETE FROM contacts WHERE id = $1`, stray.ID)
		if err := e.search.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if hits := e.find(t, admin, "quagga"); len(hits) != 0 {
			t.Errorf("a rebuild kept a contact that no longer exists: %+v", hits)
		}
		afterSweep := readStats(t, d)
		if afterSweep.docs != kept.docs-1 {
			t.Errorf("documents %d after the rebuild, want %d", afterSweep.docs, kept.docs-1)
		}

		wipe(t, d)
		if hits := e.find(t, admin, "printer"); len(hits) != 0 {
			t.Fatalf("found %d hits in an empty index", len(hits))
		}
		var last search.Progress
		calls := 0
		if err := e.search.Rebuild(ctx, func(p search.Progress) { last, calls = p, calls+1 }); err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last.Done != last.Total || last.Total != int(afterSweep.docs) {
			t.Errorf("progress: %d calls, last %d of %d, want all %d", calls, last.Done, last.Total, afterSweep.docs)
		}
		if got := readStats(t, d); got != afterSweep {
			t.Errorf("statistics after a rebuild from nothing %+v, want %+v", got, afterSweep)
		}
		for i, qc := range corpusQueries {
			if got := numbers(e.find(t, admin, qc.q, search.KindTicket)); !slices.Equal(got, before[i]) {
				t.Errorf("%s: %v after the rebuild, %v before", qc.q, got, before[i])
			}
		}
	})
}
