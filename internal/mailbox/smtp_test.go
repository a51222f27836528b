package mailbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/mailbox"
)

// listen runs the SMTP listener for the test and stops it at cleanup,
// checking that Run returns.
func listen(t *testing.T, svc *mailbox.Service) string {
	t.Helper()
	srv := mailbox.NewSMTPServer(svc, "127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.ReadTimeout = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	addr := srv.Addr()
	if addr == "" {
		t.Fatalf("listener failed: %v", <-done)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return addr
}

// conversation is one SMTP client session.
type conversation struct {
	t *testing.T
	c *smtp.Client
}

func dial(t *testing.T, addr string) *conversation {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	return &conversation{t: t, c: c}
}

// code returns the SMTP reply code of err: 250 for nil.
func code(err error) int {
	if err == nil {
		return 250
	}
	var e *smtp.SMTPError
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

// send runs MAIL, one RCPT per recipient and DATA, and returns the reply
// codes of the RCPTs and of the end of DATA (0 when DATA was not sent).
func (c *conversation) send(from string, to []string, data []byte) (rcpts []int, final int) {
	c.t.Helper()
	if err := c.c.Mail(from, nil); err != nil {
		c.t.Fatalf("MAIL: %v", err)
	}
	accepted := false
	for _, rcpt := range to {
		err := c.c.Rcpt(rcpt, nil)
		rcpts = append(rcpts, code(err))
		accepted = accepted || err == nil
	}
	if !accepted {
		c.c.Reset()
		return rcpts, 0
	}
	w, err := c.c.Data()
	if err != nil {
		c.t.Fatalf("DATA: %v", err)
	}
	w.Write(data)
	return rcpts, code(w.Close())
}

func TestSMTPListener(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 64<<10)
		it := f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
		facilities := f.mailbox(t, mailbox.MailboxInput{Address: "facilities@example.com"})
		f.mailbox(t, mailbox.MailboxInput{Address: "old@example.com", Active: ptr(false)})
		c := dial(t, listen(t, f.svc))

		t.Run("250 once the row and its job exist", func(t *testing.T) {
			rcpts, final := c.send("ann@client.lv", []string{"IT@Example.com"}, message("s1@client.lv", "hello"))
			if rcpts[0] != 250 || final != 250 {
				t.Fatalf("replies %v, %d", rcpts, final)
			}
			list, total, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{})
			if total != 1 || list[0].Source != "smtp" || *list[0].MailboxID != it.ID ||
				list[0].EnvelopeFrom != "ann@client.lv" || strings.Join(list[0].EnvelopeTo, ",") != "it@example.com" {
				t.Fatalf("stored %+v", list)
			}
			if jobs(t, d) != 1 {
				t.Errorf("%d jobs", jobs(t, d))
			}
		})
		t.Run("sent again after a lost reply, it is not stored twice", func(t *testing.T) {
			_, final := c.send("ann@client.lv", []string{"it@example.com"}, message("s1@client.lv", "hello"))
			if final != 250 || count(t, d, `SELECT count(*) FROM inbound_messages`) != 1 || jobs(t, d) != 1 {
				t.Errorf("reply %d; rows and jobs changed", final)
			}
		})
		t.Run("550 for unknown and inactive recipients, 250 for the known one", func(t *testing.T) {
			rcpts, final := c.send("bob@client.lv", []string{"nobody@example.com", "facilities@example.com", "old@example.com"},
				message("s2@client.lv", "door broken"))
			if rcpts[0] != 550 || rcpts[1] != 250 || rcpts[2] != 550 || final != 250 {
				t.Fatalf("replies %v, %d", rcpts, final)
			}
			list, _, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{MailboxID: &facilities.ID})
			if len(list) != 1 || strings.Join(list[0].EnvelopeTo, ",") != "facilities@example.com" {
				t.Errorf("facilities got %+v", list)
			}
			if _, total, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{MailboxID: &it.ID}); total != 1 {
				t.Errorf("it has %d messages, want only the first", total)
			}
		})
		t.Run("a message to two mailboxes is stored once for both", func(t *testing.T) {
			rcpts, final := c.send("cat@client.lv", []string{"facilities@example.com", "it@example.com"},
				message("s3@client.lv", "printer and door"))
			if rcpts[0] != 250 || rcpts[1] != 250 || final != 250 {
				t.Fatalf("replies %v, %d", rcpts, final)
			}
			list, _, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{})
			if list[0].MessageID != "s3@client.lv" || *list[0].MailboxID != facilities.ID ||
				strings.Join(list[0].EnvelopeTo, ",") != "facilities@example.com,it@example.com" {
				t.Errorf("stored %+v", list[0])
			}
		})
		t.Run("552 over the size limit, nothing stored", func(t *testing.T) {
			before := count(t, d, `SELECT count(*) FROM inbound_messages`)
			_, final := c.send("ann@client.lv", []string{"it@example.com"},
				message("big@client.lv", strings.Repeat("0123456789abcdef\r\n", 5000)))
			if final != 552 {
				t.Errorf("reply %d, want 552", final)
			}
			if count(t, d, `SELECT count(*) FROM inbound_messages`) != before {
				t.Error("an oversized message was stored")
			}
			// The session goes on.
			if _, final := c.send("ann@client.lv", []string{"it@example.com"}, message("s4@client.lv", "small")); final != 250 {
				t.Errorf("next message: %d", final)
			}
		})
	})
}

// TestSMTPStoreFailure closes the database between RCPT and the end of
// DATA: the client hears 451 (and will retry), and a fresh connection to
// the same database finds nothing half-stored.
func TestSMTPStoreFailure(t *testing.T) {
	open := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string {
			url := "sqlite:" + filepath.Join(t.TempDir(), "linedesk.db")
			d, err := db.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return url
		},
		"postgres": func(t *testing.T) string {
			_, url := dbtest.PostgresURL(t)
			return url
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := open[name](t)
			d, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, d, 0)
			f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
			c := dial(t, listen(t, f.svc))
			if err := c.c.Mail("ann@client.lv", nil); err != nil {
				t.Fatal(err)
			}
			if err := c.c.Rcpt("it@example.com", nil); err != nil {
				t.Fatal(err)
			}
			w, err := c.c.Data()
			if err != nil {
				t.Fatal(err)
			}
			d.Close()
			w.Write(message("lost@client.lv", "the database is gone"))
			if got := code(w.Close()); got != 451 {
				t.Errorf("reply %d, want 451", got)
			}

			check, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer check.Close()
			if n := count(t, check, `SELECT count(*) FROM inbound_messages`); n != 0 {
				t.Errorf("%d messages stored", n)
			}
			if n := count(t, check, `SELECT count(*) FROM jobs`); n != 0 {
				t.Errorf("%d jobs enqueued", n)
			}
		})
	}
}

func TestSMTPShutdown(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t), 0)
	f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
	srv := mailbox.NewSMTPServer(f.svc, "127.0.0.1:0", nil)
	srv.Grace = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	c := dial(t, srv.Addr())
	if _, final := c.send("ann@client.lv", []string{"it@example.com"}, message("before@x", "before")); final != 250 {
		t.Fatalf("reply %d", final)
	}
	cancel() // the client stays connected and idle
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run waits for an idle client forever")
	}
	if err := c.c.Noop(); err == nil {
		t.Error("the idle session is still served after shutdown")
	}
	if _, err := smtp.Dial(srv.Addr()); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}
