package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/live"
	"linedesk/internal/mailbox"
	"linedesk/internal/outbound"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
	webportal "linedesk/internal/web/portal"
	"linedesk/internal/web/static"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const password = "portal password"

// desk is Linedesk with the portal served over HTTP, a client company
// and the people the tests act as.
type desk struct {
	t      *testing.T
	a      *app.App
	srv    *httptest.Server
	portal *webportal.Server
	hub    *live.Hub
	admin  auth.Principal
	agent  auth.Principal

	company directory.Company
	mailbox mailbox.Mailbox
}

// newDesk opens Linedesk on a temporary SQLite file with the options
// given (a plan policy, a promise) and serves the portal.
func newDesk(t *testing.T, opts ...app.Option) *desk {
	t.Helper()
	return newDeskOn(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db"), opts...)
}

// eachDatabase runs fn on a fresh SQLite file and on a fresh PostgreSQL
// database, as the subtests "sqlite" and "postgres".
func eachDatabase(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db")) })
	t.Run("postgres", func(t *testing.T) { _, url := dbtest.PostgresURL(t); fn(t, url) })
}

// newDeskOn is newDesk on the database at url.
func newDeskOn(t *testing.T, url string, opts ...app.Option) *desk {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = url, t.TempDir()
	cfg.BaseURL = "https://help.example"
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, cfg, log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	d := &desk{t: t, a: a, hub: live.NewHub(log)}
	d.serve(log)
	d.seed()
	return d
}

// serve builds the portal's handler on the application's services, with
// a live watcher of its own, and serves it.
func (d *desk) serve(log *slog.Logger) {
	t := d.t
	text, err := i18n.New()
	d.must(err)
	assets, err := static.New()
	d.must(err)
	sessions := scs.New()
	sessions.Store = auth.NewSessionStore(d.a.DB)
	sessions.Cookie.Name = "linedesk_portal"
	closing := make(chan struct{})
	d.portal = &webportal.Server{Log: log, Portal: d.a.Portal, Tickets: d.a.Tickets, Directory: d.a.Directory,
		Attachments: d.a.Attachments, Sessions: sessions, Text: text, Assets: assets, Hub: d.hub, Closing: closing,
		Promise: d.a.PortalPromise(), KB: d.a.KB, Plans: d.a.PortalPlans(), Search: d.a.Search}
	h, err := d.portal.Handler()
	d.must(err)
	ctx, cancel := context.WithCancel(context.Background())
	w := live.NewWatcher(d.a.DB, d.hub, log)
	w.Interval = 50 * time.Millisecond
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	d.srv = httptest.NewServer(h)
	t.Cleanup(func() { close(closing); d.srv.Close(); cancel(); <-done })
}

// work runs the application's job workers until the test ends: the
// search index's jobs among them.
func (d *desk) work() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.a.Jobs.Run(ctx, 2); close(done) }()
	d.t.Cleanup(func() { cancel(); <-done })
}

// indexed waits until the job workers (see work) have run every index
// job queued so far; one that died fails the test.
func (d *desk) indexed() {
	d.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d.a.Jobs.Wake()
		var waiting, dead int
		d.must(d.a.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind LIKE 'search.%' AND state IN ('pending', 'running')`).
			Scan(&waiting))
		d.must(d.a.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind LIKE 'search.%' AND state = 'dead'`).Scan(&dead))
		if dead > 0 {
			d.t.Fatalf("%d index jobs died", dead)
		}
		if waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%d index jobs still waiting", waiting)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (d *desk) seed() {
	ctx := context.Background()
	var err error
	admin, err := d.a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Admin", Email: "admin@desk.example",
		Password: "correct horse battery", Role: auth.RoleAdmin})
	d.must(err)
	d.admin, err = d.a.Auth.LoadPrincipal(ctx, admin.ID)
	d.must(err)
	agent, err := d.a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@desk.example",
		Password: "correct horse battery", Role: auth.RoleAgent})
	d.must(err)
	d.agent, err = d.a.Auth.LoadPrincipal(ctx, agent.ID)
	d.must(err)
	d.company, err = d.a.Directory.CreateCompany(ctx, directory.CompanyInput{Name: "Ziemeļu Tīkli", Domains: []string{"client.example"}})
	d.must(err)
	d.mailbox, err = d.a.Mailboxes.CreateMailbox(ctx, mailbox.MailboxInput{Address: "support@desk.example", Name: "Support",
		SMTP: mailbox.SMTPInput{Host: "127.0.0.1", Port: 1, TLS: "none"}})
	d.must(err)
}

