package agent_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/live"
	"linedesk/internal/view"
	"linedesk/internal/web/agent"
	"linedesk/internal/web/static"
)

const adminPass = "admin screens password"

// adminDesk is the workspace built the way the application builds it, on
// SQLite, with an administrator and an agent to sign in as. With check,
// mailbox connection tests use the real IMAP and SMTP checks; without,
// the workspace has no checker.
type adminDesk struct {
	t     *testing.T
	a     *app.App
	srv   *httptest.Server
	admin directory.Agent
	agent directory.Agent
}

func newAdminDesk(t *testing.T, check bool) *adminDesk {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = "sqlite:"+filepath.Join(t.TempDir(), "l.db"), t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log)
	admMust(t, err)
	t.Cleanup(func() { a.Close() })
	text, err := i18n.New()
	admMust(t, err)
	assets, err := static.New()
	admMust(t, err)
	sessions := scs.New()
	sessions.Store = auth.NewSessionStore(a.DB)
	sessions.Cookie.Name = "linedesk_session"
	hub := live.NewHub(log)
	closing := make(chan struct{})
	t.Cleanup(func() { close(closing) })
	s := &agent.Server{Log: log, Auth: a.Auth, Directory: a.Directory, Tickets: a.Tickets, Attachments: a.Attachments,
		Jobs: a.Jobs, Mailboxes: a.Mailboxes, Sessions: sessions, Text: text, Assets: assets, Hub: hub,
		Presence: live.NewPresence(hub, log), Watcher: live.NewWatcher(a.DB, hub, log), Views: view.NewService(a.DB),
		SLA: a.SLA, Version: "test", Closing: closing, Portal: a.Portal, KB: a.KB, Scripts: a.Scripts, Replies: a.Replies,
		Search: a.Search, Routing: a.Routing, Assign: a.Assign}
	if check {
		s.MailboxChecker = a
	}
	h, err := s.Handler()
	admMust(t, err)
	d := &adminDesk{t: t, a: a, srv: httptest.NewServer(h)}
	t.Cleanup(d.srv.Close)
	d.admin, err = a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Alise Admin", Email: "alise@desk.example",
		Password: adminPass, Role: auth.RoleAdmin})
	admMust(t, err)
	d.agent, err = a.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Pēteris Agent", Email: "peteris@desk.example",
		Password: adminPass, Role: auth.RoleAgent})
	admMust(t, err)
	return d
}

// adminClient is one browser: a cookie jar that does not follow redirects.
type adminClient struct {
	t *testing.T
	d *adminDesk
	c *http.Client
}

func (d *adminDesk) client() *adminClient {
	jar, _ := cookiejar.New(nil)
	return &adminClient{t: d.t, d: d, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as signs a in with its password.
func (d *adminDesk) as(a directory.Agent) *adminClient {
	d.t.Helper()
	return d.signIn(a.Email, adminPass)
}

func (d *adminDesk) signIn(email, password string) *adminClient {
	d.t.Helper()
	c := d.client()
	res, _ := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		d.t.Fatalf("sign in as %s: status %d", email, res.StatusCode)
	}
	return c
}

func (c *adminClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.d.srv.URL+path, body)
	admMust(c.t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.d.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	res, err := c.c.Do(req)
	admMust(c.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *adminClient) get(path string) (*http.Response, string) {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil)
}

func (c *adminClient) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, path, form)
}

// page gets a page that must answer 200.
func (c *adminClient) page(path string) string {
	c.t.Helper()
	res, body := c.get(path)
	admStatus(c.t, res, http.StatusOK)
	return body
}

// submit posts a form that must succeed and redirect; it returns where to.
func (c *adminClient) submit(path string, form url.Values) string {
	c.t.Helper()
	res, body := c.post(path, form)
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST %s: status %d, want 303\n%s", path, res.StatusCode, admMain(body))
	}
	return res.Header.Get("Location")
}

// refused posts a form that must be answered with status and show want
// on the page again.
func (c *adminClient) refused(path string, form url.Values, status int, want ...string) string {
	c.t.Helper()
	res, body := c.post(path, form)
	admStatus(c.t, res, status)
	admContains(c.t, body, want...)
	return body
}

func admStatus(t *testing.T, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, want)
	}
}

// admContains checks the page shows every part, as HTML escapes it.
func admContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) && !strings.Contains(body, admEscape(p)) {
			t.Errorf("page lacks %q:\n%s", p, admMain(body))
		}
	}
}

func admEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

var admMainPart = regexp.MustCompile(`(?s)<main id="main">(.*)</main>`)

// admMain is the page's content, for failure messages.
func admMain(body string) string {
	if m := admMainPart.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return body
}

func admMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// count runs a count(*) query.
func (d *adminDesk) count(query string, args ...any) int {
	d.t.Helper()
	var n int
	admMust(d.t, d.a.DB.R.QueryRow(query, args...).Scan(&n))
	return n
}
