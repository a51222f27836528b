package agent_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"linedesk/internal/directory"
	kbase "linedesk/internal/kb"
	"linedesk/internal/ticket"
)

// TestE2EScriptRunFromTicket runs the "Mouse does not work" script from a
// ticket the way an agent on the phone does, with the keyboard: a wrong
// answer, back, then the path to the escalation. The ticket ends at line 2
// with the transcript as an internal note and as the escalation's reason.
func TestE2EScriptRunFromTicket(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	f := d.firstLine()
	tk := d.ticket("Мышь не работает", "Курсор не двигается", &d.line1.ID)
	anna := d.signedIn(d.anna)
	d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
	d.submit(anna, `a[data-script-link]`)
	question := func() string { return d.text(anna, "#runner-question") }
	if q := question(); !strings.HasPrefix(q, "Does the keyboard work?") {
		t.Fatalf("the runner starts with %q", q)
	}
	d.do(anna, "answer No with the 2 key", chromedp.KeyEvent("2"))
	d.waitUntil(anna, "the solution shows", runnerReady+`document.querySelector(".runner-leaf.solution .leaf-text")`)
	if got := d.text(anna, ".leaf-text"); !strings.Contains(got, "The computer is frozen") {
		t.Fatalf("after No: %q", got)
	}
	d.do(anna, "go back with Backspace", chromedp.KeyEvent(kb.Backspace))
	d.waitUntil(anna, "the first question is back", runnerReady+`(document.querySelector("#runner-question") || {}).innerText === "Does the keyboard work? Press Alt+Tab: do the windows switch?"`)
	for _, step := range []struct{ key, next string }{{"1", "Is the mouse wireless?"}, {"1", "Do new batteries help?"}} {
		d.do(anna, "answer "+step.key, chromedp.KeyEvent(step.key))
		d.waitUntil(anna, "the question "+step.next, runnerReady+fmt.Sprintf(`(document.querySelector("#runner-question") || {}).innerText === %q`, step.next))
	}
	if got := e2eEval[string](d, anna, `location.search`); !strings.Contains(got, fmt.Sprintf("v=%d", *f.mouse.VersionID)) {
		t.Errorf("the runner's address %q does not name the version", got)
	}
	d.do(anna, "answer No", chromedp.KeyEvent("2"))
	d.waitUntil(anna, "the escalation shows", runnerReady+`document.querySelector(".runner-leaf.escalate")`)
	if got := d.text(anna, ".leaf-target"); !strings.Contains(got, "Line 2 — Network") {
		t.Errorf("the escalation goes to %q", got)
	}
	d.do(anna, "note what the caller said", chromedp.SendKeys(chromedp.CSS(`textarea[name=remark]`), "Caller tried two sets of batteries"),
		chromedp.Blur(chromedp.CSS(`textarea[name=remark]`)))
	res, err := chromedp.RunResponse(anna, chromedp.KeyEvent(kb.Enter))
	if err != nil || res.Status != 200 {
		t.Fatalf("save with Enter: %v %v", res, err)
	}
	if got := d.text(anna, ".flash"); got != en["flash.escalated"] {
		t.Errorf("notice %q, want %q", got, en["flash.escalated"])
	}
	note := d.text(anna, "article.msg.note:last-of-type .body")
	for _, want := range []string{"Script “Mouse does not work”, version 1", "1. Does the keyboard work? Press Alt+Tab: do the windows switch?\n→ Yes",
		"2. Is the mouse wireless?\n→ Yes", "3. Do new batteries help?\n→ No", "Escalated to line 2, group “Line 2 — Network”",
		"Agent's note: Caller tried two sets of batteries"} {
		if !strings.Contains(normalizeSpace(note), normalizeSpace(want)) {
			t.Errorf("the note lacks %q:\n%s", want, note)
		}
	}
	got, _ := d.app.Tickets.FindTicket(context.Background(), d.as(d.admin), tk.ID)
	if got.Line != 2 || got.GroupID == nil || *got.GroupID != d.line2.ID {
		t.Errorf("the ticket is at line %d, group %v", got.Line, got.GroupID)
	}
	events, _ := d.app.Tickets.Events(context.Background(), d.as(d.admin), tk.ID)
	var reason string
	for _, e := range events {
		if e.Kind == ticket.EventEscalated {
			reason = e.Reason
		}
	}
	if !strings.Contains(reason, "3. Do new batteries help?") {
		t.Errorf("the escalation's reason is %q", reason)
	}
	stats, runs, _ := d.app.Scripts.Stats(context.Background(), f.mouse.ID)
	if runs != 1 {
		t.Errorf("%d runs counted: %+v", runs, stats)
	}
}

