package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// article publishes an article in its first translation, and the others
// given, and returns it with its translations.
func (e *e2e) article(st kb.Settings, drafts ...kb.Draft) kb.Article {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.a.KB.CreateArticle(ctx, e.admin, kb.NewArticle{Settings: st, Draft: drafts[0]})
	e.must(err)
	for i, d := range drafts {
		if i > 0 {
			_, err = e.a.KB.SaveDraft(ctx, e.admin, a.ID, 0, d)
			e.must(err)
		}
		_, err = e.a.KB.Publish(ctx, e.admin, a.ID, 0, d.Language)
		e.must(err)
	}
	a, err = e.a.KB.FindArticle(ctx, a.ID)
	e.must(err)
	return a
}

func slugOf(a kb.Article, lang string) string {
	t, _ := a.Translation(lang)
	return t.Slug
}

func (e *e2e) usage(a kb.Article) kb.Usage {
	e.t.Helper()
	u, err := e.a.KB.ArticleUsage(context.Background(), a.ID)
	e.must(err)
	return u
}

// agentTab is a window signed in to the workspace as the administrator.
func (e *e2e) agentTab() context.Context {
	e.t.Helper()
	tab := e.tab(laptop)
	e.open(tab, "/login")
	if st := e.submit(tab, `.auth-card button[type=submit]`,
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "admin@desk.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery")); st != http.StatusOK {
		e.t.Fatalf("the administrator signs in: status %d", st)
	}
	return tab
}

// TestE2ESuggestionsDeflect follows a customer who starts a request,
// sees articles suggested while typing the subject, reads one, goes back
// with what they typed kept, and then finds the answer: "this solved my
// problem" counts one deflection, however often it is clicked, and sends
// no request. The administrators' usage report shows it; an agent
// looking at the portal page counts no view.
func TestE2ESuggestionsDeflect(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	en := catalog(t, "en")
	blank := e.article(kb.Settings{Visibility: kb.Public, Position: 1},
		kb.Draft{Language: "en", Title: "Printer prints blank pages", Body: "Replace the **toner** cartridge."})
	e.article(kb.Settings{Visibility: kb.Public, Position: 2}, kb.Draft{Language: "en", Title: "Install a printer driver", Body: "Download it."})
	e.article(kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "en", Title: "Printer service password", Body: "1234"})
	for i := range 6 {
		e.article(kb.Settings{Visibility: kb.Public, Position: 10 + i}, kb.Draft{Language: "en", Title: fmt.Sprintf("Printer model %d manual", i)})
	}
	ilze := e.customer("Ilze Ozola", "ilze@client.example", false)
	tab := e.signIn(ilze.Email, laptop)

	e.open(tab, "/portal/tickets/new")
	e.do(tab, "type the subject and the description",
		chromedp.SendKeys(chromedp.CSS("#description"), "Since this morning every page comes out blank."),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Printer prints blank"))
	e.waitUntil(tab, "articles are suggested while typing", `[...document.querySelectorAll("#suggestion-list a")].some(a => a.innerText === "Printer prints blank pages")`)
	items := eval[[]string](e, tab, `[...document.querySelectorAll("#suggestion-list a")].map(a => a.innerText)`)
	if len(items) != 5 || items[0] != "Printer prints blank pages" {
		t.Errorf("suggested %q, want five with the best first", items)
	}
	for _, it := range items {
		if strings.Contains(it, "password") {
			t.Errorf("an internal article is suggested: %q", it)
		}
	}

	e.do(tab, "open the suggestion", chromedp.Click(chromedp.CSS(`#suggestion-list a`), chromedp.NodeVisible))
	e.waitUntil(tab, "the article asks whether it helped", `!!document.querySelector("#deflect")`)
	if got := e.text(tab, "#article-body"); !strings.Contains(got, "Replace the toner cartridge.") {
		t.Errorf("the article shows %q", got)
	}
	e.do(tab, "still need help", chromedp.Click(chromedp.CSS(`#still-need-help`), chromedp.NodeVisible))
	e.waitUntil(tab, "back on the form", `location.pathname === "/portal/tickets/new"`)
	e.waitUntil(tab, "what was typed is kept", `document.querySelector("#subject").value === "Printer prints blank" &&
		document.querySelector("#description").value === "Since this morning every page comes out blank."`)
	e.waitUntil(tab, "the suggestions are back", `!!document.querySelector("#suggestion-list a")`)

	e.do(tab, "open the suggestion again", chromedp.Click(chromedp.CSS(`#suggestion-list a`), chromedp.NodeVisible))
	e.waitUntil(tab, "the article asks again", `!!document.querySelector("#solved")`)
	opened := eval[string](e, tab, "location.href")
	e.submit(tab, "#solved")
	if p := eval[string](e, tab, "location.pathname"); p != "/portal/tickets" {
		t.Errorf("solving leads to %s, want the customer's requests", p)
	}
	if got := e.text(tab, ".flash"); got != en.T("portal.flash.deflected") {
		t.Errorf("after solving the page says %q", got)
	}
	e.open(tab, opened)
	e.submit(tab, "#solved")

	u := e.usage(blank)
	if u.Deflected != 1 {
		t.Errorf("one visit counted %d deflections", u.Deflected)
	}
	if u.Views != 1 {
		t.Errorf("one visit counted %d views of the article", u.Views)
	}
	list, total, err := e.a.Tickets.FindCustomerTickets(ctx, ilze.Customer(), ticket.Filter{})
	e.must(err)
	if total != 0 {
		t.Errorf("deflecting opened tickets: %+v", list)
	}
	e.open(tab, "/portal/tickets/new")
	if got := eval[string](e, tab, `document.querySelector("#subject").value`); got != "" {
		t.Errorf("a solved request's subject is still in the form: %q", got)
	}

	admin := e.agentTab()
	e.open(admin, "/admin/articles/usage")
	cell := fmt.Sprintf(`#usage tr[data-article="%d"] [data-deflected]`, blank.ID)
	if got := e.text(admin, cell); got != "1" {
		t.Errorf("the usage report shows %q deflections", got)
	}
	e.screenshot(admin, "admin-kb-usage-en")
	e.open(admin, "/portal/kb/"+slugOf(blank, "en"))
	if got := e.usage(blank).Views; got != 1 {
		t.Errorf("an agent's look at the portal page counted: %d views", got)
	}
	e.open(tab, "/portal/kb/"+slugOf(blank, "en"))
	if got := e.usage(blank).Views; got != 2 {
		t.Errorf("a customer's reading did not count: %d views", got)
	}
}

