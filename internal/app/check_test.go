package app_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"linedesk/internal/app"
	"linedesk/internal/config"
	"linedesk/internal/mailbox"
)

// TestCheckMailbox: the administrator's connection test signs in to both
// servers with the passwords stored encrypted, and names what failed.
func TestCheckMailbox(t *testing.T) {
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = "sqlite:"+filepath.Join(t.TempDir(), "l.db"), t.TempDir()
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	imapPort, smtpPort := startAuthIMAP(t, "desk", "imap-pw"), startAuthSMTP(t, "desk", "smtp-pw")
	m, err := a.Mailboxes.CreateMailbox(ctx, mailbox.MailboxInput{Address: "support@help.example",
		IMAP: mailbox.IMAPInput{Host: "127.0.0.1", Port: imapPort, TLS: "none", Username: "desk", Password: "imap-pw"},
		SMTP: mailbox.SMTPInput{Host: "127.0.0.1", Port: smtpPort, TLS: "none", Username: "desk", Password: "smtp-pw"}})
	if err != nil {
		t.Fatal(err)
	}
	if imapErr, smtpErr := a.CheckMailbox(ctx, m.ID); imapErr != nil || smtpErr != nil {
		t.Fatalf("good settings: IMAP %v, SMTP %v", imapErr, smtpErr)
	}
	wrong := "guess"
	if _, err := a.Mailboxes.UpdateMailbox(ctx, m.ID, mailbox.MailboxUpdate{IMAP: mailbox.IMAPUpdate{Password: &wrong}, SMTP: mailbox.SMTPUpdate{Password: &wrong}}); err != nil {
		t.Fatal(err)
	}
	imapErr, smtpErr := a.CheckMailbox(ctx, m.ID)
	if imapErr == nil || !strings.Contains(imapErr.Error(), "IMAP login failed") {
		t.Errorf("wrong IMAP password: %v", imapErr)
	}
	if smtpErr == nil || !strings.Contains(smtpErr.Error(), "SMTP login failed") {
		t.Errorf("wrong SMTP password: %v", smtpErr)
	}
	if imapErr, smtpErr := a.CheckMailbox(ctx, m.ID+100); imapErr == nil || smtpErr == nil {
		t.Errorf("a missing mailbox: IMAP %v, SMTP %v", imapErr, smtpErr)
	}
}

// startAuthIMAP serves an in-memory IMAP server with one user and an
// INBOX, and returns its port.
func startAuthIMAP(t *testing.T, user, password string) int {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// startAuthSMTP serves an SMTP server that takes PLAIN sign-in for one
// user, and returns its port.
func startAuthSMTP(t *testing.T, user, password string) int {
	t.Helper()
	srv := gosmtp.NewServer(authBackend{user, password})
	srv.Domain, srv.AllowInsecureAuth = "check.test", true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

type authBackend struct{ user, password string }

func (b authBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return authSession{b}, nil }

type authSession struct{ b authBackend }

func (s authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.password {
			return gosmtp.ErrAuthFailed
		}
		return nil
	}), nil
}
func (authSession) Mail(string, *gosmtp.MailOptions) error { return gosmtp.ErrAuthRequired }
func (authSession) Rcpt(string, *gosmtp.RcptOptions) error { return gosmtp.ErrAuthRequired }
func (authSession) Data(io.Reader) error                   { return gosmtp.ErrAuthRequired }
func (authSession) Reset()                                 {}
func (authSession) Logout() error                          { return nil }
