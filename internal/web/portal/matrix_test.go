package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// The people of the matrix: the ticket's requester, a colleague of the
// same company, the company's manager, someone of another company, and
// nobody signed in.
const (
	own = iota
	colleague
	manager
	stranger
	signedOut
	roles
)

var roleNames = [roles]string{"own ticket", "same company", "same company as manager", "other company", "signed out"}

// Outcomes.
const (
	allow     = "allow"   // 2xx, or a redirect that is not to the sign-in page
	notFound  = "404"     // as if the ticket, file or link did not exist
	forbidden = "403"     // may see the ticket, may not do this to it
	toSignIn  = "sign in" // sent to the sign-in page
	refused   = "refused" // a public page that says no (registration off, a used link)
	finds     = "finds"   // a search lists the ticket
	misses    = "misses"  // a search answers, without the ticket
	badQuery  = "422"     // a search that cannot run, said so
)

// world is what the matrix runs on.
type world struct {
	d                                *desk
	people                           [roles]*browser
	accounts                         [signedOut]portal.Account
	t                                ticket.Ticket // the requester's ticket, with a public reply, a note and files
	publicFile, noteFile, ticketFile int64
	secrets                          []string // what must never show to those who may not see t
	form                             portal.Form
	kb                               kbWorld // the knowledge base's articles (kb_test.go)
}

const clientSite = "https://www.client.example"

const (
	subject    = "Ūdens noplūde serveru telpā"
	noteText   = "INTERNAL: the customer forgot to pay"
	replyText  = "We replaced the pump; please check."
	noteFileNm = "internal-audit.txt"
)