// TestE2EKBMarkdownCannotRunScripts shows an article of hostile Markdown
// on the portal, in its list and on its page, clicks everything in it and
// finds that nothing ran.
func TestE2EKBMarkdownCannotRunScripts(t *testing.T) {
	e := e2eStart(t)
	a := e.article(kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Printer <script>window.pwned='title'</script>",
		Body: hostileMarkdown})
	tab := e.tab(laptop)
	e.open(tab, "/portal/kb")
	e.waitUntil(tab, "the list shows the article", `document.querySelector("#kb-list").innerText.includes("Printer")`)
	e.noScripts(tab, "the list", "#kb-list")
	e.open(tab, "/portal/kb/"+slugOf(a, "en"))
	e.waitUntil(tab, "the article shows", `document.querySelector("#article-body").innerText.includes("click here")`)
	e.do(tab, "click everything in it", chromedp.Evaluate[chromedp.Void](
		`document.querySelectorAll("#article-body a, #article-body p, #article-body img").forEach(e => { try { e.click() } catch (_) {} })`))
	e.noScripts(tab, "the page", "#article-body")
	if got := eval[string](e, tab, `(document.querySelector('#article-body a[href^="https://docs.example"]') || {}).href || ""`); got == "" {
		t.Error("the safe link is gone")
	}
	if got := eval[string](e, tab, "location.pathname"); got != "/portal/kb/"+slugOf(a, "en") {
		t.Errorf("a link navigated the page to %s", got)
	}
}

