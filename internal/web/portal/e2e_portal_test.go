package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"linedesk/internal/auth"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// pasteScreenshot pastes a freshly drawn PNG into the focused form, as a
// screenshot from the clipboard arrives.
const pasteScreenshot = `new Promise(resolve => {
  const c = document.createElement("canvas");
  c.width = 120; c.height = 80;
  const g = c.getContext("2d");
  g.fillStyle = "#1f5fbf"; g.fillRect(0, 0, 120, 80);
  g.fillStyle = "#fff"; g.fillRect(20, 20, 80, 40);
  c.toBlob(blob => {
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "image.png", {type: "image/png"}));
    document.querySelector("#description").dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true}));
    resolve(true);
  }, "image/png");
})`

// TestE2ECustomerJourney follows a customer from registering to rating:
// self-registration, the confirmation link from a real mail, a ticket
// with a pasted screenshot, the agent's reply arriving without a reload,
// and the rating once the ticket is solved.
func TestE2ECustomerJourney(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	_, err := e.a.Portal.SaveSettings(ctx, e.admin, portal.Settings{Registration: portal.RegistrationDomains})
	e.must(err)
	en := catalog(t, "en")
	tab := e.tab(laptop)

	e.open(tab, "/portal/")
	e.do(tab, "go to registration", chromedp.Click(chromedp.CSS(`a[href="/portal/register"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#register-form")))
	e.submit(tab, "#register-form button[type=submit]",
		chromedp.SendKeys(chromedp.CSS(`#register-form input[name=name]`), "Ilze Ozola"),
		chromedp.SendKeys(chromedp.CSS(`#register-form input[name=email]`), "ilze@client.example"))
	if got := e.text(tab, "#register-sent"); !strings.Contains(got, "ilze@client.example") {
		t.Fatalf("after registering the page says %q", got)
	}

	mail := e.mailTo("ilze@client.example", "/portal/link/")
	link := mailURL.FindString(mail[strings.Index(mail, "http"):])
	if !strings.HasPrefix(link, e.base+"/portal/link/") {
		t.Fatalf("the confirmation mail's link is %q", link)
	}
	e.open(tab, link)
	e.submit(tab, "#link-use button")
	if p := eval[string](e, tab, "location.pathname"); p != "/portal/password" {
		t.Fatalf("confirming leads to %s, want the password page", p)
	}
	e.submit(tab, "#password-set button[type=submit]",
		chromedp.SendKeys(chromedp.CSS(`#password-set input[name=password]`), "Ilzes parole 1"),
		chromedp.SendKeys(chromedp.CSS(`#password-set input[name=again]`), "Ilzes parole 1"))
	if got := e.text(tab, ".flash"); got != en.T("portal.flash.password") {
		t.Errorf("after choosing a password: %q", got)
	}

	e.open(tab, "/portal/tickets/new")
	e.do(tab, "describe the problem",
		chromedp.SendKeys(chromedp.CSS("#subject"), "Printer prints blank pages"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Since this morning every page comes out blank."))
	eval[bool](e, tab, pasteScreenshot)
	e.waitUntil(tab, "the pasted screenshot is listed", `document.querySelector("[data-picked]").innerText.includes("screenshot-")`)
	e.submit(tab, "#create")
	if got := e.text(tab, ".flash"); got != en.T("portal.flash.created") {
		t.Errorf("after sending the request: %q", got)
	}
	e.waitUntil(tab, "the screenshot shows on the ticket", `[...document.images].some(i => i.complete && i.naturalWidth === 120)`)

	list, _, err := e.a.Tickets.FindTickets(ctx, auth.System(), ticket.Filter{Query: "Printer prints blank"})
	e.must(err)
	if len(list) != 1 || list[0].Channel != ticket.ChannelPortal || list[0].CompanyID == nil || *list[0].CompanyID != e.company.ID {
		t.Fatalf("tickets %+v", list)
	}
	tk := list[0]
	e.mailTo("ilze@client.example", fmt.Sprintf("#%d", tk.Number))

	eval[bool](e, tab, "window.stillHere = true")
	_, err = e.a.Tickets.AddComment(ctx, e.agent, tk.ID, ticket.NewComment{Body: "Please replace the toner cartridge.", Public: true})
	e.must(err)
	e.waitUntil(tab, "the agent's reply shows without a reload",
		`document.querySelector("#conversation").innerText.includes("Please replace the toner cartridge.")`)
	if !eval[bool](e, tab, "window.stillHere === true") {
		t.Error("the page was reloaded to show the reply")
	}
	_, err = e.a.Tickets.AddComment(ctx, e.agent, tk.ID, ticket.NewComment{Body: "The customer sounds annoyed", Public: false})
	e.must(err)

	cur, err := e.a.Tickets.FindTicket(ctx, auth.System(), tk.ID)
	e.must(err)
	solved := ticket.StatusSolved
	_, err = e.a.Tickets.UpdateTicket(ctx, e.agent, tk.ID, ticket.Update{Version: cur.Version, Status: &solved})
	e.must(err)
	e.waitUntil(tab, "the rating form appears when the ticket is solved", `!!document.querySelector("#rate-form")`)
	if strings.Contains(e.text(tab, "#conversation"), "annoyed") {
		t.Error("the internal note is on the customer's page")
	}
	e.submit(tab, "#rate-form button[type=submit]",
		chromedp.Click(chromedp.CSS(`#rate-form input[name=score][value="4"] + span`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`#rate-form textarea[name=comment]`), "Quick help, thank you"))
	if got := e.text(tab, ".flash"); got != en.T("portal.flash.rated") {
		t.Errorf("after rating: %q", got)
	}
	r, found, err := e.a.Portal.FindRating(ctx, tk.ID)
	if err != nil || !found || r.Score != 4 || r.Comment != "Quick help, thank you" {
		t.Errorf("rating %+v %v", r, err)
	}
	solvedMail := e.mailTo("ilze@client.example", "/portal/rate/")
	if !strings.Contains(solvedMail, fmt.Sprintf("#%d", tk.Number)) {
		t.Errorf("the solved mail does not name the ticket:\n%s", solvedMail)
	}
}

// TestE2EOffline proves the installed app shows the customer's ticket
// list from their last visit when the network is gone, and that signing
// out forgets it.
func TestE2EOffline(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	first := e.customer("Jānis Kalniņš", "janis@client.example", false)
	second := e.customer("Līga Liepa", "liga@client.example", false)
	_, err := e.a.Portal.OpenTicket(ctx, first, portal.NewTicket{Subject: "Jāņa printeris", Description: "Nedrukā."})
	e.must(err)
	_, err = e.a.Portal.OpenTicket(ctx, second, portal.NewTicket{Subject: "Līgas VPN", Description: "Nestrādā."})
	e.must(err)

	proxy := newSwitch(t, e.base)
	e.base = proxy.url
	tab := e.signIn(first.Email, phone)
	e.waitUntil(tab, "the service worker controls the page", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller || (location.reload(), false))`)
	e.open(tab, "/portal/tickets")
	e.waitUntil(tab, "the list is kept", `caches.open("portal-data").then(c => c.match("/portal/tickets")).then(r => r ? r.text() : "").then(t => t.includes("Jāņa printeris"))`)

	e.submit(tab, `form[data-signout] button`)
	e.waitUntil(tab, "signing out forgets the list", `caches.open("portal-data").then(c => c.keys()).then(k => k.length === 0)`)

	e.submit(tab, "#signin-submit",
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=email]`), second.Email),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=password]`), password))
	e.open(tab, "/portal/tickets")
	e.waitUntil(tab, "the second customer's list is kept", `caches.open("portal-data").then(c => c.match("/portal/tickets")).then(r => r ? r.text() : "").then(t => t.includes("Līgas VPN"))`)

	proxy.off()
	e.do(tab, "go offline", offline(true))
	if st := e.open(tab, "/portal/tickets"); st != http.StatusOK {
		t.Fatalf("offline, the list answers %d", st)
	}
	body := e.text(tab, "body")
	if !strings.Contains(body, "Līgas VPN") || strings.Contains(body, "Jāņa printeris") {
		t.Errorf("offline the list shows %q", body)
	}
	if e.text(tab, "#offline-note") == "" {
		t.Error("the page does not say it is offline")
	}
	e.screenshot(tab, "portal-offline-phone")
	e.open(tab, "/portal/tickets/new")
	if got := e.text(tab, "h1"); got != catalog(t, "en").T("portal.offline.title") {
		t.Errorf("offline, another page shows %q, want the offline page", got)
	}
}
