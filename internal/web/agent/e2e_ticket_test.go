package agent_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestE2EQuickTicket proves the phone flow: "n" on the queue opens the
// quick form, and what the caller said becomes a phone ticket for the
// number typed in.
func TestE2EQuickTicket(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	ctx := d.signedIn(d.anna)

	d.do(ctx, "press n on the queue", chromedp.KeyEvent("n"))
	d.waitUntil(ctx, "the quick form opens", `location.pathname === "/new" && !!document.querySelector("#quick-form")`)
	said := "После обновления не печатает принтер на 2 этаже\nОшибка 0x8007 на всех компьютерах бухгалтерии"
	phone := "+371 2612 3456"
	d.submit(ctx, `#quick-form button[type=submit]`,
		chromedp.SendKeys(chromedp.CSS(`#quick-form textarea[name=description]`), said),
		chromedp.SendKeys(chromedp.CSS(`#quick-form input[name=caller]`), phone))

	if p := d.path(ctx); !strings.HasPrefix(p, "/tickets/") || !strings.Contains(p, "done=created") {
		t.Fatalf("after creating, the window shows %s", p)
	}
	if got := d.text(ctx, ".flash"); got != en["flash.created"] {
		t.Errorf("notice %q, want %q", got, en["flash.created"])
	}
	if got := d.text(ctx, ".ticket-title h1"); !strings.Contains(got, "После обновления не печатает принтер на 2 этаже") {
		t.Errorf("title %q does not carry the first line of what the caller said", got)
	}
	if got := d.text(ctx, "#conversation .msg .body"); got != said {
		t.Errorf("the conversation starts with %q, want %q", got, said)
	}
	if got := d.text(ctx, ".ticket-meta"); !strings.Contains(got, en["channel.phone"]) {
		t.Errorf("ticket header %q does not name the channel %q", got, en["channel.phone"])
	}
	if got := d.text(ctx, "aside.side"); !strings.Contains(got, phone) {
		t.Errorf("the requester panel does not show the caller's number %s:\n%s", phone, got)
	}
}

