package agent_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// slaClock is a settable time for the desk's deadlines.
type slaClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *slaClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *slaClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func rigaAt(day, hour, min int) time.Time {
	loc, _ := time.LoadLocation("Europe/Riga")
	return time.Date(2025, 6, day, hour, min, 0, 0, loc)
}

// slaDesk is the desk with a default plan on a Riga office calendar
// (09:00–17:00 on weekdays): normal answers in 1 h and solves in 8 h,
// urgent in 20 min and 4 h; line 2 works in the desk's second group.
func slaDesk(t *testing.T) (*desk, *slaClock) {
	d := newDesk(t)
	c := &slaClock{t: rigaAt(16, 9, 0)}
	d.a.SLA.SetClock(c.now)
	ctx := context.Background()
	var week []sla.Window
	for wd := 1; wd <= 5; wd++ {
		week = append(week, sla.Window{Weekday: wd, From: 9 * 60, To: 17 * 60})
	}
	cal, err := d.a.SLA.CreateCalendar(ctx, sla.Calendar{Name: "Rīgas birojs", TimeZone: "Europe/Riga", Windows: week})
	if err != nil {
		t.Fatal(err)
	}
	in := sla.NewPlanInput()
	in.Name, in.CalendarID, in.IsDefault = "Premium", &cal.ID, true
	in.Targets = map[ticket.Priority]sla.Targets{
		ticket.PriorityNormal: {FirstResponse: ptr(60), Resolution: ptr(480)},
		ticket.PriorityUrgent: {FirstResponse: ptr(20), Resolution: ptr(240)},
	}
	if _, err := d.a.SLA.CreatePlan(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := d.a.SLA.SetLineGroups(ctx, 2, []int64{d.line2.ID}); err != nil {
		t.Fatal(err)
	}
	return d, c
}

func (d *desk) ticketAt(subject string, p ticket.Priority) ticket.Ticket {
	d.t.Helper()
	tk, err := d.a.Tickets.CreateTicket(context.Background(), auth.System(), ticket.NewTicket{Subject: subject,
		Requester: ticket.RequesterRef{ID: &d.caller.ID}, GroupID: &d.line1.ID, Priority: p})
	if err != nil {
		d.t.Fatal(err)
	}
	return tk
}

var rowLink = regexp.MustCompile(`<tr data-row data-href="/tickets/(\d+)"`)

// rowIDs are the tickets a queue page lists, in order.
func rowIDs(body string) []string {
	var out []string
	for _, m := range rowLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The "SLA at risk / breached" queue lists the tickets whose nearest
// deadline is missed or past its warning share, the soonest first, and
// each row shows that deadline.
func TestAtRiskQueue(t *testing.T) {
	d, c := slaDesk(t)
	calm := d.ticketAt("Printer toner", ticket.PriorityNormal) // first response 10:00
	waiting := d.ticketAt("Waiting for the customer", ticket.PriorityNormal)
	c.set(rigaAt(16, 9, 5))
	if _, err := d.a.Tickets.AddComment(context.Background(), d.principal(d.anna), waiting.ID,
		ticket.NewComment{Body: "Which printer?", Public: true}); err != nil {
		t.Fatal(err)
	}
	cur, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), waiting.ID)
	if _, err := d.a.Tickets.UpdateTicket(context.Background(), auth.System(), waiting.ID, ticket.Update{Version: cur.Version,
		Status: ptr(ticket.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	c.set(rigaAt(16, 9, 10))
	hot := d.ticketAt("Site is down", ticket.PriorityUrgent) // 09:30
	c.set(rigaAt(16, 9, 20))
	late := d.ticketAt("Invoice question", ticket.PriorityNormal) // 10:20
	c.set(rigaAt(16, 9, 40))
	fresh := d.ticketAt("New laptop", ticket.PriorityNormal) // 10:40, at risk from 10:25
	b := d.signIn(d.anna)

	c.set(rigaAt(16, 9, 27))
	_, body := b.get("/queues/at_risk")
	if got := rowIDs(body); !slices.Equal(got, []string{itoa(hot.ID)}) {
		t.Errorf("at risk at 09:27: %v, want only #%d", got, hot.Number)
	}

	c.set(rigaAt(16, 10, 16))
	_, body = b.get("/queues/at_risk")
	want := []string{itoa(hot.ID), itoa(calm.ID), itoa(late.ID)}
	if got := rowIDs(body); !slices.Equal(got, want) {
		t.Errorf("at risk at 10:16: %v, want %v (soonest first; not the pending %d nor the fresh %d)", got, want,
			waiting.ID, fresh.ID)
	}
	wantContains(t, body, "46 min overdue", "16 min overdue", "in 4 min", `class="hide-s nowrap due late"`,
		`class="hide-s nowrap due risk"`)
	_, counts := b.get("/queue-counts?queue=at_risk")
	if !regexp.MustCompile(`/queues/at_risk"[^>]*><span>[^<]*</span><span class="count">3<`).MatchString(counts) {
		t.Errorf("the queue count is not 3:\n%s", counts)
	}
	// The scheduler's warnings and breaches reach the assignee's group in
	// the notifications, told in the agent's words.
	if _, err := d.a.SLA.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, notices := b.get("/notices")
	// Anna keeps UTC: 09:30 in Riga is 06:30 for her.
	wantContains(t, notices, "#1003</span> Site is down", "First response target missed (due 16 Jun 2025, 06:30)",
		"First response at risk, due 16 Jun 2025, 07:20")
	// Every queue shows the nearest deadline.
	_, body = b.get("/queues/open")
	wantContains(t, body, "in 24 min", "—")
}

// The ticket page shows each target: due time in the agent's zone, the
// working time left, met, breached or paused, in the agent's language;
// and the time spent at each line.
func TestTicketDeadlinesPanel(t *testing.T) {
	d, c := slaDesk(t)
	tk := d.ticketAt("Site is down", ticket.PriorityUrgent) // first response 09:20, resolution 13:00
	riga := "Europe/Riga"
	if _, err := d.a.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{TimeZone: &riga}); err != nil {
		t.Fatal(err)
	}
	b := d.signIn(d.anna)
	c.set(rigaAt(16, 9, 16))
	_, body := b.get("/tickets/" + itoa(tk.ID))
	wantContains(t, body, "Deadlines", "Plan Premium · Rīgas birojs", `data-target="first_response" data-state="running"`,
		"At risk", "4 min of working time left", "16 Jun 2025, 09:20", "16 Jun 2025, 13:00", "3 h 44 min of working time left")

	// An agent in Moscow sees the due times in Moscow time, in Russian.
	ru, tz := "ru", "Europe/Moscow"
	if _, err := d.a.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{Language: &ru, TimeZone: &tz}); err != nil {
		t.Fatal(err)
	}
	c.set(rigaAt(16, 9, 30))
	_, body = b.get("/tickets/" + itoa(tk.ID))
	wantContains(t, body, "Сроки", "Нарушен", "просрочено на 10 мин рабочего времени", "16.06.2025 09:20")

	// Escalated to line 2 (no group named: line 2's group takes it), then
	// back to line 1 with a reason; the time at each line shows.
	res, _ := b.post("/tickets/"+itoa(tk.ID)+"/escalate", url.Values{"line": {"2"}, "reason": {"нужна сеть"}})
	wantStatus(t, res, 303)
	got, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), tk.ID)
	if got.Line != 2 || got.GroupID == nil || *got.GroupID != d.line2.ID {
		t.Fatalf("escalated to line %d group %v", got.Line, got.GroupID)
	}
	c.set(rigaAt(16, 10, 30))
	ivan := d.signIn(d.ivan)
	res, _ = ivan.post("/tickets/"+itoa(tk.ID)+"/escalate", url.Values{"line": {"1"}, "group_id": {itoa(d.line1.ID)},
		"reason": {"подтвердить с клиентом"}})
	wantStatus(t, res, 303)
	c.set(rigaAt(16, 11, 0))
	lv := "lv"
	if _, err := d.a.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{Language: &lv}); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/tickets/" + itoa(tk.ID))
	// Line 1: 09:00–09:30 and 10:30–11:00; line 2: 09:30–10:30.
	wantContains(t, body, "Termiņi", "Laiks katrā līnijā", "1 st. darba · 1 st. kopā")
	if n := strings.Count(body, "1 st. darba · 1 st. kopā"); n != 2 {
		t.Errorf("line times shown %d times, want both lines", n)
	}
	c.set(rigaAt(16, 9, 15)) // a reply in time, seen in English
	en := "en"
	d.a.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{Language: &en})
	other := d.ticketAt("Question", ticket.PriorityNormal)
	c.set(rigaAt(16, 9, 45))
	b.post("/tickets/"+itoa(other.ID)+"/comments", url.Values{"body": {"Here you go"}, "public": {"1"}})
	_, body = b.get("/tickets/" + itoa(other.ID))
	wantContains(t, body, `data-target="first_response" data-state="met"`, "met with 30 min to spare")
}

