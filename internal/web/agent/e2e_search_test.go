package agent_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"linedesk/internal/directory"
)

// indexedE2E waits until the search index (kept by the running app's
// job workers) finds n tickets for the query.
func (d *e2eDesk) indexedE2E(query string, n int) {
	d.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		var res struct {
			Total int `json:"total"`
		}
		d.api("GET", "/search?kind=ticket&q="+url.QueryEscape(query), nil, &res)
		if res.Total >= n {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the index does not find %d tickets for %q", n, query)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2ESearchBox: the header's box shows results while the agent
// types, arrows move through them, Enter opens the chosen one, Escape
// closes the list, and Enter with none chosen opens the results page.
func TestE2ESearchBox(t *testing.T) {
	d := e2eStart(t)
	first := d.ticket("Принтеры перестали печатать", "В бухгалтерии принтеры HP не печатают.", &d.line1.ID)
	second := d.ticket("Принтер в переговорной мажет", "Полосы на каждой странице.", &d.line1.ID)
	hidden := d.ticket("Принтер в серверной", "Только для сети.", &d.line2.ID)
	d.indexedE2E("принтер", 3)
	ctx := d.signedIn(d.anna)
	d.open(ctx, "/queues/open")
	open := `!document.getElementById("search-results").hidden`
	hits := `document.querySelectorAll("#search-results .search-hit")`

	// (CDP sends a key's character apart from its keydown, so "/" would
	// land in the box it focuses: click into the box instead.)
	d.do(ctx, "click the box and type", chromedp.Click(chromedp.ID("search")), chromedp.KeyEvent("принт"))
	d.waitUntil(ctx, "results show while typing", open+` && `+hits+`.length === 2`)
	links := e2eEval[string](d, ctx, `[...`+hits+`].map(a => a.getAttribute("href")).join(" ")`)
	for _, id := range []int64{first.ID, second.ID} {
		if !strings.Contains(links, fmt.Sprintf("/tickets/%d", id)) {
			t.Errorf("results %q lack ticket %d", links, id)
		}
	}
	if strings.Contains(links, fmt.Sprintf("/tickets/%d", hidden.ID)) {
		t.Error("the box shows a ticket of another group")
	}
	if got := e2eEval[string](d, ctx, hits+`[0].querySelector("mark").textContent`); got != "Принтеры" {
		t.Errorf("the prefix marks %q", got)
	}

	selected := `(document.querySelector('#search-results [aria-selected="true"]') || {id: ""}).id`
	d.do(ctx, "arrow down twice, up once", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.ArrowUp))
	if got := e2eEval[string](d, ctx, selected); got != "search-opt-0" {
		t.Errorf("after down, down, up the chosen result is %q", got)
	}
	if got := e2eEval[string](d, ctx, `document.getElementById("search").getAttribute("aria-activedescendant")`); got != "search-opt-0" {
		t.Errorf("the box points screen readers at %q", got)
	}
	d.do(ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	if e2eEval[bool](d, ctx, open) {
		t.Error("Escape did not close the results")
	}
	if !e2eEval[bool](d, ctx, `document.activeElement.id === "search"`) {
		t.Error("Escape took the focus from the box along with the results")
	}

	d.do(ctx, "type on", chromedp.KeyEvent("ер перестали"))
	d.waitUntil(ctx, "one result", open+` && `+hits+`.length === 1`)
	want := fmt.Sprintf("/tickets/%d", first.ID)
	d.do(ctx, "choose it and press Enter", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	d.waitUntil(ctx, "the ticket opens", fmt.Sprintf(`location.pathname === %q`, want))

	d.do(ctx, "type a query and press Enter", chromedp.Click(chromedp.ID("search")), chromedp.KeyEvent("status:new"),
		chromedp.KeyEvent(kb.Enter))
	d.waitUntil(ctx, "the results page opens", `location.pathname === "/search"`)
	d.waitUntil(ctx, "it lists both tickets", `document.querySelectorAll(".results .result").length === 2`)
}

// TestE2ESearchScreenshots saves the results page, the list under the
// header's box, an explained error and the results on a phone, in every
// language, when LINEDESK_SCREENSHOTS=dir is set.
func TestE2ESearchScreenshots(t *testing.T) {
	if os.Getenv("LINEDESK_SCREENSHOTS") == "" {
		t.Skip("set LINEDESK_SCREENSHOTS=dir to save screenshots")
	}
	d := e2eStart(t)
	d.showcase()
	d.indexedE2E("сканер", 1)
	ctx := d.signedIn(d.anna)
	for _, lang := range []string{"en", "ru", "lv"} {
		if _, err := d.app.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{Language: &lang}); err != nil {
			t.Fatal(err)
		}
		d.do(ctx, "a laptop's window", chromedp.EmulateViewport(e2eW, e2eH))
		d.open(ctx, "/search?q="+url.QueryEscape("принтер не печатает"))
		e2eNoMarkers(t, d, ctx, "search-"+lang)
		d.screenshot(ctx, "search-"+lang)

		d.open(ctx, "/search")
		e2eNoMarkers(t, d, ctx, "search-help-"+lang)
		d.screenshot(ctx, "search-help-"+lang)

		d.open(ctx, "/search?q="+url.QueryEscape(`vpn stauts:open "home`))
		e2eNoMarkers(t, d, ctx, "search-error-"+lang)
		d.screenshot(ctx, "search-error-"+lang)

		d.open(ctx, "/queues/open")
		d.do(ctx, "type into the box", chromedp.Click(chromedp.ID("search")), chromedp.KeyEvent("e-pas"))
		d.waitUntil(ctx, "results show", `!document.getElementById("search-results").hidden && document.querySelector("#search-results .search-hit")`)
		d.do(ctx, "choose one", chromedp.KeyEvent(kb.ArrowDown))
		d.screenshot(ctx, "search-instant-"+lang)

		d.do(ctx, "a phone's window", chromedp.EmulateViewport(390, 844))
		d.open(ctx, "/search?q="+url.QueryEscape("принтер"))
		d.screenshot(ctx, "search-phone-"+lang)
	}
}