func (d *desk) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// customer is a contact with portal access and a password.
func (d *desk) customer(name, email string, company *int64, manager bool) portal.Account {
	d.t.Helper()
	ctx := context.Background()
	c, err := d.a.Directory.CreateContact(ctx, directory.ContactInput{Name: name, Email: email, CompanyID: company})
	d.must(err)
	_, err = d.a.Portal.Invite(ctx, d.agent, c.ID)
	d.must(err)
	d.must(d.a.Portal.SetPassword(ctx, c.ID, password))
	a, err := d.a.Portal.UpdateAccount(ctx, d.admin, c.ID, portal.AccountUpdate{Manager: &manager})
	d.must(err)
	return a
}

// ticketOf opens a ticket for the contact as the team would.
func (d *desk) ticketOf(contactID int64, subject string) ticket.Ticket {
	d.t.Helper()
	tk, err := d.a.Tickets.CreateTicket(context.Background(), d.admin, ticket.NewTicket{Subject: subject,
		Description: "Details of " + subject, Requester: ticket.RequesterRef{ID: &contactID}, Channel: ticket.ChannelPortal})
	d.must(err)
	return tk
}

// browser is one person's cookie jar against the portal.
type browser struct {
	t *testing.T
	d *desk
	c *http.Client
}

func (d *desk) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: d.t, d: d, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs the customer in with their password.
func (d *desk) signIn(email string) *browser {
	d.t.Helper()
	b := d.browser()
	res, body := b.post("/portal/signin", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/tickets" {
		d.t.Fatalf("sign in as %s: %d %s %.300s", email, res.StatusCode, res.Header.Get("Location"), body)
	}
	return b
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.d.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.d.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.d.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// multipart posts a form with files from the portal's own pages.
func (b *browser) multipart(path string, fields map[string]string, files map[string]string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, content := range files {
		field, file, _ := strings.Cut(name, ":")
		fw, _ := w.CreateFormFile(field, file)
		fw.Write([]byte(content))
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.d.srv.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.d.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var linkToken = regexp.MustCompile(`https://help\.example/portal/link/(\S+)`)

// lastLink is the token of the newest link letter to the address, as it
// would be mailed.
func (d *desk) lastLink(email string) string {
	d.t.Helper()
	ctx := context.Background()
	rows, err := d.a.DB.R.QueryContext(ctx, `SELECT payload FROM jobs WHERE kind = 'email.letter' ORDER BY id`)
	d.must(err)
	defer rows.Close()
	var token string
	for rows.Next() {
		var raw string
		d.must(rows.Scan(&raw))
		l, ok := d.letter(raw)
		if m := linkToken.FindStringSubmatch(l.Body); ok && m != nil && l.To == email {
			token = m[1]
		}
	}
	if token == "" {
		d.t.Fatalf("no link letter to %s", email)
	}
	return token
}

func wantStatus(t *testing.T, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, want)
	}
}

// letter is a letter job's letter, as outbound would send it.
func (d *desk) letter(payload string) (outbound.Letter, bool) {
	d.t.Helper()
	var p outbound.LetterPayload
	d.must(json.Unmarshal([]byte(payload), &p))
	l, ok, err := d.a.Portal.LinkLetter(context.Background(), p.Ref)
	d.must(err)
	return l, ok
}

// testLog shows the application's warnings and errors beside the test's
// output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
