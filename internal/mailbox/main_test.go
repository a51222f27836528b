package mailbox_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const testKey = "a test secret key that is long enough"

// fixture is a mailbox service on a real database, with the directory
// for the groups and agents that mailboxes name.
type fixture struct {
	db      *db.DB
	svc     *mailbox.Service
	dir     *directory.Service
	dataDir string
}

func newFixture(t testing.TB, d *db.DB, maxBytes int64) *fixture {
	t.Helper()
	c, err := mailbox.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dataDir := t.TempDir()
	svc := mailbox.NewService(d, log, job.NewQueue(d, log), mailbox.Config{Cipher: c, MaxBytes: maxBytes})
	return &fixture{db: d, svc: svc, dir: directory.NewService(d), dataDir: dataDir}
}

func (f *fixture) group(t testing.TB, name string) int64 {
	t.Helper()
	g, err := f.dir.CreateGroup(context.Background(), directory.GroupInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return g.ID
}

func (f *fixture) mailbox(t testing.TB, in mailbox.MailboxInput) mailbox.Mailbox {
	t.Helper()
	m, err := f.svc.CreateMailbox(context.Background(), in)
	if err != nil {
		t.Fatalf("create mailbox %s: %v", in.Address, err)
	}
	return m
}

// count runs a count(*) query.
func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.W.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rawStored lists the hashes of the raw messages kept.
func (f *fixture) rawStored(t testing.TB) []string {
	t.Helper()
	rows, err := f.db.R.Query(`SELECT sha256 FROM raw_messages ORDER BY sha256`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		rows.Scan(&sha)
		out = append(out, sha)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
