package portal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"linedesk/internal/portal"
	"linedesk/internal/search"
)

// indexedFor waits until the running application's index jobs have made
// the customer's search find n tickets.
func (e *e2e) indexedFor(a portal.Account, query string, n int) {
	e.t.Helper()
	v := search.ContactViewer(search.ContactScope{ContactID: a.ContactID, CompanyID: a.CompanyID, CompanyWide: a.Manager})
	deadline := time.Now().Add(e2eWait)
	for {
		res, err := e.a.Search.Search(context.Background(), v, search.Request{Query: query, Kinds: []string{search.KindTicket}})
		e.must(err)
		if res.Total >= n {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the index does not find %d tickets for %q", n, query)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// searchFor types the words into the list's search box and presses
// Enter, and returns the status of the page that answers.
func (e *e2e) searchFor(tab context.Context, words string) int64 {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eWait)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS(`.p-search input[name=q]`), words+kb.Enter, chromedp.NodeVisible))
	if err != nil {
		e.t.Fatalf("search for %q: %v", words, err)
	}
	return res.Status
}

// TestE2EPortalSearch: the customer types words into the list's search
// box and presses Enter; the list shows the tickets the words' forms
// find, marked, in the list's scope; a query that cannot run says why.
func TestE2EPortalSearch(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	boss := e.customer("Vadītāja Vītola", "boss@client.example", true)
	staff := e.customer("Jānis Kalniņš", "janis@client.example", false)
	_, err := e.a.Portal.OpenTicket(ctx, staff, portal.NewTicket{Subject: "Принтеры перестали печатать", Description: "С утра ни одной страницы."})
	e.must(err)
	_, err = e.a.Portal.OpenTicket(ctx, boss, portal.NewTicket{Subject: "Aizmirsu VPN paroli", Description: "Lūdzu, atjaunojiet."})
	e.must(err)
	e.indexedFor(boss, "принтер", 1)
	e.indexedFor(boss, "paroli", 1)
	tab := e.signIn(boss.Email, laptop)

	e.open(tab, "/portal/tickets?scope=company")
	e.searchFor(tab, "принтер не печатает")
	e.waitUntil(tab, "the search's hits show", `!!document.querySelector("#search-found")`)
	if got := eval[string](e, tab, `document.querySelector("#ticket-list tbody").innerHTML`); !strings.Contains(got, "<mark>Принтеры</mark>") ||
		strings.Contains(got, "paroli") {
		t.Errorf("the company's search shows %q", got)
	}
	if got := eval[string](e, tab, `location.search`); !strings.Contains(got, "scope=company") {
		t.Errorf("the search left the company's scope: %s", got)
	}

	e.open(tab, "/portal/tickets?scope=mine")
	e.searchFor(tab, "принтер")
	e.waitUntil(tab, "the empty search explains itself", `!!document.querySelector("#search-empty")`)
	e.do(tab, "search the company's requests", chromedp.Click(chromedp.CSS("#search-company"), chromedp.NodeVisible))
	e.waitUntil(tab, "the company's hit shows", `!!document.querySelector("#ticket-list mark")`)

	e.open(tab, "/portal/tickets")
	if st := e.searchFor(tab, `"paroli`); st != http.StatusUnprocessableEntity {
		t.Errorf("a query that cannot run answers %d", st)
	}
	e.waitUntil(tab, "the query's error shows", `!!document.querySelector("#search-error")`)
	if got := e.text(tab, "#search-error"); !strings.Contains(got, "quote is not closed") {
		t.Errorf("the error says %q", got)
	}
}
