package agent_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

const password = "correct horse battery"

// desk is a running workspace with two groups and an agent in each.
type desk struct {
	t      *testing.T
	a      *app.App
	srv    *httptest.Server
	line1  directory.Group
	line2  directory.Group
	anna   directory.Agent // line 1
	ivan   directory.Agent // line 2
	admin  directory.Agent
	caller directory.Contact
}

func newDesk(t *testing.T) *desk { return newDeskWith(t, func(*config.Config) {}) }

// newDeskWith builds the desk on a configuration changed by set.
func newDeskWith(t *testing.T, set func(*config.Config)) *desk {
	t.Helper()
	cfg := config.Default()
	set(&cfg)
	cfg.DatabaseURL, cfg.DataDir = "sqlite:"+filepath.Join(t.TempDir(), "l.db"), t.TempDir()
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	d := &desk{t: t, a: a}
	d.srv = httptest.NewServer(a.Handler())
	t.Cleanup(d.srv.Close)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d.line1, err = a.Directory.CreateGroup(ctx, directory.GroupInput{Name: "Line 1 — Service desk"})
	must(err)
	d.line2, err = a.Directory.CreateGroup(ctx, directory.GroupInput{Name: "Line 2 — Network"})
	must(err)
	d.anna, err = a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@desk.example",
		Password: password, Role: auth.RoleAgent, Line: 1, GroupIDs: []int64{d.line1.ID}})
	must(err)
	d.ivan, err = a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Иван Петров", Email: "ivan@desk.example",
		Password: password, Role: auth.RoleAgent, Line: 2, GroupIDs: []int64{d.line2.ID}})
	must(err)
	d.admin, err = a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Admin", Email: "admin@desk.example",
		Password: password, Role: auth.RoleAdmin})
	must(err)
	d.caller, err = a.Directory.CreateContact(ctx, directory.ContactInput{Name: "Jānis Kalniņš", Email: "janis@client.example",
		Phone: "+371 2000 1234"})
	must(err)
	return d
}

// ticket opens a ticket in a group as the system.
func (d *desk) ticket(subject string, group directory.Group) ticket.Ticket {
	d.t.Helper()
	tk, err := d.a.Tickets.CreateTicket(context.Background(), auth.System(), ticket.NewTicket{Subject: subject,
		Description: "Details of " + subject, Requester: ticket.RequesterRef{ID: &d.caller.ID}, GroupID: &group.ID,
		Channel: ticket.ChannelAPI})
	if err != nil {
		d.t.Fatal(err)
	}
	return tk
}

// browser is one agent's cookie jar against the workspace.
type browser struct {
	t *testing.T
	d *desk
	c *http.Client
}

func (d *desk) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: d.t, d: d, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn signs the agent in and fails the test if that does not work.
func (d *desk) signIn(a directory.Agent) *browser {
	d.t.Helper()
	b := d.browser()
	res, _ := b.post("/login", url.Values{"email": {a.Email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		d.t.Fatalf("sign in as %s: %d", a.Email, res.StatusCode)
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

func wantStatus(t *testing.T, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, want)
	}
}

func wantContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("page lacks %q", p)
		}
	}
}

func (d *desk) principal(a directory.Agent) auth.Principal {
	d.t.Helper()
	p, err := d.a.Auth.LoadPrincipal(context.Background(), a.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
