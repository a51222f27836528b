package agent_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"unicode"

	"github.com/chromedp/chromedp"
)

// e2eMarker matches what a page shows for a message its catalog lacks:
// the message's id in brackets, e.g. [queue.open].
var e2eMarker = regexp.MustCompile(`\[[a-z0-9_]+(\.[a-z0-9_\-]+)+\]`)

// e2eLanguageKeys are texts of the queue and the ticket page, each found
// where the selector points.
var e2eLanguageKeys = []struct{ page, css, key string }{
	{"queue", ".content-head h1", "queue.open"},
	{"queue", `#queue-nav a[href="/queues/mine"]`, "queue.mine"},
	{"queue", ".topbar #quick-link", "nav.quick"},
	{"queue", "table.tickets thead", "col.requester"},
	{"ticket", "#props h2", "ticket.properties"},
	{"ticket", "[data-composer] [data-send]", "compose.send"},
	{"ticket", "[data-composer] .reply-tab", "compose.reply"},
	{"ticket", ".ticket-meta .badge", "status.new"},
}

// TestE2ELanguages proves an agent who picks Russian or Latvian on the
// profile page gets the queue and the ticket page in that language, with
// no message missing.
func TestE2ELanguages(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	tk := d.ticket("Scanner does not send to e-mail", "Scans never arrive.", &d.line1.ID)
	ctx := d.signedIn(d.anna)

	for _, lang := range []string{"ru", "lv"} {
		t.Run(lang, func(t *testing.T) {
			d := d.in(t)
			msgs := e2eCatalog(t, lang)
			d.open(ctx, "/profile")
			d.submit(ctx, `form[action="/profile"] button`,
				chromedp.SetValue(chromedp.CSS(`form[action="/profile"] select[name=language]`), lang))
			if got := d.text(ctx, ".flash"); got != msgs["flash.saved"] {
				t.Errorf("profile saved: notice %q, want %q", got, msgs["flash.saved"])
			}
			pages := map[string]string{"queue": "/queues/open", "ticket": fmt.Sprintf("/tickets/%d", tk.ID)}
			for _, name := range []string{"queue", "ticket"} {
				d.open(ctx, pages[name])
				if got := e2eEval[string](d, ctx, `document.documentElement.lang`); got != lang {
					t.Errorf("%s page: <html lang=%q>, want %q", name, got, lang)
				}
				for _, k := range e2eLanguageKeys {
					if k.page != name {
						continue
					}
					got := d.text(ctx, k.css)
					if !e2eContains(got, msgs[k.key]) {
						t.Errorf("%s page, %s: shows %q, want the %s text %q", name, k.css, got, lang, msgs[k.key])
					}
					if !e2eInLanguage(lang, msgs[k.key], en[k.key]) {
						t.Errorf("%s page, %s: the %s text of %s is %q, which is not %s", name, k.css, lang, k.key, msgs[k.key], lang)
					}
				}
				e2eNoMarkers(t, d, ctx, name)
			}
		})
	}
}

// e2eContains reports whether shown holds want, ignoring case (some
// headings are styled in capitals).
func e2eContains(shown, want string) bool {
	return want != "" && regexp.MustCompile(`(?i)`+regexp.QuoteMeta(want)).MatchString(shown)
}

// e2eInLanguage reports whether a text is written in lang rather than
// left in English: Russian in Cyrillic, Latvian different from English.
func e2eInLanguage(lang, text, english string) bool {
	switch lang {
	case "ru":
		for _, r := range text {
			if unicode.Is(unicode.Cyrillic, r) {
				return true
			}
		}
		return false
	case "lv":
		return text != english
	}
	return true
}

// e2eNoMarkers fails the test when the page shows a missing message.
func e2eNoMarkers(t *testing.T, d *e2eDesk, ctx context.Context, page string) {
	t.Helper()
	html := e2eEval[string](d, ctx, `document.documentElement.outerHTML`)
	if m := e2eMarker.FindAllString(html, 5); len(m) > 0 {
		t.Errorf("%s page shows missing messages: %v", page, m)
	}
}
