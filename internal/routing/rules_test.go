package routing_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// TestRulesInOrderWithStop: rules apply in their order, a later rule
// sees what an earlier one set, and a rule with stop ends the run.
func TestRulesInOrderWithStop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.rule(t, routing.Input{Name: "VIP clients", Conditions: []routing.Condition{
			{Kind: routing.CondCompany, Values: []string{id(f.company.ID)}}},
			Actions: []routing.Action{{Kind: routing.ActPriority, Value: "high"}, {Kind: routing.ActGroup, Value: id(f.vip.ID)}}})
		f.rule(t, routing.Input{Name: "Printers", Conditions: []routing.Condition{
			{Kind: routing.CondSubject, Values: []string{"printer"}}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"printer"}}}, Stop: true})
		f.rule(t, routing.Input{Name: "High to network", Conditions: []routing.Condition{
			{Kind: routing.CondPriority, Values: []string{"high"}}},
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(f.network.ID)}}})
		stranger := "someone@elsewhere.example"
		cases := []struct {
			name      string
			email     string
			subject   string
			wantGroup int64
			wantPrio  ticket.Priority
			wantTags  []string
			changes   []string
		}{
			{"a client's printer: the second rule stops the third", "", "The printer jams", f.vip.ID, "high",
				[]string{"printer"}, []string{"priority=high (rule 'VIP clients')", "group_id=" + id(f.vip.ID) + " (rule 'VIP clients')",
					"tags=printer (rule 'Printers')"}},
			{"a client's other question: the third sees the first's priority", "", "VPN down", f.network.ID, "high", nil,
				[]string{"priority=high (rule 'VIP clients')", "group_id=" + id(f.vip.ID) + " (rule 'VIP clients')",
					"group_id=" + id(f.network.ID) + " (rule 'High to network')"}},
			{"a stranger's printer", stranger, "Printer offline", 0, "normal", []string{"printer"},
				[]string{"tags=printer (rule 'Printers')"}},
			{"a stranger's question: nothing applies", stranger, "Hello", 0, "normal", nil, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				nt := ticket.NewTicket{Subject: c.subject}
				if c.email != "" {
					nt.Requester.Email = c.email
				}
				tk := f.open(t, nt)
				if got := deref(tk.GroupID); got != c.wantGroup {
					t.Errorf("group %d, want %d", got, c.wantGroup)
				}
				if tk.Priority != c.wantPrio {
					t.Errorf("priority %s, want %s", tk.Priority, c.wantPrio)
				}
				if !slices.Equal(tk.Tags, c.wantTags) && !(len(tk.Tags) == 0 && len(c.wantTags) == 0) {
					t.Errorf("tags %v, want %v", tk.Tags, c.wantTags)
				}
				if got := f.ruleChanges(t, tk.ID); !slices.Equal(got, c.changes) {
					t.Errorf("history %q, want %q", got, c.changes)
				}
			})
		}
		rules, err := f.svc.Rules(context.Background())
		must(t, err)
		applied := map[string]int64{}
		for _, r := range rules {
			applied[r.Name] = r.Stats.Applied
		}
		if applied["VIP clients"] != 2 || applied["Printers"] != 2 || applied["High to network"] != 1 {
			t.Errorf("counters %v, want VIP 2, Printers 2, High to network 1", applied)
		}
	})
}

// TestOrderAndSwitches: moving a rule changes which applies last, and a
// disabled rule is not looked at — on the node that changed them and on
// another node with its own cache.
func TestOrderAndSwitches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		other := newFixture2(t, f) // a second node on the same database
		ctx := context.Background()
		low := f.rule(t, routing.Input{Name: "Low", Actions: []routing.Action{{Kind: routing.ActPriority, Value: "low"}}})
		f.rule(t, routing.Input{Name: "Urgent", Actions: []routing.Action{{Kind: routing.ActPriority, Value: "urgent"}}})
		if got := other.open(t, ticket.NewTicket{}).Priority; got != "urgent" {
			t.Fatalf("priority %s, want urgent (Urgent applies last)", got)
		}
		_, err := f.svc.MoveRule(ctx, low.ID, +1, 0)
		must(t, err)
		if got := other.open(t, ticket.NewTicket{}).Priority; got != "low" {
			t.Errorf("after moving Low down: priority %s, want low", got)
		}
		_, err = f.svc.SetEnabled(ctx, low.ID, false)
		must(t, err)
		if got := other.open(t, ticket.NewTicket{}).Priority; got != "urgent" {
			t.Errorf("with Low off: priority %s, want urgent", got)
		}
	})
}

