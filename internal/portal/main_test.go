package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/outbound"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// fixture is the portal on a real database, with the services it builds
// on, a client company and a clock the test moves.
type fixture struct {
	t       *testing.T
	d       *db.DB
	svc     *portal.Service
	dir     *directory.Service
	tickets *ticket.Service
	mail    *mailbox.Service
	auth    *auth.Service
	admin   auth.Principal
	agent   auth.Principal
	company directory.Company
	mailbox mailbox.Mailbox

	mu  sync.Mutex
	now time.Time
}

// policy is a test PlanPolicy: it refuses the contacts in deny.
type policy struct {
	deny    map[int64]bool
	instead string
}

func (p *policy) PortalAllowed(_ context.Context, contactID int64) (bool, string, error) {
	if p.deny[contactID] {
		return false, p.instead, nil
	}
	return true, "", nil
}

func newFixture(t *testing.T, d *db.DB, pol portal.PlanPolicy) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{t: t, d: d, now: time.Now().UTC().Truncate(time.Microsecond)}
	f.dir = directory.NewService(d)
	files := attachment.NewService(d, filepath.Join(t.TempDir(), "attachments"), 1<<20)
	jobs := job.NewQueue(d, log)
	f.tickets = ticket.NewService(d, log, f.dir, files, jobs)
	cipher, err := mailbox.NewCipher(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	f.mail = mailbox.NewService(d, log, jobs, mailbox.Config{Cipher: cipher})
	f.auth = auth.NewService(d)
	f.svc = portal.NewService(portal.Deps{DB: d, Log: log, Directory: f.dir, Tickets: f.tickets, Files: files,
		Auth: f.auth, Jobs: jobs, Blocked: f.mail, Senders: f.mail, Policy: pol},
		portal.Config{Key: []byte(strings.Repeat("s", 32)), BaseURL: "https://help.example", MinFillTime: 3 * time.Second})
	portal.SetClock(f.svc, f.clock)
	admin, err := f.dir.CreateAgent(ctx, directory.AgentInput{Name: "Admin", Email: "admin@desk.example",
		Password: "correct horse battery", Role: auth.RoleAdmin})
	f.must(err)
	f.admin, err = f.auth.LoadPrincipal(ctx, admin.ID)
	f.must(err)
	agent, err := f.dir.CreateAgent(ctx, directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@desk.example",
		Password: "correct horse battery", Role: auth.RoleAgent})
	f.must(err)
	f.agent, err = f.auth.LoadPrincipal(ctx, agent.ID)
	f.must(err)
	f.company, err = f.dir.CreateCompany(ctx, directory.CompanyInput{Name: "Ziemeļu Tīkli", Domains: []string{"client.example"}})
	f.must(err)
	f.mailbox, err = f.mail.CreateMailbox(ctx, mailbox.MailboxInput{Address: "support@desk.example", Name: "Support",
		SMTP: mailbox.SMTPInput{Host: "smtp.desk.example", TLS: "none"}})
	f.must(err)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// after moves the portal's clock on.
func (f *fixture) after(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// contact adds a contact of the company (or, with companyless, of none).
func (f *fixture) contact(name, email string, company *int64) directory.Contact {
	f.t.Helper()
	c, err := f.dir.CreateContact(context.Background(), directory.ContactInput{Name: name, Email: email, CompanyID: company})
	f.must(err)
	return c
}

// invited is a contact with access to the portal and a password.
func (f *fixture) invited(name, email string, company *int64) portal.Account {
	f.t.Helper()
	ctx := context.Background()
	c := f.contact(name, email, company)
	_, err := f.svc.Invite(ctx, f.agent, c.ID)
	f.must(err)
	f.must(f.svc.SetPassword(ctx, c.ID, "portal password"))
	a, err := f.svc.FindAccount(ctx, c.ID)
	f.must(err)
	return a
}

var linkURL = regexp.MustCompile(`https://help\.example/portal/link/(\S+)`)

// letters are the link letters waiting to be sent, oldest first, as
// outbound would send them.
func (f *fixture) letters() []outbound.Letter {
	f.t.Helper()
	rows, err := f.d.R.QueryContext(context.Background(), `SELECT payload FROM jobs WHERE kind = $1 ORDER BY id`, outbound.KindLetter)
	f.must(err)
	defer rows.Close()
	var out []outbound.Letter
	for rows.Next() {
		var raw string
		f.must(rows.Scan(&raw))
		var p outbound.LetterPayload
		f.must(json.Unmarshal([]byte(raw), &p))
		l, ok, err := f.svc.LinkLetter(context.Background(), p.Ref)
		f.must(err)
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// lastToken is the link of the newest letter to the address.
func (f *fixture) lastToken(email string) string {
	f.t.Helper()
	var token string
	for _, l := range f.letters() {
		if m := linkURL.FindStringSubmatch(l.Body); m != nil && l.To == email {
			token = m[1]
		}
	}
	if token == "" {
		f.t.Fatalf("no link letter to %s", email)
	}
	return token
}

// count runs a count query.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	f.must(f.d.R.QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

// refusal is the reason of a Refusal, "" for any other error.
func refusal(err error) string {
	var r *portal.Refusal
	if errors.As(err, &r) {
		return r.Why
	}
	return ""
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// alter changes a token's last character, keeping it well-formed.
func alter(token string) string {
	last := "A"
	if strings.HasSuffix(token, "A") {
		last = "B"
	}
	return token[:len(token)-1] + last
}
