package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// searchVariants are the authorization matrix's searches of the list:
// who finds the requester's ticket by its words, in which scope, and by
// the words of its internal note (nobody).
func searchVariants() []variant {
	q := func(query, scope string) func(*world, int) call {
		return func(*world, int) call {
			return call{method: "GET", path: "/portal/tickets?status=all&scope=" + scope + "&q=" + url.QueryEscape(query)}
		}
	}
	return []variant{
		{"search the subject's words, company scope", q("noplūde serveru telpā", "company"), [roles]string{finds, misses, finds, misses, toSignIn}},
		{"search the subject's words, own scope", q("noplūde serveru telpā", "mine"), [roles]string{finds, misses, misses, misses, toSignIn}},
		{"search the public reply's words", q("replaced pump", "company"), [roles]string{finds, misses, finds, misses, toSignIn}},
		{"search the internal note's words", q("forgot to pay", "company"), [roles]string{misses, misses, misses, misses, toSignIn}},
		{"search the internal note's file name", q("internal-audit", "company"), [roles]string{misses, misses, misses, misses, toSignIn}},
		{"search the ticket's number", func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/tickets?status=all&scope=company&q=%%23%d", w.t.Number)}
		}, [roles]string{finds, misses, finds, misses, toSignIn}},
		{"a query that cannot run", q(`"noplūde serveru`, "company"), [roles]string{badQuery, badQuery, badQuery, badQuery, toSignIn}},
		{"a filter of the team's own", q("assignee:me noplūde", "company"), [roles]string{badQuery, badQuery, badQuery, badQuery, toSignIn}},
	}
}

// searchDesk is a desk whose index is kept by its job workers, with a
// requester, a colleague, their company's manager and someone of another
// company, and tickets of each.
type searchDesk struct {
	*desk
	own, colleague, manager, stranger portal.Account
	printer, parole, solved, theirs   ticket.Ticket
	other                             ticket.Ticket // the stranger's
}

const noteWord = "kontrabanda"

func newSearchDesk(t *testing.T, url string) *searchDesk {
	d := newDeskOn(t, url)
	d.work()
	ctx := context.Background()
	s := &searchDesk{desk: d}
	s.own = d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
	s.colleague = d.customer("Līga Liepa", "liga@client.example", &d.company.ID, false)
	s.manager = d.customer("Vadītāja Vītola", "boss@client.example", &d.company.ID, true)
	other, err := d.a.Directory.CreateCompany(ctx, directory.CompanyInput{Name: "Cits SIA", Domains: []string{"other.example"}})
	d.must(err)
	s.stranger = d.customer("Svešais", "x@other.example", &other.ID, false)
	s.printer = d.ticketOf(s.own.ContactID, "Принтеры перестали печатать")
	_, err = d.a.Tickets.AddComment(ctx, d.agent, s.printer.ID, ticket.NewComment{Body: "Внутреннее: " + noteWord + " картриджей"})
	d.must(err)
	s.parole = d.ticketOf(s.own.ContactID, "Nederīga parole <b>VPN</b>")
	s.solved = d.ticketOf(s.own.ContactID, "Принтер в бухгалтерии")
	st := ticket.StatusSolved
	_, err = d.a.Tickets.UpdateTicket(ctx, d.admin, s.solved.ID, ticket.Update{Version: s.solved.Version, Status: &st})
	d.must(err)
	s.theirs = d.ticketOf(s.colleague.ContactID, "Принтер в переговорной мажет")
	s.other = d.ticketOf(s.stranger.ContactID, "Принтер у соседей не печатает")
	d.indexed()
	return s
}

// lists reports whether the page lists the ticket.
func lists(body string, tk ticket.Ticket) bool {
	return strings.Contains(body, fmt.Sprintf(`href="/portal/tickets/%d"`, tk.Number))
}

func (s *searchDesk) search(t *testing.T, b *browser, query string) (*http.Response, string) {
	t.Helper()
	return b.get("/portal/tickets?" + query)
}

