package search_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/dbtest"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// TestUpgradeSQLiteIndex: an SQLite index from before the prefix indexes
// keeps serving as it is; `linedesk reindex` (Rebuild) renews it, and it
// then finds what it found before, the word being typed too. An empty
// one is renewed at once.
func TestUpgradeSQLiteIndex(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	e := wire(t, d)
	e.team(t)
	form := func() string {
		t.Helper()
		var ddl string
		if err := d.R.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'search_fts'`).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		return ddl
	}
	if !strings.Contains(form(), "prefix = '3 4'") {
		t.Fatalf("a new index has no prefix indexes: %s", form())
	}
	// The form the index had before, as an older Linedesk left it.
	old := strings.Replace(form(), "prefix = '3 4',", "", 1)
	for _, q := range []string{`DROP TABLE search_fts`, old} {
		dbtest.Exec(t, d.W, q)
	}
	e.run(t)
	tk := e.open(t, ticket.NewTicket{Subject: "Printer offline on the second floor"})
	e.settle(t)
	find := func(stage string) {
		t.Helper()
		for _, typing := range []bool{false, true} {
			q := "printer"
			if typing {
				q = "prin"
			}
			res, err := e.search.Search(ctx, search.AgentViewer(e.admin), search.Request{Query: q, Typing: typing})
			if err != nil {
				t.Fatal(err)
			}
			if got := numbers(res.Hits); len(got) != 1 || got[0] != tk.Number {
				t.Errorf("%s: %q finds %v", stage, q, got)
			}
		}
	}
	find("old form")
	if err := e.search.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	if form() != old {
		t.Errorf("start-up changed an index that holds documents: %s", form())
	}
	find("after start-up")
	if err := e.search.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(form(), "prefix = '3 4'") {
		t.Errorf("the rebuilt index has no prefix indexes: %s", form())
	}
	find("rebuilt")
}
