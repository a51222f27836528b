package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/config"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/live"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
	webportal "linedesk/internal/web/portal"
	"linedesk/internal/web/static"
)

// benchPortal is the portal over 100,000 generated tickets: a company
// of 100 contacts (about 10,000 tickets) whose manager and one plain
// member sign in, and one ticket with 30 public replies. Requests go
// straight to the handler: the figures are server time.
type benchPortal struct {
	a       *app.App
	h       http.Handler
	manager string // session cookies
	member  string
	long    int64 // the number of the ticket with 30 replies
}

func newBenchPortal(b *testing.B, databaseURL string) *benchPortal {
	b.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = databaseURL, b.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log)
	must(b, err)
	b.Cleanup(func() { a.Close() })
	seed, err := benchutil.SeedTickets(ctx, a.DB, 100_000)
	must(b, err)
	co, err := a.Directory.CreateCompany(ctx, directory.CompanyInput{Name: "Big client", Domains: []string{"big.example"}})
	must(b, err)
	members := seed.Contacts[:100]
	in := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(members)), ","), "[]")
	for _, q := range []string{`UPDATE contacts SET company_id = $1 WHERE id IN (` + in + `)`,
		`UPDATE tickets SET company_id = $1 WHERE requester_id IN (` + in + `)`} {
		_, err := a.DB.W.ExecContext(ctx, q, co.ID)
		must(b, err)
	}
	if a.DB.Dialect == db.Postgres {
		// As autovacuum would after the change, before the pages are read.
		_, err = a.DB.W.ExecContext(ctx, `VACUUM ANALYZE`)
		must(b, err)
	}
	p := &benchPortal{a: a, h: benchHandler(b, a, log)}
	p.manager = p.signIn(b, members[0], true)
	p.member = p.signIn(b, members[1], false)
	tk, err := a.Tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Long conversation", Description: "It goes on.",
		Requester: ticket.RequesterRef{ID: &members[1]}})
	must(b, err)
	for i := range 30 {
		_, err := a.Tickets.AddComment(ctx, auth.System(), tk.ID, ticket.NewComment{Public: i%5 != 4,
			Body: fmt.Sprintf("Message %d: the VPN dropped again at %02d:15; the log shows error 0x80070005.", i, i%24)})
		must(b, err)
	}
	p.long = tk.Number
	return p
}

func benchHandler(b *testing.B, a *app.App, log *slog.Logger) http.Handler {
	text, err := i18n.New()
	must(b, err)
	assets, err := static.New()
	must(b, err)
	sessions := scs.New()
	sessions.Store = auth.NewSessionStore(a.DB)
	sessions.Cookie.Name = "linedesk_portal"
	s := &webportal.Server{Log: log, Portal: a.Portal, Tickets: a.Tickets, Directory: a.Directory, Attachments: a.Attachments,
		Sessions: sessions, Text: text, Assets: assets, Hub: live.NewHub(log), Closing: make(chan struct{}), KB: a.KB, Plans: a.PortalPlans()}
	h, err := s.Handler()
	must(b, err)
	return h
}

// signIn gives the contact access and returns a session cookie.
func (p *benchPortal) signIn(b *testing.B, contactID int64, manager bool) string {
	ctx := context.Background()
	admin := auth.System()
	admin.AgentID = 1
	_, err := p.a.Portal.Invite(ctx, admin, contactID)
	must(b, err)
	must(b, p.a.Portal.SetPassword(ctx, contactID, password))
	_, err = p.a.Portal.UpdateAccount(ctx, auth.System(), contactID, portal.AccountUpdate{Manager: &manager})
	must(b, err)
	var email string
	_, err = p.a.DB.W.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)
		ON CONFLICT DO NOTHING`, fmt.Sprintf("c%d@big.example", contactID), contactID)
	must(b, err)
	must(b, p.a.DB.R.QueryRowContext(ctx, `SELECT email FROM contact_emails WHERE contact_id = $1`, contactID).Scan(&email))
	req := httptest.NewRequest(http.MethodPost, "/portal/signin", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "linedesk_portal" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("sign-in answered %d", rec.Code)
	return ""
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func (p *benchPortal) get(b *testing.B, cookie, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

func benchPortalRun(b *testing.B, run func(b *testing.B, p *benchPortal)) {
	b.Run("sqlite", func(b *testing.B) { run(b, newBenchPortal(b, "sqlite:"+filepath.Join(b.TempDir(), "l.db"))) })
	b.Run("postgres", func(b *testing.B) { _, url := dbtest.PostgresURL(b); run(b, newBenchPortal(b, url)) })
}

func benchPortalPage(b *testing.B, cookie func(*benchPortal) string, path func(*benchPortal) string) {
	benchPortalRun(b, func(b *testing.B, p *benchPortal) {
		c, u := cookie(p), path(p)
		var rec benchutil.Recorder
		for b.Loop() {
			rec.Time(func() { p.get(b, c, u) })
		}
		rec.Report(b)
	})
}

// BenchmarkPortalCompanyList renders a company manager's list of the
// company's open tickets (25 rows of about 10,000) from 100,000 tickets.
func BenchmarkPortalCompanyList(b *testing.B) {
	benchPortalPage(b, func(p *benchPortal) string { return p.manager },
		func(*benchPortal) string { return "/portal/tickets?scope=company&status=open" })
}

// BenchmarkPortalOwnList renders a customer's own open tickets.
func BenchmarkPortalOwnList(b *testing.B) {
	benchPortalPage(b, func(p *benchPortal) string { return p.member }, func(*benchPortal) string { return "/portal/tickets" })
}

// BenchmarkPortalTicketPage renders a ticket with 30 comments as its
// requester sees it.
func BenchmarkPortalTicketPage(b *testing.B) {
	benchPortalPage(b, func(p *benchPortal) string { return p.member },
		func(p *benchPortal) string { return fmt.Sprintf("/portal/tickets/%d", p.long) })
}

// BenchmarkFormSubmit takes web form submissions, each from another
// client and address, one at a time: every check, the limits, a new
// contact, the ticket and its receipt.
func BenchmarkFormSubmit(b *testing.B) {
	benchPortalRun(b, func(b *testing.B, p *benchPortal) {
		ctx := context.Background()
		f, err := p.a.Portal.CreateForm(ctx, auth.System(), portal.FormInput{Name: "Contact us", Origins: []string{"https://www.big.example"},
			Fields: []portal.FormField{{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail"}},
				{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "Message"}}}})
		must(b, err)
		started := p.a.Portal.StartToken(f.ID, time.Now().Add(-time.Minute))
		var rec benchutil.Recorder
		i := 0
		for b.Loop() {
			i++
			sub := portal.Submission{FormID: f.ID, Origin: "https://www.big.example", Started: started,
				IP:     fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
				Values: map[string]string{"email": fmt.Sprintf("person%d@big.example", i), "message": "The printer jams."}}
			rec.Time(func() {
				if _, err := p.a.Portal.Submit(ctx, sub, "en"); err != nil {
					b.Fatal(err)
				}
			})
		}
		rec.Report(b)
	})
}
