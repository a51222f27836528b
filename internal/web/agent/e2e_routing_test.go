package agent_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"linedesk/internal/assign"
	"linedesk/internal/directory"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/sla"
)

// TestE2ERoutingScreens builds a rule in a real browser through the
// editor's rows, runs the dry run, and opens the rules list, the editor,
// the dry-run result, the assignment and shifts screens in every
// language on a laptop and a phone: no missing message, no sideways
// scrolling. With LINEDESK_SCREENSHOTS=dir set, each is saved there.
func TestE2ERoutingScreens(t *testing.T) {
	d := e2eStart(t)
	ctx := context.Background()
	admin := d.signedIn(d.admin)
	d.showcaseRouting()

	// An administrator writes a rule in the editor.
	d.open(admin, "/admin/routing/new")
	st := d.submit(admin, `.rule-editor button.primary`,
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Принтеры — второй этаж"),
		chromedp.SetValue(chromedp.CSS(`select[name="cond.0.kind"]`), routing.CondSubject),
		chromedp.SendKeys(chromedp.CSS(`input[name="cond.0.values"]`), "принтер, printer"),
		chromedp.SetValue(chromedp.CSS(`select[name="act.0.kind"]`), routing.ActAddTags),
		chromedp.SendKeys(chromedp.CSS(`input[name="act.0.value"]`), "printer"),
		chromedp.SetValue(chromedp.CSS(`select[name="act.1.kind"]`), routing.ActGroup),
		chromedp.SendKeys(chromedp.CSS(`input[name="act.1.value"]`), fmt.Sprint(d.line1.ID)))
	if st != 200 || !strings.Contains(d.text(admin, ".rule-list"), "Принтеры — второй этаж") {
		t.Fatalf("after saving the rule: status %d, list %q", st, d.text(admin, ".rule-list"))
	}
	// A refused rule names its row and keeps what was typed.
	d.open(admin, "/admin/routing/new")
	d.submit(admin, `.rule-editor button.primary`,
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Ночь"),
		chromedp.SetValue(chromedp.CSS(`select[name="cond.0.kind"]`), routing.CondTimeOfDay),
		chromedp.SendKeys(chromedp.CSS(`input[name="cond.0.values"]`), "22:00, 25:00"),
		chromedp.SetValue(chromedp.CSS(`select[name="act.0.kind"]`), routing.ActPriority),
		chromedp.SendKeys(chromedp.CSS(`input[name="act.0.value"]`), "high"))
	if got := d.text(admin, ".notice.error"); !strings.Contains(got, "Condition 1, values") {
		t.Errorf("refusal shows %q", got)
	}
	// The dry run of a pasted ticket lists the rules that would fire.
	d.open(admin, "/admin/dryrun")
	d.submit(admin, `#dryrun-form button.primary`,
		chromedp.SendKeys(chromedp.CSS(`input[name=subject]`), "Принтеры не печатают"),
		chromedp.SendKeys(chromedp.CSS(`input[name=requester_email]`), "maria@sztk.example"))
	result := d.text(admin, "#dryrun-result")
	for _, want := range []string{"Принтеры — второй этаж", "Fires", "VIP: СЗТК", "Nothing was saved"} {
		if !strings.Contains(result, want) {
			t.Errorf("dry run result lacks %q: %q", want, result)
		}
	}
	rules, err := d.app.Routing.Rules(ctx)
	d.must(err)
	before := 0
	d.must(d.app.DB.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&before))
	pages := []struct{ name, path string }{
		{"admin-routing-rules", "/admin/routing"},
		{"admin-routing-rule", fmt.Sprintf("/admin/routing/%d", rules[0].ID)},
		{"admin-routing-dryrun", ""},
		{"admin-assignment", "/admin/assignment"},
		{"admin-shifts", fmt.Sprintf("/admin/shifts/%d", d.ivan.ID)},
	}
	for _, lang := range []string{"en", "ru", "lv"} {
		_, err := d.app.Directory.UpdateAgent(ctx, d.admin.ID, directory.AgentUpdate{Language: &lang})
		d.must(err)
		for _, p := range pages {
			for _, size := range []struct {
				name string
				w, h int64
			}{{"", e2eW, e2eH}, {"-phone", 390, 844}} {
				name := p.name + size.name + "-" + lang
				d.do(admin, "resize for "+name, chromedp.EmulateViewport(size.w, size.h))
				if p.path == "" {
					d.open(admin, "/admin/dryrun")
					d.submit(admin, `#dryrun-form button.primary`,
						chromedp.SendKeys(chromedp.CSS(`input[name=subject]`), "Принтеры не печатают"),
						chromedp.SendKeys(chromedp.CSS(`input[name=requester_email]`), "maria@sztk.example"),
						chromedp.SetValue(chromedp.CSS(`input[name=at]`), "2025-06-21T23:30"))
				} else if st := d.open(admin, p.path); st != 200 {
					t.Fatalf("%s: status %d", name, st)
				}
				e2eNoMarkers(t, d, admin, name)
				if wide := e2eEval[bool](d, admin, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
					t.Errorf("%s scrolls sideways: widest %s", name, e2eEval[string](d, admin,
						`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
				}
				if size.name == "" {
					d.wholePage(admin, name)
				} else {
					d.screenshot(admin, name)
				}
			}
		}
	}
	d.do(admin, "resize back", chromedp.EmulateViewport(e2eW, e2eH))
	n := 0
	d.must(d.app.DB.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n))
	if n != before {
		t.Errorf("%d tickets after the dry runs, %d before", n, before)
	}
	if !rules[2].Broken() {
		t.Errorf("rule %q is not shown broken: %+v", rules[2].Name, rules[2].Stats)
	}
}

// showcaseRouting sets up rules as a desk would have them: a VIP client,
// nights and weekends, a broken rule, an acknowledgement, assignment and
// shifts.
func (d *e2eDesk) showcaseRouting() {
	ctx, r := context.Background(), d.app.Routing
	vip, err := d.app.Directory.CreateGroup(ctx, directory.GroupInput{Name: "VIP: СЗТК и ключевые клиенты"})
	d.must(err)
	gone, err := d.app.Directory.CreateGroup(ctx, directory.GroupInput{Name: "Old night desk"})
	d.must(err)
	cal, err := d.app.SLA.CreateCalendar(ctx, sla.Calendar{Name: "Office", TimeZone: "Europe/Riga", Windows: []sla.Window{
		{Weekday: 1, From: 9 * 60, To: 18 * 60}, {Weekday: 2, From: 9 * 60, To: 18 * 60}, {Weekday: 3, From: 9 * 60, To: 18 * 60},
		{Weekday: 4, From: 9 * 60, To: 18 * 60}, {Weekday: 5, From: 9 * 60, To: 18 * 60}}})
	d.must(err)
	in := sla.NewPlanInput()
	in.Name, in.CalendarID, in.IsDefault = "Standard", &cal.ID, true
	_, err = d.app.SLA.CreatePlan(ctx, in)
	d.must(err)
	ack, err := d.app.Replies.Create(ctx, d.as(d.admin), reply.Response, reply.Input{Name: "Заявка принята",
		Texts: map[string]string{"ru": "Здравствуйте, {{requester.first_name}}! Заявка {{ticket.number}} принята.",
			"en": "Hello {{requester.first_name}}, we have {{ticket.number}}."}})
	d.must(err)
	id := func(v int64) string { return fmt.Sprint(v) }
	for _, in := range []routing.Input{
		{Name: "VIP clients", Conditions: []routing.Condition{{Kind: routing.CondCompany, Values: []string{id(d.company.ID)}}},
			Actions: []routing.Action{{Kind: routing.ActPriority, Value: "high"}, {Kind: routing.ActGroup, Value: id(vip.ID)}}},
		{Name: "Nights and weekends", Conditions: []routing.Condition{{Kind: routing.CondWorkingHours, Not: true}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"after-hours"}}, {Kind: routing.ActReply, Value: id(ack.ID)}}},
		{Name: "VPN to the old night desk", Conditions: []routing.Condition{{Kind: routing.CondSubject, Values: []string{"vpn"}},
			{Kind: routing.CondTimeOfDay, Values: []string{"00:00", "23:59"}}},
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(gone.ID)}}, Stop: true},
		{Name: "Password resets", When: routing.OnBoth, ChangedField: "", Conditions: []routing.Condition{
			{Kind: routing.CondSubject, Values: []string{"parole", "пароль", "password"}}},
			Actions: []routing.Action{{Kind: routing.ActType, Value: "request"}, {Kind: routing.ActLine, Value: "1"}}},
	} {
		_, err := r.CreateRule(ctx, in)
		d.must(err)
	}
	d.must(d.app.Directory.DeleteGroup(ctx, gone.ID))
	// A ticket about the VPN finds the rule broken (its group is gone).
	d.ticket("Не работает VPN", "С утра не подключается", &d.line1.ID)
	_, err = d.app.Assign.SetGroup(ctx, assign.Group{GroupID: d.line1.ID, Mode: assign.ModeRoundRobin, MaxOpen: 8, ReturnAfterMinutes: 30})
	d.must(err)
	_, err = d.app.Assign.SetGroup(ctx, assign.Group{GroupID: vip.ID, Mode: assign.ModeLeastOpen, MaxOpen: 5})
	d.must(err)
	_, err = d.app.Assign.SetShift(ctx, d.ivan.ID, assign.Shift{Windows: []sla.Window{{Weekday: 1, From: 22 * 60, To: 6 * 60},
		{Weekday: 2, From: 22 * 60, To: 6 * 60}, {Weekday: 3, From: 22 * 60, To: 6 * 60}, {Weekday: 5, From: 16 * 60, To: 0}}})
	d.must(err)
	_, err = d.app.Assign.SetShift(ctx, d.anna.ID, assign.Shift{Always: true})
	d.must(err)
	_, err = d.app.Assign.SetAway(ctx, d.anna.ID, true)
	d.must(err)
}
