package inbound_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/email"
	"linedesk/internal/inbound"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashEnv) != "" {
		runCrashChild()
		return
	}
	os.Exit(dbtest.Main(m))
}

// fixture is the intake pipeline on a real database: a mailbox
// support@help.example, the mailbox service storing raw mail, and the
// processor. Jobs are run by hand so each test sees every step.
type fixture struct {
	t       *testing.T
	db      *db.DB
	mail    *mailbox.Service
	proc    *inbound.Processor
	tickets *ticket.Service
	jobs    *job.Queue
	box     int64
	seq     int
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jobs := job.NewQueue(d, log)
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir()+"/attachments", 10<<20)
	tickets := ticket.NewService(d, log, dir, files, jobs)
	cipher, err := mailbox.NewCipher(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	mail := mailbox.NewService(d, log, jobs, mailbox.Config{Cipher: cipher, MaxBytes: 10 << 20})
	f := &fixture{t: t, db: d, mail: mail, tickets: tickets, jobs: jobs,
		proc: inbound.New(d, log, mail, tickets, dir, files, jobs, email.DefaultLimits())}
	err = d.W.QueryRow(`INSERT INTO mailboxes (address, name, created_at, updated_at) VALUES ('support@help.example', 'Support', $1, $1)
		RETURNING id`, db.Now()).Scan(&f.box)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver stores a raw message as the SMTP listener would and processes
// it; it returns the inbound row's id.
func (f *fixture) deliver(raw string) int64 {
	f.t.Helper()
	id, _, err := f.mail.Store(context.Background(), mailbox.Raw{MailboxID: f.box, Source: "smtp",
		EnvelopeTo: []string{"support@help.example"}, Data: []byte(raw)})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.proc.Process(context.Background(), id, false); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// msg builds a raw message; headers are "Name: value" lines.
func (f *fixture) msg(from, subject, body string, headers ...string) string {
	f.seq++
	h := []string{"From: " + from, "To: Support <support@help.example>", "Subject: " + subject,
		"Date: Sun, 22 Nov 2026 10:00:00 +0200", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"}
	hasID := false
	for _, x := range headers {
		if strings.HasPrefix(strings.ToLower(x), "message-id:") {
			hasID = true
		}
	}
	if !hasID {
		h = append(h, fmt.Sprintf("Message-ID: <m%d.%s@client.example>", f.seq, f.t.Name()))
	}
	h = append(h, headers...)
	return strings.Join(h, "\r\n") + "\r\n\r\n" + body + "\r\n"
}

// inboundState returns a stored message's state, reason and ticket.
func (f *fixture) inboundState(id int64) (state, reason string, ticketID int64) {
	f.t.Helper()
	var tid *int64
	if err := f.db.R.QueryRow(`SELECT state, reason, ticket_id FROM inbound_messages WHERE id = $1`, id).Scan(&state, &reason, &tid); err != nil {
		f.t.Fatal(err)
	}
	if tid != nil {
		ticketID = *tid
	}
	return state, reason, ticketID
}

func (f *fixture) ticketOf(id int64) ticket.Ticket {
	f.t.Helper()
	_, _, tid := f.inboundState(id)
	if tid == 0 {
		f.t.Fatalf("message %d made no ticket", id)
	}
	var tk ticket.Ticket
	tk, err := f.tickets.FindTicket(context.Background(), systemPrincipal(), tid)
	if err != nil {
		f.t.Fatal(err)
	}
	return tk
}

func (f *fixture) comments(ticketID int64) []ticket.Comment {
	f.t.Helper()
	cs, err := f.tickets.Comments(context.Background(), systemPrincipal(), ticketID)
	if err != nil {
		f.t.Fatal(err)
	}
	return cs
}

// jobsOf counts the jobs of a kind.
func (f *fixture) jobsOf(kind string) int {
	var n int
	f.db.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1`, kind).Scan(&n)
	return n
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.R.QueryRow(query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
