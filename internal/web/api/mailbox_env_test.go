package api_test

import (
	"log/slog"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
)

// newMailboxes is the mailbox service of the test API: its own secret
// key and raw-mail directory.
func newMailboxes(t testing.TB, d *db.DB, log *slog.Logger, jobs *job.Queue) *mailbox.Service {
	t.Helper()
	c, err := mailbox.NewCipher("the API tests' secret key, long enough")
	if err != nil {
		t.Fatal(err)
	}
	return mailbox.NewService(d, log, jobs, mailbox.Config{Cipher: c, MaxBytes: 1 << 20})
}
