package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// The whole workspace is tested here as an agent uses it: the real
// application on a temporary SQLite file, driven by a headless Chromium.

const (
	e2eChromium = "/usr/bin/chromium" // Debian's; else the first chromium on PATH
	e2ePassword = "correct horse battery"
	e2eW, e2eH  = 1366, 768
	e2eWait     = 15 * time.Second // the longest any one step may take
)

// e2eDesk is one running Linedesk with its people, and a browser to use it.
type e2eDesk struct {
	t       *testing.T
	chrome  string // the browser's executable
	app     *app.App
	base    string          // http://127.0.0.1:port
	browser context.Context // the browser; tabs are made from it
	token   string          // the administrator's API token

	admin, anna, ivan directory.Agent
	line1, line2      directory.Group
	company           directory.Company
	caller            directory.Contact // a contact of the company
}

// Names the tests look for.
const (
	e2eAnnaName    = "Anna Bērziņa"
	e2eIvanName    = "Иван Петров"
	e2eCompanyName = "Общество с ограниченной ответственностью «Северо-Западная телекоммуникационная компания»"
)

// e2eNeedBrowser returns Chromium's executable. It skips the test when
// there is none, unless CI requires a browser.
func e2eNeedBrowser(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(e2eChromium); err == nil {
		return e2eChromium
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	if os.Getenv("LINEDESK_REQUIRE_BROWSER") == "1" {
		t.Fatalf("no Chromium at %s or on PATH, and LINEDESK_REQUIRE_BROWSER=1", e2eChromium)
	}
	t.Skip("no Chromium; set LINEDESK_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// e2eStart runs Linedesk with two groups, an administrator, Anna (line 1,
// group 1) and Иван (line 2, group 2), a company and its contact, and
// starts a browser. Everything stops when the test ends.
func e2eStart(t *testing.T) *e2eDesk {
	t.Helper()
	chrome := e2eNeedBrowser(t)
	d := e2eStartApp(t)
	d.chrome = chrome
	d.startBrowser()
	return d
}

// e2eStartApp is e2eStart without the browser, for tests that speak
// plain HTTP.
func e2eStartApp(t *testing.T) *e2eDesk {
	t.Helper()
	d := &e2eDesk{t: t}
	d.startApp()
	d.seed()
	return d
}

func (d *e2eDesk) startApp() {
	t := d.t
	cfg := config.Default()
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "linedesk.db")
	cfg.DataDir, cfg.HTTPAddr, cfg.SMTPAddr = t.TempDir(), "127.0.0.1:0", ""
	cfg.AdminEmail, cfg.AdminPassword = "admin@example.com", e2ePassword
	cfg.ShutdownTimeout = 5 * time.Second
	log := slog.New(slog.NewTextHandler(&e2eLog{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := a.Bootstrap(ctx, &out); err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(out.String(), "API token: ")
	d.token, _, _ = strings.Cut(token, "\n")
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		a.Close()
	})
	d.app, d.base = a, "http://"+a.Addr()
}

// e2eLog shows the application's warnings and errors in the test's
// output, where a failing step can be read beside them.
type e2eLog struct{ t *testing.T }

func (l *e2eLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (d *e2eDesk) seed() {
	t, ctx, dir := d.t, context.Background(), d.app.Directory
	var err error
	if d.admin, err = dir.FindAgentByEmail(ctx, "admin@example.com"); err != nil {
		t.Fatal(err)
	}
	if d.line1, err = dir.CreateGroup(ctx, directory.GroupInput{Name: "Line 1 — Service desk"}); err != nil {
		t.Fatal(err)
	}
	if d.line2, err = dir.CreateGroup(ctx, directory.GroupInput{Name: "Line 2 — Network"}); err != nil {
		t.Fatal(err)
	}
	d.anna = d.agent(directory.AgentInput{Name: e2eAnnaName, Email: "anna@example.com", Line: 1,
		TimeZone: "Europe/Riga", GroupIDs: []int64{d.line1.ID}})
	d.ivan = d.agent(directory.AgentInput{Name: e2eIvanName, Email: "ivan@example.com", Line: 2,
		TimeZone: "Europe/Moscow", GroupIDs: []int64{d.line2.ID}})
	if d.company, err = dir.CreateCompany(ctx, directory.CompanyInput{Name: e2eCompanyName, Domains: []string{"sztk.example"}}); err != nil {
		t.Fatal(err)
	}
	if d.caller, err = dir.CreateContact(ctx, directory.ContactInput{Name: "Мария Кузнецова", Email: "maria@sztk.example",
		Phone: "+7 812 555 0101", CompanyID: &d.company.ID}); err != nil {
		t.Fatal(err)
	}
}

func (d *e2eDesk) agent(in directory.AgentInput) directory.Agent {
	in.Password, in.Role = e2ePassword, auth.RoleAgent
	a, err := d.app.Directory.CreateAgent(context.Background(), in)
	if err != nil {
		d.t.Fatal(err)
	}
	return a
}

// in is the desk as seen from a subtest, so that its helpers fail the
// subtest and not its parent.
func (d *e2eDesk) in(t *testing.T) *e2eDesk {
	c := *d
	c.t = t
	return &c
}

// as is the principal of an agent, to seed data in their name.
func (d *e2eDesk) as(a directory.Agent) auth.Principal {
	p, err := d.app.Auth.LoadPrincipal(context.Background(), a.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// ticket opens a ticket for the company's contact in Anna's name.
func (d *e2eDesk) ticket(subject, description string, group *int64) ticket.Ticket {
	d.t.Helper()
	tk, err := d.app.Tickets.CreateTicket(context.Background(), d.as(d.anna), ticket.NewTicket{Subject: subject,
		Description: description, Requester: ticket.RequesterRef{ID: &d.caller.ID}, Channel: ticket.ChannelEmail,
		GroupID: group})
	if err != nil {
		d.t.Fatal(err)
	}
	return tk
}

// startBrowser starts a headless Chromium for the test.
func (d *e2eDesk) startBrowser() {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(d.chrome),
		chromedp.NoSandbox, chromedp.WindowSize(e2eW, e2eH), chromedp.Flag("lang", "en-GB"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		d.t.Fatalf("start Chromium: %v", err)
	}
	d.t.Cleanup(func() { cancel(); cancelAlloc() })
	d.browser = ctx
}

// tab opens a window with a cookie jar of its own, as a second person's
// browser would have; it closes when the test ends.
func (d *e2eDesk) tab() context.Context {
	ctx, cancel := chromedp.NewContext(d.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(e2eW, e2eH)); err != nil {
		cancel()
		d.t.Fatalf("open a window: %v", err)
	}
	d.t.Cleanup(cancel)
	return ctx
}

// do runs browser steps, failing the test with what was being done.
func (d *e2eDesk) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks a button that sends a form and waits for the page the
// answer shows; it returns the answer's HTTP status.
func (d *e2eDesk) submit(ctx context.Context, button string, before ...chromedp.Action[chromedp.Void]) int64 {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	steps := append(before, chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		d.t.Fatalf("submit with %s: %v", button, err)
	}
	return res.Status
}

// open loads a page of the workspace and returns its HTTP status.
func (d *e2eDesk) open(ctx context.Context, path string) int64 {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(d.base+path))
	if err != nil {
		d.t.Fatalf("open %s: %v", path, err)
	}
	return res.Status
}

// login signs in through the sign-in form and returns the status of the
// page it lands on.
func (d *e2eDesk) login(ctx context.Context, email, pass string) int64 {
	d.t.Helper()
	d.open(ctx, "/login")
	return d.submit(ctx, `.auth-card button[type=submit]`,
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), pass))
}

// signedIn is a new window in which the agent has signed in.
func (d *e2eDesk) signedIn(a directory.Agent) context.Context {
	d.t.Helper()
	ctx := d.tab()
	if st := d.login(ctx, a.Email, e2ePassword); st != http.StatusOK {
		d.t.Fatalf("%s signs in: status %d", a.Name, st)
	}
	return ctx
}

// e2eEval returns the value of a JavaScript expression in the page, once
// a promise it gives has settled.
func e2eEval[T any](d *e2eDesk, ctx context.Context, expr string) T {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		d.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text is the text an element shows; "" when there is no such element.
func (d *e2eDesk) text(ctx context.Context, css string) string {
	d.t.Helper()
	return e2eEval[string](d, ctx, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css))
}

// path is the path of the page the window shows.
func (d *e2eDesk) path(ctx context.Context) string {
	d.t.Helper()
	return e2eEval[string](d, ctx, `location.pathname + location.search`)
}

// waitUntil polls a JavaScript condition in the page until it holds; it
// fails the test with what was expected when it does not in time. A page
// being replaced in between only means polling on.
func (d *e2eDesk) waitUntil(ctx context.Context, what, cond string) {
	d.t.Helper()
	deadline := time.Now().Add(e2eWait)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		step, cancel := context.WithTimeout(ctx, time.Second)
		ok, err = chromedp.Run(step, chromedp.Evaluate[bool]("!!("+cond+")", chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("waiting until %s: not so after %s (last error: %v)", what, e2eWait, err)
}

// screenshot saves what the window shows as dir/name.png when
// LINEDESK_SCREENSHOTS=dir is set.
func (d *e2eDesk) screenshot(ctx context.Context, name string) {
	d.t.Helper()
	dir := os.Getenv("LINEDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		d.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// client is a plain HTTP client signed in as the agent, for requests a
// browser would not make.
func (d *e2eDesk) client(a directory.Agent) *http.Client {
	d.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: e2eWait}
	res, err := c.PostForm(d.base+"/login", url.Values{"email": {a.Email}, "password": {e2ePassword}})
	if err != nil {
		d.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/login" {
		d.t.Fatalf("%s signs in over HTTP: status %d at %s", a.Name, res.StatusCode, res.Request.URL)
	}
	return c
}

// api calls the REST API as the administrator and decodes the answer.
func (d *e2eDesk) api(method, path string, body, out any) {
	d.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, d.base+"/api/v1"+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		d.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			d.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// e2eCatalog is a language's workspace messages, as the catalog file has
// them: plain texts, and the "other" form of plurals.
func e2eCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "i18n", "locales", "workspace."+lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(msgs))
	for k, m := range msgs {
		var s string
		if json.Unmarshal(m, &s) == nil {
			out[k] = s
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(m, &forms); err != nil {
			t.Fatalf("%s: message %s: %v", lang, k, err)
		}
		out[k] = forms["other"]
	}
	return out
}

// e2eFill puts a go-i18n message's {{.Name}} fields in.
func e2eFill(msg string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		msg = strings.ReplaceAll(msg, "{{."+kv[i]+"}}", kv[i+1])
	}
	return msg
}

// frame is a window's frame at url that runs in a process of its own, as
// Chromium runs sandboxed frames, to look inside it.
func (d *e2eDesk) frame(ctx context.Context, url string) context.Context {
	d.t.Helper()
	parent := chromedp.FromContext(ctx).Target.TargetID
	deadline := time.Now().Add(e2eWait)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			d.t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && info.URL == url && info.ParentID == parent {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
				d.t.Cleanup(cancel)
				// The first run attaches for as long as its context
				// lives: it must not be a step's short one.
				if err := chromedp.Do(fctx); err != nil {
					d.t.Fatalf("attach to the frame at %s: %v", url, err)
				}
				return fctx
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("no frame at %s in the window", url)
	return nil
}