func newWorld(t *testing.T) *world {
	return newWorldOn(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db"))
}

// newWorldOn is the world on the database at url, its index kept by the
// job workers.
func newWorldOn(t *testing.T, url string) *world {
	d := newDeskOn(t, url)
	d.work()
	ctx := context.Background()
	w := &world{d: d}
	other, err := d.a.Directory.CreateCompany(ctx, directory.CompanyInput{Name: "Cits SIA", Domains: []string{"other.example"}})
	d.must(err)
	w.accounts[own] = d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	w.accounts[colleague] = d.customer("Līga Liepa", "liga@client.example", &d.company.ID, false)
	w.accounts[manager] = d.customer("Vadītāja Vītola", "boss@client.example", &d.company.ID, true)
	w.accounts[stranger] = d.customer("Svešais", "x@other.example", &other.ID, false)
	w.t, err = d.a.Portal.OpenTicket(ctx, w.accounts[own], portal.NewTicket{Subject: subject, Description: "Water on the floor.",
		Files: []ticket.Upload{{Filename: "floor.txt", ContentType: "text/plain", Content: strings.NewReader("wet")}}})
	d.must(err)
	_, err = d.a.Tickets.AddComment(ctx, d.agent, w.t.ID, ticket.NewComment{Body: replyText, Public: true,
		Files: []ticket.Upload{{Filename: "pump.txt", ContentType: "text/plain", Content: strings.NewReader("pump")}}})
	d.must(err)
	_, err = d.a.Tickets.AddComment(ctx, d.agent, w.t.ID, ticket.NewComment{Body: noteText,
		Files: []ticket.Upload{{Filename: noteFileNm, ContentType: "text/plain", Content: strings.NewReader("audit")}}})
	d.must(err)
	files, err := d.a.Attachments.ForTicket(ctx, d.a.DB.R, w.t.ID)
	d.must(err)
	for _, f := range files {
		switch f.Filename {
		case "floor.txt":
			w.ticketFile = f.ID
		case "pump.txt":
			w.publicFile = f.ID
		case noteFileNm:
			w.noteFile = f.ID
		}
	}
	w.secrets = []string{subject, noteText, replyText, "Water on the floor", "floor.txt", "pump.txt", noteFileNm}
	w.form, err = d.a.Portal.CreateForm(ctx, d.admin, portal.FormInput{Name: "Contact us", Origins: []string{"https://www.client.example"},
		Fields: []portal.FormField{{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail"}},
			{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "Message"}}}})
	d.must(err)
	w.kb = newKBWorld(d, d.company.ID, other.ID)
	for r := range signedOut {
		w.people[r] = d.signIn(w.accounts[r].Email)
	}
	w.people[signedOut] = d.browser()
	d.indexed()
	return w
}

// fresh is another ticket of the requester, in a status, for a route that
// changes it.
func (w *world) fresh(status ticket.Status) ticket.Ticket {
	ctx := context.Background()
	tk, err := w.d.a.Portal.OpenTicket(ctx, w.accounts[own], portal.NewTicket{Subject: subject + " (2)", Description: "again"})
	w.d.must(err)
	if status != ticket.StatusNew {
		tk, err = w.d.a.Tickets.UpdateTicket(ctx, w.d.admin, tk.ID, ticket.Update{Version: tk.Version, Status: &status})
		w.d.must(err)
	}
	return tk
}

// call is one request of the matrix.
type call struct {
	method, path string
	origin       string // a web form's site
	form         url.Values
	ticket       *ticket.Ticket // the ticket it may change, to check it did not when refused
	// unchanged, when set, fails the test if a refused call changed what
	// it would have changed.
	unchanged func(t *testing.T)
}

// entry is a route's requests and the outcome each person gets.
type entry struct {
	build func(w *world, role int) call
	want  [roles]string
}

// variant is one more request of a route, with outcomes of its own:
// another article, a forged token (see variants).
type variant struct {
	name  string
	build func(w *world, role int) call
	want  [roles]string
}

func onTicket(method, suffix string) func(w *world, role int) call {
	return func(w *world, _ int) call {
		return call{method: method, path: fmt.Sprintf("/portal/tickets/%d%s", w.t.Number, suffix)}
	}
}

var (
	seeing   = [roles]string{allow, notFound, allow, notFound, toSignIn}
	everyone = [roles]string{allow, allow, allow, allow, toSignIn}
	public   = [roles]string{allow, allow, allow, allow, allow}
)

// matrix has an entry for every route of the portal; a new route without
// one fails the test.
func matrix() map[string]entry {
	changes := func(status ticket.Status, suffix string) func(w *world, role int) call {
		return func(w *world, _ int) call {
			tk := w.fresh(status)
			return call{method: "POST", path: fmt.Sprintf("/portal/tickets/%d%s", tk.Number, suffix), ticket: &tk,
				form: url.Values{"body": {"me too"}, "score": {"5"}}}
		}
	}
	path := func(method, p string) func(*world, int) call {
		return func(*world, int) call { return call{method: method, path: p} }
	}
	m := map[string]entry{
		"GET /portal/{$}": {path("GET", "/portal/"), public},
		"POST /portal/signin": {func(w *world, _ int) call {
			return call{method: "POST", path: "/portal/signin", form: url.Values{"email": {"janis@client.example"}, "password": {"wrong"}}}
		}, [roles]string{refused, refused, refused, refused, refused}},
		"POST /portal/signin/link": {func(w *world, role int) call {
			return call{method: "POST", path: "/portal/signin/link", form: url.Values{"email": {w.accounts[role%signedOut].Email}}}
		}, public},
		"GET /portal/register": {path("GET", "/portal/register"), [roles]string{refused, refused, refused, refused, refused}},
		"POST /portal/register": {func(w *world, _ int) call {
			return call{method: "POST", path: "/portal/register", form: url.Values{"name": {"X"}, "email": {"x@client.example"}}}
		}, [roles]string{refused, refused, refused, refused, refused}},
		"GET /portal/link/{token}":  {path("GET", "/portal/link/1-AAAAAAAAAAAAAAAAAAAAAA"), [roles]string{notFound, notFound, notFound, notFound, notFound}},
		"POST /portal/link/{token}": {path("POST", "/portal/link/1-AAAAAAAAAAAAAAAAAAAAAA"), [roles]string{notFound, notFound, notFound, notFound, notFound}},
		"POST /portal/signout":      {path("POST", "/portal/signout"), public},
		"GET /portal/password":      {path("GET", "/portal/password"), everyone},
		"POST /portal/password": {func(*world, int) call {
			return call{method: "POST", path: "/portal/password", form: url.Values{"password": {password}, "again": {password}}}
		}, everyone},
		"GET /portal/profile": {path("GET", "/portal/profile"), everyone},
		"POST /portal/profile": {func(*world, int) call {
			return call{method: "POST", path: "/portal/profile", form: url.Values{"language": {"en"}}}
		}, everyone},
		"GET /portal/tickets":     {path("GET", "/portal/tickets?status=all&scope=company"), everyone},
		"GET /portal/tickets.csv": {path("GET", "/portal/tickets.csv?status=all&scope=company"), everyone},
		"GET /portal/tickets/new": {path("GET", "/portal/tickets/new"), everyone},
		"POST /portal/tickets": {func(*world, int) call {
			return call{method: "POST", path: "/portal/tickets", form: url.Values{"subject": {"Mine"}, "description": {"Mine too"}}}
		}, everyone},
		"GET /portal/tickets/{number}":           {onTicket("GET", ""), seeing},
		"GET /portal/tickets/{number}/export":    {onTicket("GET", "/export"), seeing},
		"POST /portal/tickets/{number}/comments": {changes(ticket.StatusOpen, "/comments"), seeing},
		"POST /portal/tickets/{number}/solve":    {changes(ticket.StatusOpen, "/solve"), seeing},
		"POST /portal/tickets/{number}/reopen":   {changes(ticket.StatusSolved, "/reopen"), seeing},
		"POST /portal/tickets/{number}/rating":   {changes(ticket.StatusSolved, "/rating"), [roles]string{allow, notFound, forbidden, notFound, toSignIn}},
		"GET /portal/attachments/{id}": {func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/attachments/%d", w.publicFile)}
		}, seeing},
		"GET /portal/live":                 {onLive, seeing},
		"GET /portal/rate/{token}":         {path("GET", "/portal/rate/1-AAAAAAAAAAAAAAAAAAAAAA"), [roles]string{notFound, notFound, notFound, notFound, notFound}},
		"POST /portal/rate/{token}":        {path("POST", "/portal/rate/1-AAAAAAAAAAAAAAAAAAAAAA"), [roles]string{notFound, notFound, notFound, notFound, notFound}},
		"GET /portal/manifest.webmanifest": {path("GET", "/portal/manifest.webmanifest"), public},
		"GET /portal/sw.js":                {path("GET", "/portal/sw.js"), public},
		"GET /portal/offline":              {path("GET", "/portal/offline"), public},
		"GET /portal/forms/{id}": {func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/forms/%d", w.form.ID)}
		}, public},
		"POST /portal/forms/{id}": {func(w *world, _ int) call {
			return call{method: "POST", path: fmt.Sprintf("/portal/forms/%d", w.form.ID)}
		}, [roles]string{refused, refused, refused, refused, refused}},
		"OPTIONS /portal/forms/{id}": {func(w *world, _ int) call {
			return call{method: "OPTIONS", path: fmt.Sprintf("/portal/forms/%d", w.form.ID), origin: clientSite}
		}, public},
		"GET /portal/forms/{id}/embed.js": {func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/forms/%d/embed.js", w.form.ID)}
		}, public},
		"GET /portal/forms/{id}/definition": {func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/forms/%d/definition", w.form.ID), origin: clientSite}
		}, public},
	}
	for p, e := range kbMatrix() {
		m[p] = e
	}
	return m
}

