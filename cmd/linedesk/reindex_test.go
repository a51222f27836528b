package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// TestReindexCommand: reindex builds the index from what the database
// holds (here tickets whose index jobs never ran), with its progress on
// stderr.
func TestReindexCommand(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"LINEDESK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "l.db"), "LINEDESK_DATA_DIR": dir}
	ctx := context.Background()
	cfg, err := config.Load(envOf(vars))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Принтер не печатает", "Aizmirsu paroli", "VPN drops"} {
		if _, err := a.Tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: s,
			Requester: ticket.RequesterRef{Email: "anna@client.example"}}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	var stderr bytes.Buffer
	if code := run(ctx, []string{"reindex"}, io.Discard, &stderr, envOf(vars)); code != 0 {
		t.Fatalf("reindex: exit %d: %s", code, stderr.String())
	}
	// Three tickets and their one contact.
	if !regexp.MustCompile(`4 / 4 documents \(100\.0%\), \d+/s, ETA 0s`).MatchString(stderr.String()) ||
		!strings.Contains(stderr.String(), "reindexed 4 documents") {
		t.Errorf("progress: %q", stderr.String())
	}
	a, err = app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	res, err := a.Search.Search(ctx, search.AgentViewer(auth.System()), search.Request{Query: "paroles"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Title != "Aizmirsu paroli" {
		t.Errorf("after reindex: %+v, %v", res.Hits, err)
	}
}
