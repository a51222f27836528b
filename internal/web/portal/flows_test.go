package portal_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linedesk/internal/app"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// planPolicy refuses the portal to the contacts in deny, naming whom to
// contact instead.
type planPolicy struct {
	deny    map[int64]bool
	instead string
}

func (p *planPolicy) PortalAllowed(_ context.Context, contactID int64) (bool, string, error) {
	return !p.deny[contactID], p.instead, nil
}

// promise answers every ticket by a fixed time.
type promise struct{ at time.Time }

func (p promise) AnswerBy(context.Context, ticket.Ticket) (time.Time, bool, error) {
	return p.at, true, nil
}

func catalog(t *testing.T, lang string) *i18n.Localizer {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b.For(lang, time.UTC)
}

func TestPlanForbidsThePortal(t *testing.T) {
	pol := &planPolicy{deny: map[int64]bool{}, instead: "Ilze, your account manager, +371 6700 1234"}
	d := newDesk(t, app.WithPortalPolicy(pol))
	a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	en := catalog(t, "en")

	t.Run("signing in is refused with whom to contact instead", func(t *testing.T) {
		pol.deny[a.ContactID] = true
		defer delete(pol.deny, a.ContactID)
		res, body := d.browser().post("/portal/signin", url.Values{"email": {a.Email}, "password": {password}})
		wantStatus(t, res, http.StatusForbidden)
		for _, want := range []string{en.T("portal.refused.plan"), en.T("portal.refused.plan_instead", "Instead", pol.instead)} {
			if !strings.Contains(body, htmlEscape(want)) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if c := res.Header.Get("Set-Cookie"); strings.Contains(c, "linedesk_portal=") && !strings.Contains(c, "Max-Age=0") {
			t.Errorf("a refused contact got a session: %s", c)
		}
	})
	t.Run("a plan that changes ends the session at the next page", func(t *testing.T) {
		b := d.signIn(a.Email)
		pol.deny[a.ContactID] = true
		defer delete(pol.deny, a.ContactID)
		res, body := b.get("/portal/tickets")
		wantStatus(t, res, http.StatusForbidden)
		if !strings.Contains(body, htmlEscape(pol.instead)) {
			t.Error("the page does not say whom to contact")
		}
		delete(pol.deny, a.ContactID)
		res, _ = b.get("/portal/tickets")
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("the refused session still works: %d", res.StatusCode)
		}
	})
	t.Run("without a name, the usual support channels", func(t *testing.T) {
		pol.deny[a.ContactID], pol.instead = true, ""
		res, body := d.browser().post("/portal/signin", url.Values{"email": {a.Email}, "password": {password}})
		wantStatus(t, res, http.StatusForbidden)
		if !strings.Contains(body, htmlEscape(en.T("portal.refused.plan_default"))) {
			t.Error("the page does not point to the usual support channels")
		}
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "+", "&#43;").Replace(s)
}

func TestBlockedContactCannotSignIn(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	a := d.customer("Blocked Person", "blocked@client.example", &d.company.ID, false)
	b := d.signIn(a.Email)
	yes, reason := true, "threatened the team"
	_, err := d.a.Directory.UpdateContact(ctx, a.ContactID, directory.ContactUpdate{Blocked: &yes, BlockedReason: &reason})
	d.must(err)
	res, _ := b.get("/portal/tickets")
	wantStatus(t, res, http.StatusForbidden)
	res, _ = b.get("/portal/tickets")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("the blocked contact's session still works: %d", res.StatusCode)
	}
	res, body := d.browser().post("/portal/signin", url.Values{"email": {a.Email}, "password": {password}})
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(body, htmlEscape(catalog(t, "en").T("portal.refused.blocked"))) {
		t.Error("the page does not say access is not possible")
	}
}