func onLive(w *world, _ int) call {
	return call{method: "GET", path: fmt.Sprintf("/portal/live?ticket=%d", w.t.Number)}
}

func TestAuthorizationMatrix(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url string) { authorizationMatrix(t, newWorldOn(t, url)) })
}

func authorizationMatrix(t *testing.T, w *world) {
	m, more := matrix(), variants()
	var patterns []string
	for _, r := range w.d.portal.Routes() {
		patterns = append(patterns, r.Pattern)
		if _, ok := m[r.Pattern]; !ok {
			t.Errorf("route %s has no entry in the authorization matrix", r.Pattern)
		}
	}
	for p := range m {
		if !slices.Contains(patterns, p) {
			t.Errorf("the matrix has %s, which is no route", p)
		}
	}
	// Signing out ends the session; it runs last, and only for nobody.
	order := slices.Sorted(func(yield func(string) bool) {
		for p := range m {
			if !yield(p) {
				return
			}
		}
	})
	for _, p := range order {
		for role := range roles {
			if p == "POST /portal/signout" && role != signedOut {
				continue
			}
			t.Run(p+"/"+roleNames[role], func(t *testing.T) {
				c := m[p].build(w, role)
				w.check(t, role, c, m[p].want[role])
			})
			for _, v := range more[p] {
				t.Run(p+"/"+v.name+"/"+roleNames[role], func(t *testing.T) {
					w.check(t, role, v.build(w, role), v.want[role])
				})
			}
		}
	}
}