// runnerReady holds once the page's script has run: each answer loads a
// new page, and a key pressed before its keyboard handler is attached
// would be lost.
const runnerReady = `document.readyState === "complete" && `

// normalizeSpace folds runs of spaces, as the browser's innerText of
// indented lines may differ from the stored text.
func normalizeSpace(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// e2eHostile is Markdown that tries every way of running a script.
const e2eHostile = "# Printer\n\n<script>window.pwned = 'script'</script>\n\n" +
	"<img src=x onerror=\"window.pwned = 'onerror'\">\n\n" +
	"[press me](javascript:window.pwned='link') [or me](JaVaScRiPt:window.pwned='case') " +
	"[encoded](java&#x73;cript:window.pwned='entity') <javascript:window.pwned='autolink'>\n\n" +
	"<a href=\"javascript:window.pwned='raw-a'\">raw link</a> <iframe src=\"javascript:window.pwned='iframe'\"></iframe>\n\n" +
	"![pic](javascript:window.pwned='img') [data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9J2RhdGEnPC9zY3JpcHQ+)\n\n" +
	"<p style=\"background:url(javascript:window.pwned='css')\" onclick=\"window.pwned='click'\">click here</p>\n\n" +
	"<svg onload=\"window.pwned='svg'\"></svg> [safe](https://docs.example/printer)"

// TestE2EMarkdownCannotRunScripts shows an article of hostile Markdown to
// an agent and in the editor's live preview, clicks everything in it, and
// finds that nothing ran and no active content reached the page.
func TestE2EMarkdownCannotRunScripts(t *testing.T) {
	d := e2eStart(t)
	a := d.article(kbase.Settings{Visibility: kbase.Public}, kbase.Draft{Language: "en", Title: "Printer", Body: e2eHostile})
	check := func(ctx context.Context, where, root string) {
		t.Helper()
		d.waitUntil(ctx, "the article shows", fmt.Sprintf(`document.querySelector(%q) && document.querySelector(%q).innerText.includes("Printer")`, root, root))
		d.do(ctx, "click everything in it", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll(%q).forEach(e => { try { e.click() } catch (_) {} })`,
			root+" a, "+root+" p, "+root+" img")))
		active := e2eEval[[]string](d, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].flatMap(e => [e.tagName.toLowerCase(),
			...[...e.attributes].filter(a => a.name.startsWith("on") || /script:|data:/i.test(a.value) || a.name === "style").map(a => a.name + "=" + a.value)])
			.filter(x => /^(script|iframe|svg|object|embed)$/.test(x) || x.includes("="))`, root+", "+root+" *"))
		if len(active) > 0 {
			t.Errorf("%s: active content reached the page: %v", where, active)
		}
		if got := e2eEval[string](d, ctx, `String(window.pwned)`); got != "undefined" {
			t.Errorf("%s: a script ran: window.pwned = %q", where, got)
		}
		if got := e2eEval[string](d, ctx, `(document.querySelector('`+root+` a[href^="https://docs.example"]') || {}).href || ""`); got == "" {
			t.Errorf("%s: the safe link is gone", where)
		}
	}
	anna := d.signedIn(d.anna)
	d.open(anna, fmt.Sprintf("/kb/%d", a.ID))
	check(anna, "the article page", "#article-body")
	if got := e2eEval[string](d, anna, `location.pathname`); got != fmt.Sprintf("/kb/%d", a.ID) {
		t.Errorf("a link navigated the page to %s", got)
	}

	admin := d.signedIn(d.admin)
	d.open(admin, fmt.Sprintf("/admin/articles/%d?lang=en", a.ID))
	d.do(admin, "type into the editor", chromedp.Evaluate[chromedp.Void](`document.querySelector("#article-body").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#article-body"), e2eHostile+"\n\nlive"))
	d.waitUntil(admin, "the preview follows the typing", `document.querySelector("#article-preview").innerText.includes("live")`)
	check(admin, "the editor's preview", "#article-preview")
}

// pickerSearch puts text into a picker's search box as one input (as a
// paste would), so that one request follows, and waits for the list it
// brings: a list typed letter by letter can be replaced by a later
// letter's answer while the test clicks in it.
func (d *e2eDesk) pickerSearch(ctx context.Context, picker, results, text string) {
	d.t.Helper()
	d.do(ctx, "search the "+picker, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		document.getElementById(%q).dataset.old = "1";
		const q = document.querySelector("#%s input[name=q]");
		q.value = %q;
		q.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, results, picker, text)))
	d.waitUntil(ctx, "the "+picker+" lists what was asked", fmt.Sprintf(
		`document.querySelector("#%s:not([data-old])") && !document.querySelector("#%s .htmx-request")`, results, picker))
}

// TestE2EReplyBoxAnswers puts an article link and a canned response into
// the reply box from the keyboard, then applies a macro from its preview.
func TestE2EReplyBoxAnswers(t *testing.T) {
	d := e2eStart(t)
	f := d.firstLine()
	lang := "ru"
	if _, err := d.app.Directory.UpdateContact(context.Background(), d.caller.ID, directory.ContactUpdate{Language: &lang}); err != nil {
		t.Fatal(err)
	}
	tk := d.ticket("Не подключается Wi-Fi", "Ноутбук не видит сеть", &d.line1.ID)
	anna := d.signedIn(d.anna)
	d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
	d.do(anna, "type a start", chromedp.SendKeys(chromedp.CSS("#reply-body"), "Мария, вот инструкция:"))

	d.do(anna, "open the article picker with Alt+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	d.waitUntil(anna, "the picker lists articles", `document.querySelector("#kb-picker[open] .picker-item")`)
	if n := e2eEval[int](d, anna, `document.querySelectorAll("#kb-picker .picker-item").length`); n != 2 {
		t.Errorf("the picker lists %d articles, want the public and the internal one", n)
	}
	d.pickerSearch(anna, "kb-picker", "kb-results", "office")
	d.waitUntil(anna, "the search narrows", `document.querySelectorAll("#kb-picker .picker-item").length === 1`)
	d.do(anna, "insert the Russian link", chromedp.Click(chromedp.CSS(`#kb-picker button[data-mode=link][data-lang=ru]`)))
	d.waitUntil(anna, "the link is in the reply", `document.querySelector("#reply-body").value.includes("/portal/kb/")`)
	want := "Мария, вот инструкция:\n\nПодключение к офисному Wi-Fi: " + d.app.KB.PortalURL("podklyuchenie-k-ofisnomu-wi-fi")
	if got := e2eEval[string](d, anna, `document.querySelector("#reply-body").value`); got != want {
		t.Errorf("reply box %q, want %q", got, want)
	}
	if u, _ := d.app.KB.ArticleUsage(context.Background(), f.wifi.ID); u.Inserted != 1 {
		t.Errorf("%d insertions counted", u.Inserted)
	}

	d.do(anna, "open canned responses with Alt+C", chromedp.KeyEvent("c", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	d.waitUntil(anna, "the picker lists them", `document.querySelector("#canned-picker[open] .picker-choice")`)
	d.pickerSearch(anna, "canned-picker", "canned-results", "greet")
	d.waitUntil(anna, "one is left", `document.querySelectorAll("#canned-picker .picker-choice").length === 1`)
	d.do(anna, "Enter", chromedp.Focus(chromedp.CSS("#canned-picker input[name=q]")), chromedp.KeyEvent(kb.Enter))
	d.waitUntil(anna, "the greeting is in the reply", `document.querySelector("#reply-body").value.includes("Спасибо за звонок")`)
	if got := e2eEval[string](d, anna, `document.querySelector("#reply-body").value`); !strings.HasSuffix(got,
		"Здравствуйте, Мария!\n\nСпасибо за звонок. Номер вашей заявки — "+ticket.Number(tk.Number)+".\n\n"+e2eAnnaName) {
		t.Errorf("reply box %q", got)
	}

	// An article taken off while the picker is open: the agent reads why.
	// Opening the picker fetches its list again; mark the old one so the
	// wait below sees the fresh list, not the one from the first opening.
	d.do(anna, "mark the old list", chromedp.Evaluate[chromedp.Void](`document.querySelector("#kb-results").dataset.old = "1"`))
	d.do(anna, "open the article picker again", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	d.waitUntil(anna, "the picker lists articles afresh", `document.querySelector("#kb-picker[open] #kb-results:not([data-old]) button[data-lang=ru][data-mode=text]") && !document.querySelector("#kb-picker .htmx-request")`)
	if _, err := d.app.KB.Unpublish(context.Background(), d.as(d.admin), f.wifi.ID, 0, "ru"); err != nil {
		t.Fatal(err)
	}
	d.do(anna, "insert the Russian text", chromedp.Click(chromedp.CSS(`#kb-picker button[data-mode=text][data-lang=ru]`)))
	d.waitUntil(anna, "the refusal shows", `document.querySelector("#toast").innerText.includes("ru")`)
	if got := d.text(anna, "#toast"); got != `the article has no published "ru" translation` {
		t.Errorf("the agent reads %q", got)
	}

	d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
	d.submit(anna, fmt.Sprintf(`a[href="/tickets/%d/macros/%d"]`, tk.ID, f.toNet.ID))
	changes := d.text(anna, "#macro-changes")
	for _, want := range []string{"Line 2 — Network", e2eIvanName, "network"} {
		if !strings.Contains(changes, want) {
			t.Errorf("the preview's changes lack %q:\n%s", want, changes)
		}
	}
	if st := d.submit(anna, "#macro-apply"); st != 200 {
		t.Fatalf("apply: %d", st)
	}
	got, _ := d.app.Tickets.FindTicket(context.Background(), d.as(d.admin), tk.ID)
	if got.Line != 2 || *got.AssigneeID != d.ivan.ID {
		t.Errorf("after the macro: line %d, assignee %v", got.Line, got.AssigneeID)
	}
}

// TestE2EScreenshotsFirstLine saves the article editor, the script runner
// on a ticket and the macro preview in every language, with the pickers,
// when LINEDESK_SCREENSHOTS is set.
func TestE2EScreenshotsFirstLine(t *testing.T) {
	if os.Getenv("LINEDESK_SCREENSHOTS") == "" {
		t.Skip("set LINEDESK_SCREENSHOTS=dir to save screenshots")
	}
	d := e2eStart(t)
	f := d.firstLine()
	ru := "ru"
	if _, err := d.app.Directory.UpdateContact(context.Background(), d.caller.ID, directory.ContactUpdate{Language: &ru}); err != nil {
		t.Fatal(err)
	}
	tk := d.ticket("Мышь не работает у бухгалтера — Общество «Северо-Западная телекоммуникационная компания»",
		"Курсор не двигается с утра", &d.line1.ID)
	anna, admin := d.signedIn(d.anna), d.signedIn(d.admin)
	for _, lang := range []string{"en", "ru", "lv"} {
		for _, a := range []int64{d.anna.ID, d.admin.ID} {
			if _, err := d.app.Directory.UpdateAgent(context.Background(), a, directory.AgentUpdate{Language: &lang}); err != nil {
				t.Fatal(err)
			}
		}
		shots := []struct {
			ctx  context.Context
			name string
			path string
			wait string
		}{
			{admin, "article-editor", fmt.Sprintf("/admin/articles/%d?lang=%s", f.wifi.ID, lang), `[...document.images].every(i => i.complete)`},
			{anna, "script-runner", fmt.Sprintf("/tickets/%d/scripts/%d?v=%d&p=0.0", tk.ID, f.mouse.ID, *f.mouse.VersionID), ""},
			{anna, "script-escalate", fmt.Sprintf("/tickets/%d/scripts/%d?v=%d&p=0.0.1", tk.ID, f.mouse.ID, *f.mouse.VersionID), ""},
			{anna, "macro-preview", fmt.Sprintf("/tickets/%d/macros/%d", tk.ID, f.toNet.ID), ""},
			{anna, "knowledge-base", "/kb", ""},
			{admin, "script-editor", fmt.Sprintf("/admin/scripts/%d", f.mouse.ID), ""},
		}
		for _, s := range shots {
			d.open(s.ctx, s.path)
			if s.wait != "" {
				d.waitUntil(s.ctx, "the page settles", s.wait)
			}
			e2eNoMarkers(t, d, s.ctx, s.name+"-"+lang)
			d.screenshot(s.ctx, s.name+"-"+lang)
		}
		d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
		d.do(anna, "open the article picker", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierAlt)))
		d.waitUntil(anna, "the picker lists articles", `document.querySelector("#kb-picker[open] .picker-item")`)
		d.screenshot(anna, "article-picker-"+lang)
	}
}

// TestE2ESuggestedArticle: the ticket page suggests the article that
// answers the ticket, and one click puts its text into the reply, counted
// as an insertion.
func TestE2ESuggestedArticle(t *testing.T) {
	d := e2eStart(t)
	a := d.article(kbase.Settings{Visibility: kbase.Public}, kbase.Draft{Language: "en", Title: "The printer prints blank pages",
		Body: "Replace the toner cartridge, then print a test page from the printer's menu."})
	tk := d.ticket("Printer prints only blank pages", "Since this morning every page comes out blank.", &d.line1.ID)
	if err := d.app.Search.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	anna := d.signedIn(d.anna)
	d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
	d.waitUntil(anna, "the suggestion shows", `document.querySelector("#kb-suggested .picker-item")`)
	if got := d.text(anna, "#kb-suggested .picker-title"); got != "The printer prints blank pages" {
		t.Errorf("suggested %q", got)
	}
	d.do(anna, "put the article's text into the reply", chromedp.Click(chromedp.CSS(`#kb-suggested button[data-mode=text]`)))
	d.waitUntil(anna, "the text is in the reply", `document.querySelector("#reply-body").value.includes("toner cartridge")`)
	if u, _ := d.app.KB.ArticleUsage(context.Background(), a.ID); u.Inserted != 1 {
		t.Errorf("%d insertions counted", u.Inserted)
	}
}