// TestE2EReplyAndNote proves a public reply carries its file into the
// conversation and an internal note shows as one.
func TestE2EReplyAndNote(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	tk := d.ticket("VPN drops every hour", "The VPN disconnects at :00 every hour.", &d.line1.ID)
	file := filepath.Join(t.TempDir(), "vpn-client.log")
	if err := os.WriteFile(file, []byte("12:00:01 tunnel down: DPD timeout\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := d.signedIn(d.anna)
	d.open(ctx, fmt.Sprintf("/tickets/%d", tk.ID))

	t.Run("public reply with a file", func(t *testing.T) {
		d := d.in(t)
		reply := "Please send us the log from the client after the next drop."
		d.submit(ctx, `[data-composer] [data-send]`,
			chromedp.SetUploadFiles(chromedp.CSS(`input[name=files]`), []string{file}),
			chromedp.SendKeys(chromedp.ID("reply-body"), reply))
		if got := d.text(ctx, ".flash"); got != en["flash.replied"] {
			t.Errorf("notice %q, want %q", got, en["flash.replied"])
		}
		last := `#conversation article.msg:last-of-type`
		if got := d.text(ctx, last+" .body"); got != reply {
			t.Errorf("last message %q, want the reply %q", got, reply)
		}
		if cls := e2eEval[string](d, ctx, `document.querySelector("`+last+`").className`); !strings.Contains(cls, "from-agent") {
			t.Errorf("the reply is shown as %q, want from-agent", cls)
		}
		if got := d.text(ctx, last+" a.file"); got != "vpn-client.log" {
			t.Errorf("the reply's file is shown as %q", got)
		}
		body := e2eEval[string](d, ctx, `fetch(document.querySelector("`+last+` a.file").href).then(r => r.text())`)
		if body != "12:00:01 tunnel down: DPD timeout\n" {
			t.Errorf("the file's link serves %q", body)
		}
	})
	t.Run("after the reply the composer is not under the top bar", func(t *testing.T) {
		d := d.in(t)
		// The page returns to #end, just above the composer: its tabs
		// must not sit behind the sticky top bar.
		gap := e2eEval[float64](d, ctx, `document.querySelector("[data-composer] .tabs").getBoundingClientRect().top -
			document.querySelector(".topbar").getBoundingClientRect().bottom`)
		if gap < 0 {
			t.Errorf("the Reply/Note tabs are %.0fpx under the top bar after a reply", -gap)
		}
	})
	t.Run("internal note", func(t *testing.T) {
		d := d.in(t)
		note := "Customer's firewall drops idle UDP after 60 minutes, checking with Line 2."
		// As the agent would, bring the whole composer into sight first.
		d.do(ctx, "scroll to the composer", chromedp.Evaluate[chromedp.Void](
			`window.scrollBy(0, document.querySelector("[data-composer]").getBoundingClientRect().top - innerHeight / 2)`))
		d.submit(ctx, `[data-composer] [data-send]`,
			chromedp.Click(chromedp.CSS(`[data-composer] input[name=public][value="0"]`)),
			chromedp.SendKeys(chromedp.ID("reply-body"), note))
		if got := d.text(ctx, ".flash"); got != en["flash.noted"] {
			t.Errorf("notice %q, want %q", got, en["flash.noted"])
		}
		last := `#conversation article.msg:last-of-type`
		if got := d.text(ctx, last+" .body"); got != note {
			t.Errorf("last message %q, want the note %q", got, note)
		}
		if !e2eEval[bool](d, ctx, `document.querySelector("`+last+`").classList.contains("note")`) {
			t.Error("the note is not shown as an internal note (class note)")
		}
		if got := d.text(ctx, last+" .note-badge"); got != en["comment.internal"] {
			t.Errorf("note badge %q, want %q", got, en["comment.internal"])
		}
	})
}

// TestE2EPasteScreenshot proves a screenshot pasted into the reply box is
// sent with the reply and shown as an image.
func TestE2EPasteScreenshot(t *testing.T) {
	d := e2eStart(t)
	tk := d.ticket("Error on the invoice screen", "See the screenshot.", &d.line1.ID)
	ctx := d.signedIn(d.anna)
	d.open(ctx, fmt.Sprintf("/tickets/%d", tk.ID))

	picked := e2eEval[int](d, ctx, `(async () => {
		const c = document.createElement("canvas");
		c.width = 40; c.height = 30;
		const g = c.getContext("2d"); g.fillStyle = "#c00"; g.fillRect(0, 0, 40, 30);
		const png = await new Promise(done => c.toBlob(done, "image/png"));
		const data = new DataTransfer();
		data.items.add(new File([png], "image.png", {type: "image/png"}));
		const box = document.getElementById("reply-body");
		box.focus();
		box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
		return document.querySelector("input[name=files]").files.length;
	})()`)
	if picked != 1 {
		t.Fatalf("after the paste the form holds %d files, want 1", picked)
	}
	if got := d.text(ctx, "[data-picked]"); !strings.HasPrefix(got, "screenshot-") || !strings.Contains(got, ".png") {
		t.Errorf("the composer lists the pasted file as %q", got)
	}
	d.submit(ctx, `[data-composer] [data-send]`, chromedp.SendKeys(chromedp.ID("reply-body"), "This is what I see."))
	img := `#conversation article.msg:last-of-type .files img`
	d.waitUntil(ctx, "the pasted image shows", `(() => { const i = document.querySelector("`+img+`"); return !!i && i.complete && i.naturalWidth === 40; })()`)
	if alt := e2eEval[string](d, ctx, `document.querySelector("`+img+`").alt`); !strings.HasPrefix(alt, "screenshot-") {
		t.Errorf("the image is named %q", alt)
	}
}

// TestE2EEscalation proves a ticket Anna escalates to line 2 with a reason
// reaches Иван's line 2 queue, and its history tells him why.
func TestE2EEscalation(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	tk := d.ticket("Branch office cannot reach the ERP", "Since this morning the branch has no ERP access.", &d.line1.ID)
	reason := "Routing problem between the branch and the data centre; needs the network team."

	anna := d.signedIn(d.anna)
	d.open(anna, fmt.Sprintf("/tickets/%d", tk.ID))
	form := `form[action$="/escalate"]`
	d.submit(anna, form+` button[type=submit]`,
		chromedp.Click(chromedp.CSS(`details:has(`+form+`) > summary`)),
		chromedp.SetValue(chromedp.CSS(form+` select[name=line]`), "2"),
		chromedp.SetValue(chromedp.CSS(form+` select[name=group_id]`), fmt.Sprint(d.line2.ID)),
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name=reason]`), reason))
	if got := d.text(anna, ".flash"); got != en["flash.escalated"] {
		t.Fatalf("notice %q, want %q; page says %q", got, en["flash.escalated"], d.text(anna, "#save-error"))
	}

	ivan := d.signedIn(d.ivan)
	d.open(ivan, "/queues/line2")
	link := fmt.Sprintf(`#queue-list a[href="/tickets/%d"]`, tk.ID)
	if got := d.text(ivan, link); !strings.Contains(got, tk.Subject) {
		t.Fatalf("Иван's line 2 queue does not list the ticket; it shows:\n%s", d.text(ivan, "#queue-list"))
	}
	d.submit(ivan, link)
	d.do(ivan, "open the history", chromedp.Click(chromedp.CSS(`details:has(ol.events) > summary`)))
	history := d.text(ivan, "ol.events")
	if !strings.Contains(history, reason) || !strings.Contains(history, e2eAnnaName) {
		t.Errorf("the history does not tell who escalated and why:\n%s", history)
	}
	if got := d.text(ivan, ".ticket-meta .line"); got != e2eFill(en["ticket.line_n"], "N", "2") {
		t.Errorf("the ticket shows line %q", got)
	}
}