// check makes the call as the person and holds the answer to the outcome.
func (w *world) check(t *testing.T, role int, c call, want string) {
	t.Helper()
	res, body := w.send(t, role, c)
	loc := res.Header.Get("Location")
	signIn := res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/portal/") &&
		(loc == "/portal/" || strings.HasPrefix(loc, "/portal/?next="))
	switch want {
	case allow:
		if res.StatusCode >= 400 || signIn {
			t.Errorf("%s %s: status %d %s, want it allowed: %.2000s", c.method, c.path, res.StatusCode, loc, body)
		}
	case notFound:
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", c.method, c.path, res.StatusCode)
		}
	case forbidden:
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s: status %d, want 403", c.method, c.path, res.StatusCode)
		}
	case toSignIn:
		if !signIn {
			t.Errorf("%s %s: status %d %q, want the sign-in page", c.method, c.path, res.StatusCode, loc)
		}
	case refused:
		if res.StatusCode < 400 {
			t.Errorf("%s %s: status %d, want a refusal", c.method, c.path, res.StatusCode)
		}
	case finds, misses:
		link := fmt.Sprintf(`href="/portal/tickets/%d"`, w.t.Number)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="ticket-list"`) {
			t.Errorf("%s %s: status %d, want the list: %.2000s", c.method, c.path, res.StatusCode, body)
		} else if found := strings.Contains(body, link); found != (want == finds) {
			t.Errorf("%s %s: %s finds the ticket: %v, want %v", c.method, c.path, roleNames[role], found, want == finds)
		}
	case badQuery:
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="search-error"`) {
			t.Errorf("%s %s: status %d, want 422 with the query's error: %.2000s", c.method, c.path, res.StatusCode, body)
		}
	}
	w.noLeak(t, role, c, body)
	w.kb.noLeak(t, role, c, body)
	if c.ticket != nil && want != allow {
		w.unchanged(t, *c.ticket)
	}
	if c.unchanged != nil && want != allow {
		c.unchanged(t)
	}
}

// noLeak fails when a person who may not see the ticket finds anything of
// it in an answer, or anyone finds the internal note.
func (w *world) noLeak(t *testing.T, role int, c call, body string) {
	t.Helper()
	if strings.Contains(body, noteText) || strings.Contains(body, noteFileNm) {
		t.Errorf("%s %s shows the internal note to %s", c.method, c.path, roleNames[role])
	}
	if role == own || role == manager || strings.HasPrefix(c.path, "/portal/rate/") {
		return
	}
	for _, s := range w.secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s %s shows %q to %s", c.method, c.path, s, roleNames[role])
		}
	}
}

