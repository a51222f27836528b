package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

// e2eUnsafeHTML is an e-mail's HTML as an attacker would write it, stored
// as it is (not through intake's sanitiser) to prove the frame that shows
// it holds on its own. Each script marks its own window and tries to reach
// the workspace.
const e2eUnsafeHTML = `<p>Добрый день, <b>формат</b> письма.</p>` +
	`<script>window.e2eRan = "script"; try { top.e2ePwned = "script" } catch (e) {} ` +
	`parent.postMessage("script", "*"); alert("script")</script>` +
	`<img src="/no-such-image" onerror="window.e2eRan = 'onerror'; parent.postMessage('onerror', '*'); alert('onerror')">` +
	`<svg onload="window.e2eRan = 'svg'; parent.postMessage('svg', '*')"></svg>`

// TestE2EEmailHTMLSandbox proves an e-mail's formatted view runs none of
// its scripts, in its frame or in the workspace, and keeps the formatting.
func TestE2EEmailHTMLSandbox(t *testing.T) {
	d := e2eStart(t)
	tk := d.ticket("Invoice question", "See my e-mail.", &d.line1.ID)
	_, err := d.app.Tickets.AddComment(context.Background(), auth.System(), tk.ID, ticket.NewComment{
		Body: "Добрый день, формат письма.", Public: true, AuthorContactID: &d.caller.ID,
		Channel: ticket.ChannelEmail, HTML: e2eUnsafeHTML})
	if err != nil {
		t.Fatal(err)
	}
	ctx := d.signedIn(d.anna)
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Whatever reaches the workspace's window is recorded from the start,
	// before the frame may load.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.e2eMessages = []; addEventListener("message", e => e2eMessages.push(String(e.data)));`}); err != nil {
		t.Fatal(err)
	}
	d.open(ctx, fmt.Sprintf("/tickets/%d", tk.ID))
	d.do(ctx, "open the formatted view", chromedp.Click(chromedp.CSS(`details.html-view > summary`)))
	frame := d.frame(ctx, "about:srcdoc")
	d.waitUntil(frame, "the formatted view has loaded", `document.readyState === "complete"`)

	if got := d.text(frame, "body"); !strings.Contains(got, "формат письма") {
		t.Errorf("the formatted view shows %q", got)
	}
	if got := e2eEval[string](d, frame, `typeof window.e2eRan`); got != "undefined" {
		t.Errorf("a script of the e-mail ran in its frame (%s)", e2eEval[string](d, frame, `String(window.e2eRan)`))
	}
	if n := dialogs.Load(); n > 0 {
		t.Errorf("the e-mail opened %d dialogs", n)
	}
	if got := e2eEval[string](d, ctx, `typeof window.e2ePwned`); got != "undefined" {
		t.Errorf("a script of the e-mail set a global of the workspace: typeof e2ePwned = %s", got)
	}
	if got := e2eEval[[]string](d, ctx, `window.e2eMessages`); len(got) > 0 {
		t.Errorf("scripts of the e-mail ran and messaged the workspace: %v", got)
	}
	if sb := e2eEval[string](d, ctx, `document.querySelector("details.html-view iframe").getAttribute("sandbox")`); sb != "" {
		t.Errorf("the frame's sandbox allows %q", sb)
	}
	t.Run("the formatted view keeps the formatting", func(t *testing.T) {
		d := d.in(t)
		if !e2eEval[bool](d, frame, `!!document.querySelector("b")`) {
			t.Errorf("the formatted view lost the e-mail's markup; its frame holds:\n%s",
				e2eEval[string](d, frame, `document.documentElement.outerHTML`))
		}
	})
}

// TestE2ERefusals proves, over plain HTTP, that a cross-site form post is
// refused and changes nothing, and that an agent outside a ticket's group
// can open neither the ticket nor its files.
func TestE2ERefusals(t *testing.T) {
	d := e2eStartApp(t)
	ctx := context.Background()
	tk := d.ticket("Payroll export fails", "The export stops at 50%.", &d.line1.ID)
	file, err := d.app.Attachments.Upload(ctx, d.as(d.anna), "payroll.csv", "text/csv", strings.NewReader("name;salary\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.Tickets.AddComment(ctx, d.as(d.anna), tk.ID, ticket.NewComment{Body: "The export.",
		AttachmentIDs: []int64{file.ID}}); err != nil {
		t.Fatal(err)
	}
	comments := func(t *testing.T) int {
		list, err := d.app.Tickets.Comments(ctx, auth.System(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := comments(t)
	anna, ivan := d.client(d.anna), d.client(d.ivan)

	t.Run("cross-site comment post is refused", func(t *testing.T) {
		d := d.in(t)
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/tickets/%d/comments", d.base, tk.ID),
			strings.NewReader(url.Values{"body": {"planted"}, "public": {"1"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := anna.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", res.StatusCode)
		}
		if n := comments(t); n != before {
			t.Errorf("the ticket has %d comments after the refused post, want %d", n, before)
		}
	})
	get := func(t *testing.T, c *http.Client, path string) int {
		res, err := c.Get(d.base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, path := range []string{fmt.Sprintf("/tickets/%d", tk.ID), fmt.Sprintf("/attachments/%d/content", file.ID)} {
		t.Run("outsider gets 404 for "+path, func(t *testing.T) {
			if st := get(t, anna, path); st != http.StatusOK {
				t.Fatalf("Anna, in the ticket's group, gets %d", st)
			}
			if st := get(t, ivan, path); st != http.StatusNotFound {
				t.Errorf("Иван, outside the ticket's group, gets %d, want 404", st)
			}
		})
	}
}
