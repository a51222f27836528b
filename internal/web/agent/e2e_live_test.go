package agent_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestE2EPresence proves two agents on one ticket see each other, and one
// sees the other typing a reply.
func TestE2EPresence(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	tk := d.ticket("Printer offline after update", "Nobody on the floor can print.", nil)
	page := fmt.Sprintf("/tickets/%d", tk.ID)
	anna, ivan := d.signedIn(d.anna), d.signedIn(d.ivan)
	d.open(anna, page)
	d.open(ivan, page)

	viewing := func(name string) string {
		return fmt.Sprintf(`document.querySelector("#presence").innerText.includes(%q)`, e2eFill(en["presence.viewing"], "Name", name))
	}
	d.waitUntil(anna, "Anna sees Иван viewing the ticket", viewing(e2eIvanName))
	d.waitUntil(ivan, "Иван sees Anna viewing the ticket", viewing(e2eAnnaName))

	d.do(ivan, "Иван types a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Проверяю очередь печати"))
	typing := e2eFill(en["presence.typing"], "Name", e2eIvanName)
	d.waitUntil(anna, "Anna sees Иван typing",
		fmt.Sprintf(`[...document.querySelectorAll("#presence .typing")].some(e => e.innerText.includes(%q))`, typing))
	if got := d.text(ivan, "#presence"); strings.Contains(got, e2eIvanName) {
		t.Errorf("Иван sees himself in the presence list: %q", got)
	}

	// A reply changes no field of the ticket, yet Anna is told of it.
	d.submit(ivan, `[data-composer] [data-send]`)
	d.waitUntil(anna, "Anna's page says the ticket changed elsewhere", `!document.getElementById("changed-notice").hidden`)
	if !e2eEval[bool](d, ivan, `document.getElementById("changed-notice").hidden`) {
		t.Error("Иван is told his own reply changed the ticket elsewhere")
	}
}

// TestE2EStaleSave proves a save over a colleague's change is refused with
// the conflict message, keeping the agent's choice in the form.
func TestE2EStaleSave(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	tk := d.ticket("Mail server certificate expires", "The certificate expires on Friday.", nil)
	page := fmt.Sprintf("/tickets/%d", tk.ID)
	anna, ivan := d.signedIn(d.anna), d.signedIn(d.ivan)
	d.open(anna, page)
	d.open(ivan, page)

	d.submit(ivan, `#props button[type=submit]`, chromedp.SetValue(chromedp.CSS(`#props select[name=priority]`), "urgent"))
	if got := d.text(ivan, ".flash"); got != en["flash.saved"] {
		t.Fatalf("Иван's save: notice %q, want %q", got, en["flash.saved"])
	}
	d.waitUntil(anna, "Anna's page says the ticket changed elsewhere", `!document.getElementById("changed-notice").hidden`)
	d.submit(anna, `#props button[type=submit]`, chromedp.SetValue(chromedp.CSS(`#props select[name=status]`), "pending"))

	t.Run("Anna sees the conflict and keeps her choice", func(t *testing.T) {
		d := d.in(t)
		if got := d.text(anna, "#save-error"); got != en["ticket.conflict"] {
			t.Errorf("conflict message %q, want %q", got, en["ticket.conflict"])
		}
		if got := e2eEval[string](d, anna, `document.querySelector("#props select[name=status]").value`); got != "pending" {
			t.Errorf("status in the form after the conflict is %q, want her choice pending", got)
		}
		now, err := d.app.Tickets.FindTicket(t.Context(), d.as(d.admin), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Status == "pending" || now.Priority != "urgent" {
			t.Errorf("after the refused save the ticket is %s/%s, want Иван's urgent and no pending", now.Status, now.Priority)
		}
	})
	t.Run("Иван's change is shown to Anna", func(t *testing.T) {
		d := d.in(t)
		// The conflict message says the colleague's change is shown: the
		// priority Anna did not touch must be Иван's, in the header and
		// in the form, or saving again would undo it.
		if got := d.text(anna, ".ticket-meta .prio"); got != en["priority.urgent"] {
			t.Errorf("the header shows priority %q, want Иван's %q", got, en["priority.urgent"])
		}
		if got := e2eEval[string](d, anna, `document.querySelector("#props select[name=priority]").value`); got != "urgent" {
			t.Errorf("the form offers priority %q to save again, which would undo Иван's urgent", got)
		}
	})
}