// unchanged fails when a refused call changed the ticket.
func (w *world) unchanged(t *testing.T, before ticket.Ticket) {
	t.Helper()
	ctx := context.Background()
	now, err := w.d.a.Tickets.FindTicket(ctx, auth.System(), before.ID)
	w.d.must(err)
	if now.Version != before.Version || now.Status != before.Status {
		t.Errorf("a refused call changed ticket %d: %s v%d → %s v%d", before.Number, before.Status, before.Version, now.Status, now.Version)
	}
	comments, err := w.d.a.Tickets.Comments(ctx, auth.System(), before.ID)
	w.d.must(err)
	if len(comments) != 0 {
		t.Errorf("a refused call added %d comments", len(comments))
	}
	if _, found, _ := w.d.a.Portal.FindRating(ctx, before.ID); found {
		t.Error("a refused call rated the ticket")
	}
}

// send makes the call; a live stream is read only for its headers.
func (w *world) send(t *testing.T, role int, c call) (*http.Response, string) {
	t.Helper()
	b := w.people[role]
	if strings.HasPrefix(c.path, "/portal/live") {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, c.method, w.d.srv.URL+c.path, nil)
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res, ""
	}
	if c.method == "GET" || c.method == "OPTIONS" {
		req, _ := http.NewRequest(c.method, w.d.srv.URL+c.path, nil)
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		return b.do(req)
	}
	return b.post(c.path, c.form)
}

func TestFilesAndExports(t *testing.T) {
	w := newWorld(t)
	for _, role := range []int{own, manager} {
		b := w.people[role]
		res, _ := b.get(fmt.Sprintf("/portal/attachments/%d", w.noteFile))
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s opens the internal note's file: %d", roleNames[role], res.StatusCode)
		}
		res, body := b.get(fmt.Sprintf("/portal/attachments/%d", w.ticketFile))
		if res.StatusCode != http.StatusOK || body != "wet" {
			t.Errorf("%s cannot open the file sent with the ticket: %d", roleNames[role], res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("a customer's file may be kept in the browser's cache: %q", cc)
		}
		_, csv := b.get("/portal/tickets.csv?status=all&scope=company")
		if !strings.Contains(csv, subject) {
			t.Errorf("%s's export lacks the ticket", roleNames[role])
		}
		_, text := b.get(fmt.Sprintf("/portal/tickets/%d/export", w.t.Number))
		if !strings.Contains(text, replyText) || strings.Contains(text, noteText) {
			t.Errorf("%s's conversation export: %q", roleNames[role], text)
		}
	}
	_, csv := w.people[colleague].get("/portal/tickets.csv?status=all&scope=company")
	if strings.Contains(csv, subject) {
		t.Error("a colleague who is no manager exports the requester's ticket")
	}
	_, body := w.people[own].get("/portal/tickets?status=all&q=" + url.QueryEscape(subject))
	if !strings.Contains(body, subject) {
		t.Error("the requester does not find their ticket by its words")
	}
	_, body = w.people[stranger].get("/portal/tickets?status=all&q=" + url.QueryEscape(subject))
	if strings.Contains(body, fmt.Sprintf("/portal/tickets/%d", w.t.Number)) {
		t.Error("searching shows another company's ticket")
	}
}

// TestSubTickets proves a ticket's page lists the sub-tickets its reader
// may see, and no other: a parent may group tickets of other customers.
func TestSubTickets(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	child := func(requester int64, subject string) {
		_, err := w.d.a.Tickets.CreateTicket(ctx, w.d.admin, ticket.NewTicket{Subject: subject, Requester: ticket.RequesterRef{ID: &requester},
			ParentID: &w.t.ID})
		w.d.must(err)
	}
	child(w.accounts[own].ContactID, "Replace the pump")
	child(w.accounts[stranger].ContactID, "Another company's flood")
	for _, role := range []int{own, manager} {
		_, body := w.people[role].get(fmt.Sprintf("/portal/tickets/%d", w.t.Number))
		if !strings.Contains(body, "Replace the pump") {
			t.Errorf("%s does not see the sub-ticket", roleNames[role])
		}
		if strings.Contains(body, "Another company") {
			t.Errorf("%s sees another company's sub-ticket", roleNames[role])
		}
	}
}