func TestSignInLinkOverHTTP(t *testing.T) {
	d := newDesk(t)
	a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	b := d.browser()
	res, body := b.post("/portal/signin/link", url.Values{"email": {"janis@client.example"}})
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(body, `id="link-sent"`) {
		t.Error("the page does not say a link is on its way")
	}
	_, other := d.browser().post("/portal/signin/link", url.Values{"email": {"nobody@client.example"}})
	if strings.Contains(body, "nobody") || !strings.Contains(other, `id="link-sent"`) {
		t.Error("an address without access gets another answer")
	}
	token := d.lastLink(a.Email)
	res, _ = b.get("/portal/link/" + token)
	wantStatus(t, res, http.StatusOK)
	if res, _ = b.get("/portal/tickets"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("opening the link signed in without its button: %d", res.StatusCode)
	}
	res, _ = b.post("/portal/link/"+token, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/tickets" {
		t.Fatalf("using the link: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ = b.get("/portal/tickets"); res.StatusCode != http.StatusOK {
		t.Errorf("signed in by the link, the list answers %d", res.StatusCode)
	}
	res, body = d.browser().post("/portal/link/"+token, nil)
	wantStatus(t, res, http.StatusGone)
	if !strings.Contains(body, htmlEscape(catalog(t, "en").T("portal.refused.link_used"))) {
		t.Error("the second use does not say the link was used")
	}
}

func TestRegistrationOverHTTP(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	en := catalog(t, "en")
	register := func(name, email string) (*http.Response, string) {
		return d.browser().post("/portal/register?lang=en", url.Values{"name": {name}, "email": {email}})
	}
	t.Run("off", func(t *testing.T) {
		res, body := d.browser().get("/portal/register")
		wantStatus(t, res, http.StatusForbidden)
		if !strings.Contains(body, htmlEscape(en.T("portal.refused.closed"))) {
			t.Error("the page does not say registration is closed")
		}
		if _, body := d.browser().get("/portal/"); strings.Contains(body, `href="/portal/register"`) {
			t.Error("the sign-in page offers registration while it is off")
		}
	})
	t.Run("limited to clients' domains", func(t *testing.T) {
		_, err := d.a.Portal.SaveSettings(ctx, d.admin, portal.Settings{Registration: portal.RegistrationDomains})
		d.must(err)
		res, body := register("Outsider", "someone@elsewhere.example")
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(body, htmlEscape(en.T("portal.refused.domain"))) {
			t.Error("the page does not say registration is for clients only")
		}
		res, body = register("Ilze Ozola", "ilze@client.example")
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(body, `id="register-sent"`) {
			t.Error("the page does not say the confirmation was sent")
		}
	})
	t.Run("for approval", func(t *testing.T) {
		_, err := d.a.Portal.SaveSettings(ctx, d.admin, portal.Settings{Registration: portal.RegistrationOpen, Approval: true})
		d.must(err)
		res, _ := register("Pēteris", "peteris@free.example")
		wantStatus(t, res, http.StatusOK)
		b := d.browser()
		res, body := b.post("/portal/link/"+d.lastLink("peteris@free.example"), nil)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(body, htmlEscape(en.T("portal.pending.title"))) {
			t.Error("the confirmed registration does not say it waits for approval")
		}
		if res, _ := b.get("/portal/tickets"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a registration waiting for approval signed in: %d", res.StatusCode)
		}
	})
}

func TestTicketPage(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)
	d := newDesk(t, app.WithPromise(promise{at}))
	ctx := context.Background()
	a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	b := d.signIn(a.Email)
	en := catalog(t, "en")

	res, body := b.multipart("/portal/tickets", map[string]string{"subject": "Printer offline", "description": "Since the update."},
		map[string]string{"files:screenshot.png": "\x89PNG\r\n\x1a\nnot really"})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.500s", res.StatusCode, body)
	}
	list, _, err := d.a.Tickets.FindCustomerTickets(ctx, a.Customer(), ticket.Filter{})
	d.must(err)
	tk := list[0]
	if tk.Channel != ticket.ChannelPortal || tk.Subject != "Printer offline" {
		t.Errorf("ticket %+v", tk)
	}
	if n := countJobs(d, "email.notify", `"received"`); n != 1 {
		t.Errorf("%d receipts asked for, want 1", n)
	}
	page := fmt.Sprintf("/portal/tickets/%d", tk.Number)
	_, body = b.get(page)
	for _, want := range []string{"screenshot.png", en.T("portal.status.new"), en.T("portal.meaning.new"),
		en.T("portal.ticket.promise", "When", en.DateTime(at))} {
		if !strings.Contains(body, htmlEscape(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	_, err = d.a.Tickets.AddComment(ctx, d.agent, tk.ID, ticket.NewComment{Body: "Please restart it.", Public: true})
	d.must(err)
	_, body = b.get(page)
	if !strings.Contains(body, "Please restart it.") || !strings.Contains(body, "Anna Bērziņa") {
		t.Error("the agent's reply and name are not on the page")
	}
	res, _ = b.post(page+"/solve", nil)
	wantStatus(t, res, http.StatusSeeOther)
	_, body = b.get(page)
	if !strings.Contains(body, `id="rate-form"`) || strings.Contains(body, `id="promise"`) {
		t.Error("a solved ticket does not ask for a rating, or still promises an answer")
	}
	res, _ = b.post(page+"/rating", url.Values{"score": {"5"}, "comment": {"Fast!"}})
	wantStatus(t, res, http.StatusSeeOther)
	r, found, err := d.a.Portal.FindRating(ctx, tk.ID)
	if err != nil || !found || r.Score != 5 || r.Comment != "Fast!" {
		t.Errorf("rating %+v %v", r, err)
	}
	res, _ = b.post(page+"/reopen", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if now, _ := d.a.Tickets.FindTicket(ctx, auth.System(), tk.ID); now.Status != ticket.StatusOpen {
		t.Errorf("after reopen the ticket is %s", now.Status)
	}
}

func countJobs(d *desk, kind, payload string) int {
	var n int
	d.must(d.a.DB.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1 AND payload LIKE $2`, kind, "%"+payload+"%").Scan(&n))
	return n
}

func TestRatingByLink(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	tk := d.ticketOf(a.ContactID, "VPN drops")
	solved := ticket.StatusSolved
	tk, err := d.a.Tickets.UpdateTicket(ctx, d.admin, tk.ID, ticket.Update{Version: tk.Version, Status: &solved})
	d.must(err)
	link, err := d.a.Portal.RateURL(ctx, tk.ID)
	d.must(err)
	path := strings.TrimPrefix(link, "https://help.example")
	b := d.browser()
	res, body := b.get(path)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(body, "VPN drops") {
		t.Error("the rating page does not name the ticket")
	}
	res, _ = b.post(path, url.Values{"score": {"0"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if _, found, _ := d.a.Portal.FindRating(ctx, tk.ID); found {
		t.Error("a refused rating was stored")
	}
	res, _ = b.post(path, url.Values{"score": {"2"}, "comment": {"Slow"}})
	wantStatus(t, res, http.StatusSeeOther)
	if r, _, _ := d.a.Portal.FindRating(ctx, tk.ID); r.Score != 2 {
		t.Errorf("score %d, want 2", r.Score)
	}
	if res, _ := b.get(path[:len(path)-3] + "abc"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong token answers %d", res.StatusCode)
	}
}

// TestLiveStreams proves a customer's stream tells of their own tickets'
// public changes only: not of internal notes, not of other customers'.
func TestLiveStreams(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	own := d.customer("Jānis", "janis@client.example", &d.company.ID, false)
	boss := d.customer("Vadītāja", "boss@client.example", &d.company.ID, true)
	peer := d.customer("Līga", "liga@client.example", &d.company.ID, false)
	tk := d.ticketOf(own.ContactID, "Server room flood")
	streams := map[string]*eventStream{}
	for name, a := range map[string]portal.Account{"requester": own, "manager": boss, "colleague": peer} {
		streams[name] = d.stream(t, d.signIn(a.Email), fmt.Sprintf("/portal/live?since=%d", time.Now().UnixMicro()))
	}
	page := d.stream(t, d.signIn(own.Email), fmt.Sprintf("/portal/live?ticket=%d", tk.Number))
	_, err := d.a.Tickets.AddComment(ctx, d.agent, tk.ID, ticket.NewComment{Body: "internal only", Public: false})
	d.must(err)
	time.Sleep(500 * time.Millisecond)
	for name, s := range streams {
		if e := s.next(200 * time.Millisecond); e != "" {
			t.Errorf("%s heard of an internal note: %q", name, e)
		}
	}
	if e := page.next(100 * time.Millisecond); e != "" {
		t.Errorf("the ticket page heard of an internal note: %q", e)
	}
	_, err = d.a.Tickets.AddComment(ctx, d.agent, tk.ID, ticket.NewComment{Body: "We are on our way", Public: true})
	d.must(err)
	for _, name := range []string{"requester", "manager"} {
		if e := streams[name].next(5 * time.Second); !strings.HasPrefix(e, fmt.Sprint(tk.ID)+" ") {
			t.Errorf("%s did not hear of the reply: %q", name, e)
		}
	}
	if e := page.next(5 * time.Second); !strings.HasPrefix(e, fmt.Sprint(tk.ID)+" ") {
		t.Errorf("the ticket page did not hear of the reply: %q", e)
	}
	if e := streams["colleague"].next(time.Second); e != "" {
		t.Errorf("a colleague heard of the requester's ticket: %q", e)
	}
}

// eventStream reads a live stream's ticket events.
type eventStream struct {
	events chan string
}

func (d *desk) stream(t *testing.T, b *browser, path string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", d.srv.URL+path, nil)
	c := *b.c
	c.Timeout = 0
	res, err := c.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("open %s: %v %v", path, err, res)
	}
	s := &eventStream{events: make(chan string, 16)}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				s.events <- data
			}
		}
	}()
	return s
}

// next is the next event's data, "" when none comes in time.
func (s *eventStream) next(wait time.Duration) string {
	select {
	case e := <-s.events:
		return e
	case <-time.After(wait):
		return ""
	}
}

func TestFormOverHTTP(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	f, err := d.a.Portal.CreateForm(ctx, d.admin, portal.FormInput{Name: "Contact us", Origins: []string{"https://www.client.example"},
		Fields: []portal.FormField{{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail"}},
			{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "Message", "ru": "Сообщение"}}}})
	d.must(err)
	base := fmt.Sprintf("%s/portal/forms/%d", d.srv.URL, f.ID)
	req := func(method, path, origin string) *http.Response {
		r, _ := http.NewRequest(method, base+path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if method == "OPTIONS" {
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		res, err := http.DefaultClient.Do(r)
		d.must(err)
		res.Body.Close()
		return res
	}
	t.Run("the form's site may read and post it, others may not", func(t *testing.T) {
		for _, c := range []struct {
			method, path, origin string
			status               int
			allow                string
		}{
			{"OPTIONS", "", "https://www.client.example", http.StatusNoContent, "https://www.client.example"},
			{"OPTIONS", "", "https://evil.example", http.StatusForbidden, ""},
			{"GET", "/definition", "https://www.client.example", http.StatusOK, "https://www.client.example"},
			{"GET", "/definition", "https://evil.example", http.StatusForbidden, ""},
		} {
			res := req(c.method, c.path, c.origin)
			if res.StatusCode != c.status || res.Header.Get("Access-Control-Allow-Origin") != c.allow {
				t.Errorf("%s %s from %s: %d, allowed origin %q", c.method, c.path, c.origin, res.StatusCode,
					res.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})
	t.Run("the frame may be shown on the form's sites only", func(t *testing.T) {
		res := req("GET", "?lang=ru", "")
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'self' https://www.client.example;") || res.Header.Get("X-Frame-Options") != "" {
			t.Errorf("CSP %q, X-Frame-Options %q", csp, res.Header.Get("X-Frame-Options"))
		}
	})
	t.Run("the frame's own form is sent as a page and answered as one", func(t *testing.T) {
		post := func(started string) (int, string) {
			body := url.Values{"f.email": {"frame@client.example"}, "f.message": {"Из фрейма"}, "started": {started}, "lang": {"ru"}}
			r, _ := http.NewRequest("POST", base, strings.NewReader(body.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", d.srv.URL)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := http.DefaultClient.Do(r)
			d.must(err)
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(raw)
		}
		ru := catalog(t, "ru")
		before := countTickets(d)
		status, page := post(d.a.Portal.StartToken(f.ID, time.Now()))
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, htmlEscape(ru.T("portal.form.refused.too_fast"))) ||
			!strings.Contains(page, "Из фрейма") || countTickets(d) != before {
			t.Errorf("sent at once: %d, %d tickets", status, countTickets(d)-before)
		}
		status, page = post(d.a.Portal.StartToken(f.ID, time.Now().Add(-time.Minute)))
		if status != http.StatusOK || !strings.Contains(page, `id="form-thanks"`) || countTickets(d) != before+1 {
			t.Errorf("sent after a minute: %d, %d tickets", status, countTickets(d)-before)
		}
	})
	t.Run("a post from another site creates nothing and says why", func(t *testing.T) {
		before := countTickets(d)
		body := url.Values{"f.email": {"x@client.example"}, "f.message": {"hi"}, "started": {d.a.Portal.StartToken(f.ID, time.Now().Add(-time.Minute))}}
		r, _ := http.NewRequest("POST", base, strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "https://evil.example")
		r.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(r)
		d.must(err)
		defer res.Body.Close()
		if res.StatusCode != http.StatusForbidden || countTickets(d) != before {
			t.Errorf("status %d, %d tickets created", res.StatusCode, countTickets(d)-before)
		}
	})
}

func countTickets(d *desk) int {
	var n int
	d.must(d.a.DB.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n))
	return n
}

// TestSessionsAndCrossSite proves the portal's cookie is its own, kept
// from scripts and other sites, and that no other site can make a
// signed-in customer's browser change anything.
func TestSessionsAndCrossSite(t *testing.T) {
	d := newDesk(t)
	a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	req, _ := http.NewRequest("POST", d.srv.URL+"/portal/signin", strings.NewReader(url.Values{"email": {a.Email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	b := d.browser()
	res, _ := b.do(req)
	c := res.Header.Get("Set-Cookie")
	for _, want := range []string{"linedesk_portal=", "Path=/portal", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(c, want) {
			t.Errorf("the session cookie %q lacks %s", c, want)
		}
	}
	b = d.signIn(a.Email)
	before := countTickets(d)
	req, _ = http.NewRequest("POST", d.srv.URL+"/portal/tickets", strings.NewReader(url.Values{"subject": {"x"}, "description": {"y"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, _ = b.do(req)
	if res.StatusCode != http.StatusForbidden || countTickets(d) != before {
		t.Errorf("a cross-site post: %d, %d tickets created", res.StatusCode, countTickets(d)-before)
	}
	res, _ = b.get("/portal/tickets")
	if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("the portal's pages may be framed by other sites")
	}
}