func ptr[T any](v T) *T { return &v }

// A ticket that came by a channel the client's plan does not include has
// no deadlines, and the panel says why; the plan's own channels keep
// theirs.
func TestDeadlinesOutsidePlan(t *testing.T) {
	d, _ := slaDesk(t)
	ctx := context.Background()
	plan, ok, err := d.a.SLA.DefaultPlan(ctx)
	if err != nil || !ok {
		t.Fatalf("default plan: %v %v", ok, err)
	}
	in := sla.PlanInput{Name: plan.Name, Terms: plan.Terms}
	in.Channels = []ticket.Channel{ticket.ChannelEmail, ticket.ChannelPortal}
	if _, err := d.a.SLA.UpdatePlan(ctx, plan.ID, in); err != nil {
		t.Fatal(err)
	}
	open := func(ch ticket.Channel) ticket.Ticket {
		tk, err := d.a.Tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Site is down", Channel: ch,
			Requester: ticket.RequesterRef{ID: &d.caller.ID}, GroupID: &d.line1.ID, Priority: ticket.PriorityUrgent})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	phone, mail := open(ticket.ChannelPhone), open(ticket.ChannelEmail)
	b := d.signIn(d.anna)
	_, body := b.get("/tickets/" + itoa(phone.ID))
	wantContains(t, body, `The plan “Premium” does not include the channel “Phone”: no deadlines apply to this ticket.`)
	if strings.Contains(body, `data-target="first_response"`) {
		t.Error("a phone ticket has a first-response deadline under a plan without the phone")
	}
	_, body = b.get("/tickets/" + itoa(mail.ID))
	wantContains(t, body, `data-target="first_response" data-state="running"`)
	if strings.Contains(body, "data-outside-plan") {
		t.Error("an e-mail ticket is said to be outside its plan")
	}
}
