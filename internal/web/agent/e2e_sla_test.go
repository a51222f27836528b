package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// TestE2EDeadlineScreens opens the deadline screens in a real browser in
// every language, on a laptop and on a phone: the plan, calendar and lines
// administration, the at-risk queue and a ticket with its deadlines. No
// page may show a missing message or scroll sideways. With
// LINEDESK_SCREENSHOTS=dir set, each is saved there (the long forms whole).
func TestE2EDeadlineScreens(t *testing.T) {
	d := e2eStart(t)
	clock := &slaClock{t: rigaAt(18, 9, 0)} // a Wednesday
	d.app.SLA.SetClock(clock.now)
	plan, cal, tk := d.showcaseDeadlines(clock)
	clock.set(rigaAt(18, 10, 40))
	ctx, admin := d.signedIn(d.anna), d.signedIn(d.admin)
	pages := []struct {
		name, path string
		as         context.Context
		whole      bool
	}{
		{"queue-at-risk", "/queues/at_risk", ctx, false},
		{"ticket-deadlines", fmt.Sprintf("/tickets/%d", tk.ID), ctx, false},
		{"admin-plan", fmt.Sprintf("/admin/plans/%d", plan.ID), admin, true},
		{"admin-plans", "/admin/plans", admin, false},
		{"admin-calendar", fmt.Sprintf("/admin/calendars/%d", cal.ID), admin, true},
		{"admin-lines", "/admin/lines", admin, false},
	}
	for _, lang := range []string{"en", "ru", "lv"} {
		for _, a := range []int64{d.anna.ID, d.admin.ID} {
			if _, err := d.app.Directory.UpdateAgent(context.Background(), a, directory.AgentUpdate{Language: &lang}); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range pages {
			for _, size := range []struct {
				name string
				w, h int64
			}{{"", e2eW, e2eH}, {"-phone", 390, 844}} {
				name := p.name + size.name + "-" + lang
				d.do(p.as, "resize for "+name, chromedp.EmulateViewport(size.w, size.h))
				if st := d.open(p.as, p.path); st != 200 {
					t.Fatalf("%s: status %d", name, st)
				}
				e2eNoMarkers(t, d, p.as, name)
				if wide := e2eEval[bool](d, p.as, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
					t.Errorf("%s scrolls sideways: %v px wide in a %d px window; widest: %s", name,
						e2eEval[float64](d, p.as, `document.documentElement.scrollWidth`), size.w, e2eEval[string](d, p.as,
							`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
				}
				if p.whole && size.name == "" {
					d.wholePage(p.as, name)
				} else {
					d.screenshot(p.as, name)
				}
			}
			d.do(p.as, "resize back", chromedp.EmulateViewport(e2eW, e2eH))
		}
		if lang == "en" {
			d.open(ctx, "/queues/at_risk")
			if got := d.text(ctx, "#queue-list tbody tr:first-child .subject"); got == "" {
				t.Error("the at-risk queue is empty")
			}
			d.open(ctx, fmt.Sprintf("/tickets/%d", tk.ID))
			if got := d.text(ctx, "#deadlines"); !strings.Contains(got, "Resolution") || !strings.Contains(got, "Time at each line") {
				t.Errorf("the deadlines panel shows %q", got)
			}
		}
	}
}

func contains(s, part string) bool {
	return len(s) >= len(part) && (s == part || indexOf(s, part) >= 0)
}

func indexOf(s, part string) int {
	for i := 0; i+len(part) <= len(s); i++ {
		if s[i:i+len(part)] == part {
			return i
		}
	}
	return -1
}

// wholePage saves the whole length of a page, for long forms.
func (d *e2eDesk) wholePage(ctx context.Context, name string) {
	d.t.Helper()
	dir := os.Getenv("LINEDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, e2eWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		d.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// showcaseDeadlines sets a help desk's service levels up as an
// administrator would, and opens tickets whose deadlines stand
// differently by 10:40: breached, at risk, on track, paused.
func (d *e2eDesk) showcaseDeadlines(clock *slaClock) (sla.Plan, *sla.Calendar, ticket.Ticket) {
	t, ctx, s := d.t, context.Background(), d.app.SLA
	var week []sla.Window
	for wd := 1; wd <= 5; wd++ {
		week = append(week, sla.Window{Weekday: wd, From: 9 * 60, To: 13 * 60}, sla.Window{Weekday: wd, From: 14 * 60, To: 18 * 60})
	}
	cal, err := s.CreateCalendar(ctx, sla.Calendar{Name: "Rīgas birojs — darba laiks", TimeZone: "Europe/Riga", Windows: week,
		Days: []sla.Day{{Date: "2025-06-23", Kind: sla.DayHoliday, Name: "Līgo diena"}, {Date: "2025-06-24", Kind: sla.DayHoliday,
			Name: "Jāņu diena"}, {Date: "2025-11-01", Kind: sla.DayWorking, AsWeekday: 1, Name: "Рабочая суббота"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedHolidays(ctx, cal.ID, "lv", 2025); err != nil {
		t.Fatal(err)
	}
	boss, err := d.app.Directory.CreateAgent(ctx, directory.AgentInput{Name: "Светлана Руководитель", Email: "sveta@example.com",
		Role: "supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	in := sla.NewPlanInput()
	in.Name, in.Description, in.CalendarID, in.IsDefault = "Premium 8×5", "Поддержка в рабочие часы, выезд инженера", &cal.ID, true
	in.IncludedHours, in.HourlyRateCents, in.Currency, in.PauseOnHold = 10, 4500, "EUR", true
	in.Targets = map[ticket.Priority]sla.Targets{
		ticket.PriorityUrgent: {FirstResponse: ptr(15), NextResponse: ptr(30), Resolution: ptr(240)},
		ticket.PriorityHigh:   {FirstResponse: ptr(30), NextResponse: ptr(60), Resolution: ptr(480)},
		ticket.PriorityNormal: {FirstResponse: ptr(60), NextResponse: ptr(120), Resolution: ptr(960)},
		ticket.PriorityLow:    {FirstResponse: ptr(240), Resolution: ptr(2400)},
	}
	in.Escalation = sla.Escalation{On: []sla.Target{sla.FirstResponse, sla.Resolution}, NextLine: true, RaisePriority: true,
		NotifyAgentID: &boss.ID}
	plan, err := s.CreatePlan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.Directory.UpdateCompany(ctx, d.company.ID, directory.CompanyUpdate{PlanID: directory.Ref{Set: true, ID: &plan.ID}}); err != nil {
		t.Fatal(err)
	}
	for line, g := range map[int]int64{1: d.line1.ID, 2: d.line2.ID} {
		if _, err := s.SetLineGroups(ctx, line, []int64{g}); err != nil {
			t.Fatal(err)
		}
	}
	open := func(at time.Time, subject string, p ticket.Priority, group *int64) ticket.Ticket {
		clock.set(at)
		tk, err := d.app.Tickets.CreateTicket(ctx, d.as(d.anna), ticket.NewTicket{Subject: subject, Description: subject,
			Requester: ticket.RequesterRef{ID: &d.caller.ID}, Priority: p, GroupID: group, Channel: ticket.ChannelEmail})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	open(rigaAt(18, 9, 0), "Не работает VPN у всего отдела продаж", ticket.PriorityUrgent, &d.line1.ID)
	open(rigaAt(18, 9, 50), "Printeris 3. stāvā drukā tukšas lapas", ticket.PriorityNormal, &d.line1.ID)
	open(rigaAt(18, 10, 15), "Нужна учётная запись для нового сотрудника Общества с ограниченной ответственностью", ticket.PriorityHigh, &d.line1.ID)
	tk := open(rigaAt(18, 9, 5), "Сканер не отправляет документы на почту", ticket.PriorityHigh, &d.line1.ID)
	clock.set(rigaAt(18, 9, 20))
	if _, err := d.app.Tickets.AddComment(ctx, d.as(d.anna), tk.ID, ticket.NewComment{Body: "Мария, добрый день! Проверяем.",
		Public: true}); err != nil {
		t.Fatal(err)
	}
	clock.set(rigaAt(18, 9, 40))
	if _, err := d.app.Tickets.AddComment(ctx, d.as(d.admin), tk.ID, ticket.NewComment{Body: "Ошибка всё ещё есть.",
		Public: true, AuthorContactID: &d.caller.ID}); err != nil {
		t.Fatal(err)
	}
	clock.set(rigaAt(18, 10, 0))
	if _, err := d.app.Tickets.Escalate(ctx, d.as(d.anna), tk.ID, ticket.Escalation{Line: 2, GroupID: &d.line2.ID,
		Reason: "Нужен доступ к почтовому серверу"}); err != nil {
		t.Fatal(err)
	}
	clock.set(rigaAt(18, 10, 40))
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	return plan, cal, tk
}
