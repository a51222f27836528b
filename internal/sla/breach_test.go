package sla_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// sweep runs the scheduler once and fails the test on error.
func (f *fixture) sweep(t *testing.T) {
	t.Helper()
	if _, err := f.svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// count is how many history entries of a kind a ticket has.
func (f *fixture) count(t *testing.T, id int64, kind string) int {
	t.Helper()
	return len(f.events(t, id, kind))
}

// noticed reports whether p's notifications hold an entry of kind on the
// ticket.
func (f *fixture) noticed(t *testing.T, p auth.Principal, id int64, kind string) bool {
	t.Helper()
	list, err := f.tickets.Notices(context.Background(), p, 100)
	must(t, err)
	for _, n := range list {
		if n.TicketID == id && n.Kind == kind {
			return true
		}
	}
	return false
}

// The scheduler warns before a breach, records it, and escalates by the
// plan: Premium moves a ticket to the next line's group, raises its
// priority and tells the supervisor, on a missed first response or
// resolution. Each happens once, whatever runs again.
func TestBreachHandling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		olga := f.agent(t, "Olga Ozola", "olga@desk.example", auth.RoleAgent, 1, f.line1.ID) // Anna's colleague
		tk := f.open(t, ticket.PriorityNormal)                                               // Friday 16:00: answer by 17:00

		f.clock.Set(local(13, 16, 40))
		f.sweep(t)
		if n := f.count(t, tk.ID, ticket.EventSLAWarning); n != 0 {
			t.Fatalf("warned at 40 of 60 minutes: %d warnings", n)
		}

		f.clock.Set(local(13, 16, 46)) // past 75 %
		f.sweep(t)
		f.sweep(t)
		warnings := f.events(t, tk.ID, ticket.EventSLAWarning)
		if len(warnings) != 1 || warnings[0].Field != string(sla.FirstResponse) {
			t.Fatalf("warnings %+v, want one for the first response", warnings)
		}
		if !strings.Contains(warnings[0].Reason, "first response target at risk (plan Premium)") {
			t.Errorf("warning reason %q", warnings[0].Reason)
		}
		if !f.noticed(t, f.anna, tk.ID, ticket.EventSLAWarning) || !f.noticed(t, olga, tk.ID, ticket.EventSLAWarning) {
			t.Error("the assignee and the group are not both warned")
		}
		if f.noticed(t, f.ivan, tk.ID, ticket.EventSLAWarning) {
			t.Error("an agent of another group was warned")
		}
		if got := f.reload(t, tk.ID); got.Version != tk.Version {
			t.Errorf("a warning changed the ticket: version %d → %d", tk.Version, got.Version)
		}

		f.clock.Set(local(13, 17, 1)) // the hour is up
		f.sweep(t)
		f.sweep(t)
		breaches := f.events(t, tk.ID, ticket.EventSLABreached)
		if len(breaches) != 1 || breaches[0].Field != string(sla.FirstResponse) {
			t.Fatalf("breaches %+v, want one for the first response", breaches)
		}
		got := f.reload(t, tk.ID)
		if got.Line != 2 || got.GroupID == nil || *got.GroupID != f.line2.ID || got.Priority != ticket.PriorityHigh ||
			got.AssigneeID != nil {
			t.Fatalf("after the breach: line %d group %v priority %s assignee %v", got.Line, got.GroupID, got.Priority, got.AssigneeID)
		}
		esc := f.events(t, tk.ID, ticket.EventEscalated)
		if len(esc) != 1 || esc[0].Reason != "first response target breached (plan Premium): escalated to line 2, moved to Network" {
			t.Errorf("escalation %+v", esc)
		}
		prio := false
		for _, e := range f.events(t, tk.ID, ticket.EventChanged) {
			if e.Field == "priority" && e.To == "high" && e.ActorType == "system" &&
				e.Reason == "first response target breached (plan Premium): priority raised to high" {
				prio = true
			}
		}
		if !prio {
			t.Errorf("no priority change with its reason in %+v", f.events(t, tk.ID, ticket.EventChanged))
		}
		if !f.noticed(t, f.boss, tk.ID, ticket.EventSLABreached) {
			t.Error("the supervisor was not told of the breach")
		}
		if !f.noticed(t, f.ivan, tk.ID, ticket.EventEscalated) {
			t.Error("line 2's group was not told of the escalation")
		}
		if !contains(got.FollowerIDs, f.anna.AgentID) {
			t.Errorf("the previous assignee no longer follows: %v", got.FollowerIDs)
		}
		// The raised priority's targets count on: 6 h to resolve, 1 h used.
		wantTime(t, "resolution at high priority", got.SLA.ResolutionDueAt, local(16, 14, 0))

		// A person's change recomputes the deadlines; nothing fires again.
		f.clock.Set(local(16, 9, 0))
		got = f.update(t, tk.ID, ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
		wantTime(t, "resolution at urgent", got.SLA.ResolutionDueAt, local(16, 12, 0))
		f.sweep(t)
		if n := f.count(t, tk.ID, ticket.EventSLABreached); n != 1 {
			t.Fatalf("breaches after a recompute: %d", n)
		}
		if n := f.count(t, tk.ID, ticket.EventEscalated); n != 1 {
			t.Fatalf("escalations after a recompute: %d", n)
		}

		f.clock.Set(local(16, 11, 5)) // 75 % of the resolution
		f.sweep(t)
		f.clock.Set(local(16, 12, 1))
		f.sweep(t)
		f.sweep(t)
		if n := f.count(t, tk.ID, ticket.EventSLAWarning); n != 2 {
			t.Errorf("warnings: %d, want the first response's and the resolution's", n)
		}
		if n := f.count(t, tk.ID, ticket.EventSLABreached); n != 2 {
			t.Errorf("breaches: %d, want the first response's and the resolution's", n)
		}
		got = f.reload(t, tk.ID)
		if got.Line != 3 || got.Priority != ticket.PriorityUrgent {
			t.Errorf("after the resolution breach: line %d priority %s", got.Line, got.Priority)
		}
		if got.SLA.Resolution.State != ticket.SLABreached {
			t.Errorf("the ticket's row says %s", got.SLA.Resolution.State)
		}
	})
}

func TestTargetMetLateIsRecordedWithoutEscalation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.open(t, ticket.PriorityNormal)
		f.clock.Set(local(16, 9, 30)) // no run of the scheduler since Friday
		f.reply(t, tk.ID, true)
		f.sweep(t)
		f.sweep(t)
		breaches := f.events(t, tk.ID, ticket.EventSLABreached)
		if len(breaches) != 1 || !strings.Contains(breaches[0].Reason, "met late") {
			t.Fatalf("breaches %+v, want the late first response recorded", breaches)
		}
		if got := f.reload(t, tk.ID); got.Line != 1 || got.Priority != ticket.PriorityNormal {
			t.Errorf("a target already met escalated the ticket: line %d priority %s", got.Line, got.Priority)
		}
		if f.noticed(t, f.boss, tk.ID, ticket.EventSLABreached) {
			t.Error("the supervisor was told of a breach that escalates nothing")
		}
		if st := f.status(t, tk.ID, sla.FirstResponse); st.State != ticket.SLABreached {
			t.Errorf("first response %s, want breached", st.State)
		}
	})
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