// TestUpdateRules: a rule on updates that waits for a field applies when
// that field changes, not on other changes nor at creation.
func TestUpdateRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.rule(t, routing.Input{Name: "Urgent goes to line 2", When: routing.OnUpdate, ChangedField: "priority",
			Conditions: []routing.Condition{{Kind: routing.CondPriority, Values: []string{"urgent"}}},
			Actions:    []routing.Action{{Kind: routing.ActLine, Value: "2"}}})
		tk := f.open(t, ticket.NewTicket{Priority: "urgent"})
		if tk.Line != 1 {
			t.Fatalf("line %d at creation, want 1 (the rule is for updates)", tk.Line)
		}
		tk, err := f.tickets.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Type: ptr(ticket.TypeIncident)})
		must(t, err)
		if tk = f.reload(t, tk.ID); tk.Line != 1 {
			t.Fatalf("line %d after a type change, want 1", tk.Line)
		}
		_, err = f.tickets.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Priority: ptr(ticket.PriorityLow)})
		must(t, err)
		tk = f.reload(t, tk.ID)
		_, err = f.tickets.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Priority: ptr(ticket.PriorityUrgent)})
		must(t, err)
		if tk = f.reload(t, tk.ID); tk.Line != 2 {
			t.Errorf("line %d after the priority became urgent, want 2", tk.Line)
		}
	})
}

// TestLoopIsStopped: a rule that takes the assignee away whenever one is
// set, against a group that assigns whenever a ticket has none, would
// change the ticket forever; the depth guard ends it, the rule's failure
// is recorded and the ticket is kept.
func TestLoopIsStopped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		_, err := f.assign.SetGroup(ctx, groupRR(f.desk.ID))
		must(t, err)
		f.rule(t, routing.Input{Name: "Never assigned", When: routing.OnUpdate, ChangedField: "assignee_id",
			Actions: []routing.Action{{Kind: routing.ActAssignee, Value: "none"}, {Kind: routing.ActGroup, Value: id(f.network.ID)}}})
		f.rule(t, routing.Input{Name: "Back to the desk", When: routing.OnUpdate, ChangedField: "group_id",
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(f.desk.ID)}}})
		_, err = f.assign.SetGroup(ctx, groupRR(f.network.ID))
		must(t, err)
		tk, err := f.tickets.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: "Loop", Requester: ticketRef(f),
			GroupID: &f.desk.ID})
		if err != nil {
			t.Fatalf("the ticket was lost to the loop: %v", err)
		}
		failed := f.history(t, tk.ID, routing.EventRuleFailed)
		if len(failed) == 0 || !strings.Contains(failed[0].To, "keep triggering each other") {
			t.Fatalf("failures %+v, want one telling of the loop", failed)
		}
		if _, err := f.tickets.FindTicket(ctx, f.admin, tk.ID); err != nil {
			t.Fatal(err)
		}
		rules, err := f.svc.Rules(ctx)
		must(t, err)
		broken := 0
		for _, r := range rules {
			if r.Broken() {
				broken++
			}
		}
		if broken == 0 {
			t.Error("no rule shows as broken after the loop")
		}
	})
}

// TestBrokenRule: a rule whose group was deleted after it was saved
// fails; the ticket is created all the same, the failure is in its
// history, the rule shows as broken, and the next rules still apply.
func TestBrokenRule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		doomed := f.group(t, "Doomed")
		f.rule(t, routing.Input{Name: "To the doomed group", Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(doomed.ID)},
			{Kind: routing.ActPriority, Value: "urgent"}}})
		f.rule(t, routing.Input{Name: "Tag everything", Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"seen"}}}})
		must(t, f.dir.DeleteGroup(ctx, doomed.ID))
		tk := f.open(t, ticket.NewTicket{Subject: "Still here"})
		if tk.GroupID != nil || tk.Priority != ticket.PriorityNormal {
			t.Errorf("group %v, priority %s: the failed rule's changes must all be undone", tk.GroupID, tk.Priority)
		}
		if !slices.Equal(tk.Tags, []string{"seen"}) {
			t.Errorf("tags %v: the next rule must still apply", tk.Tags)
		}
		failed := f.history(t, tk.ID, routing.EventRuleFailed)
		if len(failed) != 1 || failed[0].Field != "To the doomed group" || !strings.Contains(failed[0].To, "group") {
			t.Fatalf("failures %+v", failed)
		}
		rules, err := f.svc.Rules(ctx)
		must(t, err)
		if !rules[0].Broken() || rules[0].Stats.Failed != 1 || rules[1].Broken() {
			t.Errorf("rules' state %+v / %+v: the first broken, the second not", rules[0].Stats, rules[1].Stats)
		}
	})
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
