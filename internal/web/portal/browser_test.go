package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httputil"
	netmail "net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	gosmtp "github.com/emersion/go-smtp"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/directory"
	"linedesk/internal/mailbox"
	"linedesk/internal/portal"
)

// The portal is tested here as customers use it: the whole application
// on a temporary SQLite file, serving and working, its mail caught by an
// SMTP server of the test, driven by a headless Chromium.

const (
	e2eChromium = "/usr/bin/chromium"
	e2eWait     = 15 * time.Second
)

// Window sizes of the screenshots and tests: a laptop and a phone.
var (
	laptop = [2]int64{1366, 768}
	phone  = [2]int64{390, 844}
)

// e2eNeedBrowser returns Chromium's executable; without one the test is
// skipped, unless LINEDESK_REQUIRE_BROWSER=1 makes that a failure.
func e2eNeedBrowser(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(e2eChromium); err == nil {
		return e2eChromium
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("LINEDESK_REQUIRE_BROWSER") == "1" {
		t.Fatalf("no Chromium at %s or on PATH, and LINEDESK_REQUIRE_BROWSER=1", e2eChromium)
	}
	t.Skip("no Chromium; set LINEDESK_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// e2e is a running Linedesk, its outgoing mail, and a browser.
type e2e struct {
	t       *testing.T
	a       *app.App
	base    string // http://127.0.0.1:port, the portal's origin
	sink    *sink
	browser context.Context
	admin   auth.Principal
	agent   auth.Principal
	company directory.Company
}

func e2eStart(t *testing.T) *e2e {
	t.Helper()
	chrome := e2eNeedBrowser(t)
	e := &e2e{t: t, sink: startSink(t)}
	e.startApp()
	e.seed()
	e.startBrowser(chrome)
	return e
}

func (e *e2e) startApp() {
	t := e.t
	addr := freeAddr(t)
	cfg := config.Default()
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "linedesk.db")
	cfg.DataDir, cfg.HTTPAddr, cfg.SMTPAddr = t.TempDir(), addr, ""
	cfg.BaseURL, cfg.ShutdownTimeout = "http://"+addr, 5*time.Second
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		a.Close()
	})
	e.a, e.base = a, "http://"+a.Addr()
}

func (e *e2e) seed() {
	ctx := context.Background()
	dir := e.a.Directory
	admin, err := dir.CreateAgent(ctx, directory.AgentInput{Name: "Admin", Email: "admin@desk.example",
		Password: "correct horse battery", Role: auth.RoleAdmin})
	e.must(err)
	e.admin, err = e.a.Auth.LoadPrincipal(ctx, admin.ID)
	e.must(err)
	agent, err := dir.CreateAgent(ctx, directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@desk.example",
		Password: "correct horse battery", Role: auth.RoleAgent})
	e.must(err)
	e.agent, err = e.a.Auth.LoadPrincipal(ctx, agent.ID)
	e.must(err)
	e.company, err = dir.CreateCompany(ctx, directory.CompanyInput{Name: "Ziemeļu Tīkli", Domains: []string{"client.example"}})
	e.must(err)
	_, err = e.a.Mailboxes.CreateMailbox(ctx, mailbox.MailboxInput{Address: "support@desk.example", Name: "Support",
		SMTP: mailbox.SMTPInput{Host: e.sink.host, Port: e.sink.port, TLS: "none"}})
	e.must(err)
}

func (e *e2e) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) startBrowser(chrome string) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.WindowSize(int(laptop[0]), int(laptop[1])), chromedp.Flag("lang", "en-GB"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		e.t.Fatalf("start Chromium: %v", err)
	}
	e.t.Cleanup(func() { cancel(); cancelAlloc() })
	e.browser = ctx
}

// tab opens a window of its own size with a cookie jar of its own, as
// another person's browser would have.
func (e *e2e) tab(size [2]int64) context.Context {
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	var opts []chromedp.EmulateViewportOption
	if size == phone {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1], opts...)); err != nil {
		cancel()
		e.t.Fatalf("open a window: %v", err)
	}
	e.t.Cleanup(cancel)
	return ctx
}

// do runs browser steps, failing the test with what was being done.
func (e *e2e) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page and returns its HTTP status.
func (e *e2e) open(ctx context.Context, url string) int64 {
	e.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = e.base + url
	}
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		e.t.Fatalf("open %s: %v", url, err)
	}
	return res.Status
}