// TestTicketSearch proves the list's search goes through the search
// index in the customer's scope: inflected Russian and Latvian words
// find their tickets, the list's scope and status filter hold, words are
// marked, the pages run on, a query that cannot run is explained in the
// customer's language, and nothing finds what the customer may not see.
func TestTicketSearch(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dbURL string) {
		s := newSearchDesk(t, dbURL)
		own, colleague, manager, stranger := s.signIn(s.own.Email), s.signIn(s.colleague.Email), s.signIn(s.manager.Email),
			s.signIn(s.stranger.Email)

		t.Run("stemmed words find the ticket, marked", func(t *testing.T) {
			res, body := s.search(t, own, "q="+url.QueryEscape("принтер не печатает"))
			wantStatus(t, res, http.StatusOK)
			if !lists(body, s.printer) || !strings.Contains(body, "<mark>Принтеры</mark> перестали <mark>печатать</mark>") {
				t.Errorf("the printer ticket is not found and marked: %.3000s", body)
			}
			if !strings.Contains(body, `id="search-found"`) || !strings.Contains(body, "1 request matches") {
				t.Errorf("the count of hits is missing: %.3000s", body)
			}
			_, body = s.search(t, own, "q=paroli")
			if !lists(body, s.parole) || !strings.Contains(body, "<mark>parole</mark>") ||
				!strings.Contains(body, "&lt;b&gt;VPN&lt;/b&gt;") || strings.Contains(body, "<b>VPN</b>") {
				t.Errorf("paroli does not find parole, or the subject is not escaped: %.3000s", body)
			}
		})

		t.Run("the status filter holds", func(t *testing.T) {
			_, body := s.search(t, own, "q=принтер")
			if !lists(body, s.printer) || lists(body, s.solved) {
				t.Error("the open list's search shows a solved ticket, or misses an open one")
			}
			_, body = s.search(t, own, "status=solved&q=принтер")
			if lists(body, s.printer) || !lists(body, s.solved) {
				t.Error("the solved list's search is wrong")
			}
			_, body = s.search(t, own, "status=all&q=принтер")
			if !lists(body, s.printer) || !lists(body, s.solved) {
				t.Error("the whole list's search misses a ticket")
			}
		})

		t.Run("the scope holds", func(t *testing.T) {
			for _, c := range []struct {
				name    string
				b       *browser
				query   string
				see     []ticket.Ticket
				notSeen []ticket.Ticket
			}{
				{"requester", own, "status=all&q=принтер", []ticket.Ticket{s.printer, s.solved}, []ticket.Ticket{s.theirs, s.other}},
				{"requester asking for the company", own, "status=all&scope=company&q=принтер", []ticket.Ticket{s.printer},
					[]ticket.Ticket{s.theirs, s.other}},
				{"colleague", colleague, "status=all&scope=company&q=принтер", []ticket.Ticket{s.theirs},
					[]ticket.Ticket{s.printer, s.solved, s.other}},
				{"manager, own scope", manager, "status=all&q=принтер", nil, []ticket.Ticket{s.printer, s.theirs, s.other}},
				{"manager, company scope", manager, "status=all&scope=company&q=принтер", []ticket.Ticket{s.printer, s.solved, s.theirs},
					[]ticket.Ticket{s.other}},
				{"other company", stranger, "status=all&scope=company&q=принтер", []ticket.Ticket{s.other},
					[]ticket.Ticket{s.printer, s.solved, s.theirs}},
				{"other company by number", stranger, fmt.Sprintf("status=all&scope=company&q=%%23%d", s.printer.Number), nil,
					[]ticket.Ticket{s.printer}},
			} {
				res, body := s.search(t, c.b, c.query)
				wantStatus(t, res, http.StatusOK)
				for _, tk := range c.see {
					if !lists(body, tk) {
						t.Errorf("%s: %s does not find %q", c.query, c.name, tk.Subject)
					}
				}
				for _, tk := range c.notSeen {
					if lists(body, tk) || strings.Contains(body, tk.Subject) {
						t.Errorf("%s: %s finds %q", c.query, c.name, tk.Subject)
					}
				}
			}
		})

		t.Run("an internal note finds nothing", func(t *testing.T) {
			for _, b := range []*browser{own, manager} {
				res, body := s.search(t, b, "status=all&scope=company&q="+noteWord)
				wantStatus(t, res, http.StatusOK)
				if lists(body, s.printer) || strings.Contains(body, "картриджей") {
					t.Errorf("the internal note's word finds the ticket: %.3000s", body)
				}
				if !strings.Contains(body, `id="search-empty"`) || !strings.Contains(body, "Try fewer words") {
					t.Errorf("an empty search does not say what to try: %.3000s", body)
				}
			}
		})

		t.Run("an empty result offers the wider lists", func(t *testing.T) {
			_, body := s.search(t, manager, "q=бухгалтерии")
			if lists(body, s.solved) || !strings.Contains(body, `id="search-all"`) || !strings.Contains(body, `id="search-company"`) {
				t.Errorf("the manager's empty open search offers no wider search: %.3000s", body)
			}
			_, body = s.search(t, manager, "status=all&scope=company&q=бухгалтерии")
			if !lists(body, s.solved) {
				t.Error("the wider search does not find the solved ticket")
			}
		})

		t.Run("queries that cannot run", func(t *testing.T) {
			for _, c := range []struct{ q, want string }{
				{`"принтер`, "A quote is not closed"},
				{"status:broken", "“broken” is not one of"},
				{"group:Network принтер", "There is no filter group: here"},
				{"stauts:open", "did you mean status:?"},
			} {
				res, body := s.search(t, own, "q="+url.QueryEscape(c.q))
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) ||
					!strings.Contains(body, `role="alert"`) {
					t.Errorf("%q: status %d, want 422 saying %q: %.3000s", c.q, res.StatusCode, c.want, body)
				}
				if lists(body, s.printer) {
					t.Errorf("%q lists tickets beside its error", c.q)
				}
			}
			res, _ := s.search(t, own, "q="+url.QueryEscape(`"принтер`)+"&page=2")
			wantStatus(t, res, http.StatusUnprocessableEntity)
			res, body := own.get("/portal/tickets.csv?q=" + url.QueryEscape(`"принтер`))
			if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("a bad export query: %d %q %.300s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
			}
		})

		t.Run("the error in the customer's language", func(t *testing.T) {
			for lang, want := range map[string]string{"ru": "Кавычка не закрыта", "lv": "Pēdiņas nav aizvērtas"} {
				res, _ := own.post("/portal/profile", url.Values{"language": {lang}})
				if res.StatusCode >= 400 {
					t.Fatalf("set language %s: %d", lang, res.StatusCode)
				}
				res, body := s.search(t, own, "q="+url.QueryEscape(`"принтер`))
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
					t.Errorf("%s: status %d, want %q: %.2000s", lang, res.StatusCode, want, body)
				}
			}
			own.post("/portal/profile", url.Values{"language": {"en"}})
		})

		t.Run("export of a search", func(t *testing.T) {
			res, csv := own.get("/portal/tickets.csv?status=all&q=" + url.QueryEscape("принтер не печатает"))
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(csv, s.printer.Subject) || strings.Contains(csv, s.solved.Subject) || strings.Contains(csv, s.other.Subject) {
				t.Errorf("the export is not the search's: %s", csv)
			}
		})

		t.Run("pages of hits", func(t *testing.T) {
			for i := range 30 {
				s.ticketOf(s.own.ContactID, fmt.Sprintf("Сканер %d не сканирует", i+1))
			}
			s.indexed()
			_, body := s.search(t, own, "q="+url.QueryEscape("сканеры"))
			if n := strings.Count(body, `<tr data-href=`); n != 25 || !strings.Contains(body, "30 requests match") ||
				!strings.Contains(body, `id="page-next"`) || !strings.Contains(body, "Page 1 of 2") {
				t.Errorf("page 1: %d rows: %.3000s", n, body)
			}
			_, body = s.search(t, own, "q="+url.QueryEscape("сканеры")+"&page=2")
			if n := strings.Count(body, `<tr data-href=`); n != 5 || !strings.Contains(body, `id="page-prev"`) ||
				strings.Contains(body, `id="page-next"`) {
				t.Errorf("page 2: %d rows: %.3000s", n, body)
			}
		})

		t.Run("without the search index the list matches words as before", func(t *testing.T) {
			search := s.portal.Search
			s.portal.Search = nil
			defer func() { s.portal.Search = search }()
			_, body := s.search(t, own, "q="+url.QueryEscape("перестали печатать"))
			if !lists(body, s.printer) || strings.Contains(body, "<mark>") {
				t.Errorf("the list's own matching fails: %.3000s", body)
			}
			res, body := s.search(t, own, "q="+url.QueryEscape(`"принтер`))
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(body, `id="search-error"`) {
				t.Error("the list's own matching shows a query error")
			}
		})
	})
}
