package agent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/config"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

// benchDesk is a workspace over generated tickets (100,000, or
// LINEDESK_BENCH_DESK_TICKETS), one of them with 100 comments, and the
// session cookie of an agent of the first group. Requests go straight to
// the handler: the figures are server time.
type benchDesk struct {
	h       http.Handler
	cookie  string
	group   int64
	long    int64 // the ticket with 100 comments
	tickets *ticket.Service
	app     *app.App
}

func newBenchDesk(b *testing.B, databaseURL string) *benchDesk {
	b.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = databaseURL, b.TempDir()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("LINEDESK_BENCH_DESK_TICKETS")); err == nil && v > 0 {
		n = v
	}
	seed, err := benchutil.SeedTickets(ctx, a.DB, n)
	if err != nil {
		b.Fatal(err)
	}
	hash, _ := auth.HashPassword(password)
	agentID := seed.Agents[0]
	if _, err := a.DB.W.ExecContext(ctx, `UPDATE agents SET password_hash = $1 WHERE id = $2`, hash, agentID); err != nil {
		b.Fatal(err)
	}
	var email string
	a.DB.R.QueryRowContext(ctx, `SELECT email FROM agents WHERE id = $1`, agentID).Scan(&email)
	p, err := a.Auth.LoadPrincipal(ctx, agentID)
	if err != nil {
		b.Fatal(err)
	}
	d := &benchDesk{h: a.Handler(), group: p.GroupIDs[0], tickets: a.Tickets, app: a}
	long, err := a.Tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Long conversation",
		Description: "It goes on.", Requester: ticket.RequesterRef{ID: &seed.Contacts[0]}, GroupID: &d.group, Channel: ticket.ChannelEmail})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		body := fmt.Sprintf("Message %d: the VPN dropped again at %02d:15; the log shows error 0x80070005 after the handshake.", i, i%24)
		if _, err := a.Tickets.AddComment(ctx, auth.System(), long.ID, ticket.NewComment{Body: body, Public: i%3 != 0,
			Channel: ticket.ChannelEmail}); err != nil {
			b.Fatal(err)
		}
	}
	d.long = long.ID
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "linedesk_session" {
			d.cookie = c.Name + "=" + c.Value
		}
	}
	if d.cookie == "" {
		b.Fatalf("sign-in answered %d", rec.Code)
	}
	return d
}

func (d *benchDesk) get(b *testing.B, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Cookie", d.cookie)
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

func benchPage(b *testing.B, path func(*benchDesk) string) {
	benchPageWith(b, func(*testing.B, *benchDesk) {}, path)
}

// benchPageWith is benchPage with more set up on the desk first.
func benchPageWith(b *testing.B, prepare func(*testing.B, *benchDesk), path func(*benchDesk) string) {
	run := func(b *testing.B, url string) {
		d := newBenchDesk(b, url)
		prepare(b, d)
		p := path(d)
		var rec benchutil.Recorder
		for b.Loop() {
			rec.Time(func() { d.get(b, p) })
		}
		rec.Report(b)
	}
	b.Run("sqlite", func(b *testing.B) { run(b, "sqlite:"+filepath.Join(b.TempDir(), "l.db")) })
	b.Run("postgres", func(b *testing.B) { _, url := dbtest.PostgresURL(b); run(b, url) })
}

// BenchmarkQueuePage renders a group's open queue, 50 rows, from 100,000
// tickets.
func BenchmarkQueuePage(b *testing.B) {
	benchPage(b, func(d *benchDesk) string { return fmt.Sprintf("/queues/open?group=%d", d.group) })
}

// BenchmarkQueueCounts renders the numbers beside the ten queues, which
// the page loads in a second request.
func BenchmarkQueueCounts(b *testing.B) {
	benchPage(b, func(*benchDesk) string { return "/queue-counts?queue=open" })
}

// BenchmarkTicketPage renders a ticket with 100 comments, its history and
// side panel.
func BenchmarkTicketPage(b *testing.B) {
	benchPage(b, func(d *benchDesk) string { return fmt.Sprintf("/tickets/%d", d.long) })
}
