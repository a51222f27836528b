package agent_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestE2ELiveQueue proves a new ticket appears in an open queue without a
// reload and without moving the list under the agent's eyes.
func TestE2ELiveQueue(t *testing.T) {
	d := e2eStart(t)
	for i := range 40 {
		d.ticket(fmt.Sprintf("Password reset request %02d", i+1), "Locked out.", &d.line1.ID)
	}
	ctx := d.signedIn(d.anna)
	d.open(ctx, "/queues/open")
	d.waitUntil(ctx, "the queue counts load", `!!document.querySelector("#queue-nav .count")`)
	d.do(ctx, "scroll down the list", chromedp.Evaluate[chromedp.Void](`window.e2eSamePage = true; window.scrollTo(0, 600)`))
	d.waitUntil(ctx, "the window scrolls", `window.scrollY === 600`)

	var created struct {
		ID int64 `json:"id"`
	}
	subject := "Новый звонок: не работает телефон на ресепшене"
	d.api("POST", "/tickets", map[string]any{"subject": subject, "description": "Линия молчит.",
		"requester": map[string]any{"id": d.caller.ID}, "group_id": d.line1.ID, "channel": "phone"}, &created)

	d.waitUntil(ctx, "the new ticket's row appears",
		fmt.Sprintf(`!!document.querySelector('#queue-list tr[data-href="/tickets/%d"]')`, created.ID))
	if !e2eEval[bool](d, ctx, `window.e2eSamePage === true`) {
		t.Error("the page was reloaded to show the new ticket")
	}
	if y := e2eEval[float64](d, ctx, `window.scrollY`); y != 600 {
		t.Errorf("the window scrolled to %v while the list refreshed, want it left at 600", y)
	}
	if got := d.text(ctx, `#queue-list tr[data-href="/tickets/`+strconv.FormatInt(created.ID, 10)+`"] .subject`); !strings.Contains(got, subject) {
		t.Errorf("the new row shows %q", got)
	}
}

// TestE2EBulkBar proves the bulk actions show only while tickets are
// ticked, with how many are.
func TestE2EBulkBar(t *testing.T) {
	d := e2eStart(t)
	d.ticket("Monitor flickers", "The left monitor flickers.", &d.line1.ID)
	d.ticket("Keyboard missing keys", "The Ä key is gone.", &d.line1.ID)
	ctx := d.signedIn(d.anna)
	d.open(ctx, "/queues/open")
	shown := `(() => { const b = document.querySelector("[data-bulkbar]"); return !!b && b.offsetParent !== null && getComputedStyle(b).display !== "none"; })()`

	if e2eEval[bool](d, ctx, shown) {
		t.Error("the bulk actions show with no ticket ticked")
	}
	d.do(ctx, "tick a ticket", chromedp.Click(chromedp.CSS(`#queue-list tbody input[name=ids]`)))
	if !e2eEval[bool](d, ctx, shown) {
		t.Error("the bulk actions do not show with a ticket ticked")
	}
	if got := d.text(ctx, "[data-selected-count]"); !strings.HasPrefix(got, "1") {
		t.Errorf("the bulk bar counts %q ticked", got)
	}
	d.do(ctx, "untick it", chromedp.Click(chromedp.CSS(`#queue-list tbody input[name=ids]`)))
	if e2eEval[bool](d, ctx, shown) {
		t.Error("the bulk actions stay after the last ticket is unticked")
	}
}