// submit clicks a button that sends a form and waits for the answer.
func (e *e2e) submit(ctx context.Context, button string, before ...chromedp.Action[chromedp.Void]) int64 {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, append(before, chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))...)
	if err != nil {
		e.t.Fatalf("submit with %s: %v", button, err)
	}
	return res.Status
}

func eval[T any](e *e2e, ctx context.Context, expr string) T {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text is what an element shows; "" when there is none.
func (e *e2e) text(ctx context.Context, css string) string {
	e.t.Helper()
	return eval[string](e, ctx, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css))
}

// waitUntil polls a condition in the page until it holds.
func (e *e2e) waitUntil(ctx context.Context, what, cond string) {
	e.t.Helper()
	deadline := time.Now().Add(e2eWait)
	var err error
	for time.Now().Before(deadline) {
		step, cancel := context.WithTimeout(ctx, time.Second)
		var ok bool
		ok, err = chromedp.Run(step, chromedp.Evaluate[bool]("!!("+cond+")", chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("waiting until %s: not so after %s (last error: %v)", what, e2eWait, err)
}

// screenshot saves the window as dir/name.png when LINEDESK_SCREENSHOTS
// names a directory.
func (e *e2e) screenshot(ctx context.Context, name string) {
	e.t.Helper()
	dir := os.Getenv("LINEDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	e.must(err)
	e.must(os.MkdirAll(dir, 0o755))
	e.must(os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// mailTo waits for a mail to the address that contains want, and returns
// its text.
func (e *e2e) mailTo(addr, want string) string {
	e.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for time.Now().Before(deadline) {
		for _, m := range e.sink.all() {
			if text := mailText(m); strings.Contains(strings.ToLower(m), "to: ") && strings.Contains(m, addr) && strings.Contains(text, want) {
				return text
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("no mail to %s with %q came", addr, want)
	return ""
}

var mailURL = regexp.MustCompile(`https?://\S+`)

// mailText is a mail's plain text, decoded.
func mailText(raw string) string {
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return ""
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(m.Body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err != nil {
				return ""
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
				b, _ := io.ReadAll(p)
				return string(b)
			}
		}
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, _ := io.ReadAll(body)
	return string(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// sink is a real SMTP server keeping every message it accepts.
type sink struct {
	host string
	port int
	mu   sync.Mutex
	msgs []string
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{host: "127.0.0.1"}
	srv := gosmtp.NewServer(s)
	srv.Domain = "sink.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.port = l.Addr().(*net.TCPAddr).Port
	return s
}

func (s *sink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func (s *sink) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s}, nil }

type sinkSession struct{ s *sink }

func (ss *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (ss *sinkSession) Reset()                                 {}
func (ss *sinkSession) Logout() error                          { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, string(b))
	ss.s.mu.Unlock()
	return err
}

// site is a client's web site on another origin, with a page per path.
func site(t *testing.T, pages map[string]string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// customer gives a contact access with a password, for tests that start
// signed in.
func (e *e2e) customer(name, email string, manager bool) portal.Account {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.a.Directory.CreateContact(ctx, directory.ContactInput{Name: name, Email: email, CompanyID: &e.company.ID})
	e.must(err)
	_, err = e.a.Portal.Invite(ctx, e.agent, c.ID)
	e.must(err)
	e.must(e.a.Portal.SetPassword(ctx, c.ID, password))
	a, err := e.a.Portal.UpdateAccount(ctx, e.admin, c.ID, portal.AccountUpdate{Manager: &manager})
	e.must(err)
	return a
}

// signIn is a new window in which the customer has signed in.
func (e *e2e) signIn(email string, size [2]int64) context.Context {
	e.t.Helper()
	ctx := e.tab(size)
	e.open(ctx, "/portal/")
	if st := e.submit(ctx, "#signin-submit",
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=password]`), password)); st != http.StatusOK {
		e.t.Fatalf("%s signs in: status %d", email, st)
	}
	return ctx
}

// offline makes the page believe the network is gone (navigator.onLine).
func offline(on bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: on,
			DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	}
}

// networkSwitch stands between the browser and Linedesk like a network
// that can go down.
type networkSwitch struct {
	url string
	srv *http.Server
}

func newSwitch(t *testing.T, target string) *networkSwitch {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.FlushInterval = -1
	s := &networkSwitch{url: "http://" + l.Addr().String(), srv: &http.Server{Handler: proxy}}
	go s.srv.Serve(l)
	t.Cleanup(s.off)
	return s
}

// off takes the network down: connections are refused from now on.
func (s *networkSwitch) off() { s.srv.Close() }