// hostileMarkdown tries every way of running a script.
const hostileMarkdown = "# Printer\n\n<script>window.pwned = 'script'</script>\n\n" +
	"<img src=x onerror=\"window.pwned = 'onerror'\">\n\n" +
	"[press me](javascript:window.pwned='link') [or me](JaVaScRiPt:window.pwned='case') " +
	"[encoded](java&#x73;cript:window.pwned='entity') <javascript:window.pwned='autolink'>\n\n" +
	"<a href=\"javascript:window.pwned='raw-a'\">raw link</a> <iframe src=\"javascript:window.pwned='iframe'\"></iframe>\n\n" +
	"![pic](javascript:window.pwned='img') [data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9J2RhdGEnPC9zY3JpcHQ+)\n\n" +
	"<p style=\"background:url(javascript:window.pwned='css')\" onclick=\"window.pwned='click'\">click here</p>\n\n" +
	"<svg onload=\"window.pwned='svg'\"></svg> [safe](https://docs.example/printer) click here"

// noScripts fails when a script ran in the page or active content reached
// the part of it at root.
func (e *e2e) noScripts(tab context.Context, where, root string) {
	e.t.Helper()
	active := eval[[]string](e, tab, fmt.Sprintf(`[...document.querySelectorAll(%q)].flatMap(e => [e.tagName.toLowerCase(),
		...[...e.attributes].filter(a => a.name.startsWith("on") || /script:|data:/i.test(a.value) || a.name === "style").map(a => a.name + "=" + a.value)])
		.filter(x => /^(script|iframe|svg|object|embed)$/.test(x) || x.includes("="))`, root+", "+root+" *"))
	if len(active) > 0 {
		e.t.Errorf("%s: active content reached the page: %v", where, active)
	}
	if got := eval[string](e, tab, `String(window.pwned)`); got != "undefined" {
		e.t.Errorf("%s: a script ran: window.pwned = %q", where, got)
	}
}

// TestE2EKBPlanArticleForgotten: a customer reads an article of their
// plan in the installed app and signs out; the next person at the device,
// offline, gets the offline page at its address, not the article.
func TestE2EKBPlanArticleForgotten(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	in := sla.NewPlanInput()
	in.Name = "Premium"
	plan, err := e.a.SLA.CreatePlan(ctx, in)
	e.must(err)
	_, err = e.a.Directory.UpdateCompany(ctx, e.company.ID, directory.CompanyUpdate{PlanID: directory.Ref{Set: true, ID: &plan.ID}})
	e.must(err)
	a := e.article(kb.Settings{Visibility: kb.Public, PlanIDs: []int64{plan.ID}},
		kb.Draft{Language: "en", Title: "Premium escalation line", Body: "Call +371 6000 0000 around the clock."})
	up, err := e.a.Attachments.Upload(ctx, e.admin, "line.png", "image/png", bytes.NewReader(screenshotPNG()))
	e.must(err)
	e.must(e.a.KB.AttachFiles(ctx, e.admin, a.ID, []int64{up.ID}))
	_, err = e.a.KB.SaveDraft(ctx, e.admin, a.ID, 0, kb.Draft{Language: "en", Title: "Premium escalation line",
		Body: "Call +371 6000 0000 around the clock.\n\n![line](" + kb.FileRef(up.ID) + ")"})
	e.must(err)
	_, err = e.a.KB.Publish(ctx, e.admin, a.ID, 0, "en")
	e.must(err)
	janis := e.customer("Jānis Kalniņš", "janis@client.example", false)

	proxy := newSwitch(t, e.base)
	e.base = proxy.url
	tab := e.signIn(janis.Email, phone)
	e.waitUntil(tab, "the service worker controls the page", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || (location.reload(), false))`)
	page := "/portal/kb/" + slugOf(a, "en")
	e.open(tab, page)
	e.waitUntil(tab, "the article and its image show", `document.querySelector("#article-body").innerText.includes("around the clock") &&
		[...document.images].some(i => i.complete && i.naturalWidth === 480)`)
	kept := eval[[]string](e, tab, `caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))
		.then(lists => lists.flat().map(r => new URL(r.url).pathname).filter(p => p.startsWith("/portal/kb")))`)
	if len(kept) > 0 {
		t.Errorf("the app keeps %v", kept)
	}
	e.submit(tab, `form[data-signout] button`)
	proxy.off()
	e.do(tab, "go offline", offline(true))
	e.open(tab, page)
	if body := e.text(tab, "body"); strings.Contains(body, "around the clock") || !strings.Contains(body, catalog(t, "en").T("portal.offline.title")) {
		t.Errorf("offline after signing out, the article's address shows %q", body)
	}
}
