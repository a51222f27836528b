package routing_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// TestEveryAction: one rule with every kind of field action; each is in
// the history in the rule's name.
func TestEveryAction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.rule(t, routing.Input{Name: "Everything", Actions: []routing.Action{
			{Kind: routing.ActGroup, Value: id(f.network.ID)},
			{Kind: routing.ActLine, Value: "3"},
			{Kind: routing.ActPriority, Value: "urgent"},
			{Kind: routing.ActType, Value: "incident"},
			{Kind: routing.ActAssignee, Value: id(f.anna.ID)},
			{Kind: routing.ActAddTags, Values: []string{"routed", "Night"}},
			{Kind: routing.ActRemoveTags, Values: []string{"spam"}},
			{Kind: routing.ActField, Key: "asset", Value: "PC-17"},
		}})
		tk := f.open(t, ticket.NewTicket{Tags: []string{"spam", "keep"}})
		if deref(tk.GroupID) != f.network.ID || tk.Line != 3 || tk.Priority != "urgent" || tk.Type != "incident" ||
			deref(tk.AssigneeID) != f.anna.ID || tk.CustomFields["asset"] != "PC-17" {
			t.Fatalf("ticket %+v", tk)
		}
		tags := slices.Clone(tk.Tags)
		slices.Sort(tags)
		if !slices.Equal(tags, []string{"keep", "night", "routed"}) {
			t.Errorf("tags %v", tk.Tags)
		}
		got := f.ruleChanges(t, tk.ID)
		for _, want := range []string{"group_id=" + id(f.network.ID), "line=3", "priority=urgent", "type=incident",
			"assignee_id=" + id(f.anna.ID), "custom_fields.asset=\"PC-17\""} {
			if !slices.Contains(got, want+" (rule 'Everything')") {
				t.Errorf("history %q lacks %s by the rule", got, want)
			}
		}
	})
}

// TestTemplatedReply: a rule's reply is a public comment of Linedesk's,
// filled in for the ticket and sent once by its job (a second run of the
// job adds nothing); automatic mail gets none.
func TestTemplatedReply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.rule(t, routing.Input{Name: "Acknowledge", Actions: []routing.Action{{Kind: routing.ActReply, Value: id(f.greeting.ID)}}})
		tk := f.open(t, ticket.NewTicket{Subject: "Printer"})
		if n := countComments(t, f, tk.ID); n != 0 {
			t.Fatalf("%d comments before the job ran; the reply is sent after the change commits", n)
		}
		runJobs(t, f)
		runJobs(t, f)
		cs, err := f.tickets.Comments(ctx, auth.System(), tk.ID)
		must(t, err)
		if len(cs) != 1 || !cs[0].Public || cs[0].AuthorType != "system" ||
			cs[0].Body != "Hello Jānis, we are on "+ticket.Number(tk.Number)+"." {
			t.Fatalf("comments %+v", cs)
		}
		if ev := f.history(t, tk.ID, routing.EventRuleReplied); len(ev) != 1 || ev[0].To != "We got it" {
			t.Errorf("history of the reply %+v", ev)
		}

		// An e-mail ticket opened by automatic mail: intake adds the
		// message as an automatic comment in the same transaction.
		var auto ticket.Ticket
		must(t, d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			auto, err = f.tickets.CreateTicketTx(ctx, tx, auth.System(), ticket.NewTicket{Subject: "Out of office",
				Requester: ticketRef(f), Channel: "email", MailboxID: &f.mbox.ID})
			if err != nil {
				return err
			}
			_, err = f.tickets.AddCommentTx(ctx, tx, auth.System(), auto.ID, ticket.NewComment{Body: "I am away",
				Public: true, AuthorContactID: &f.contact.ID, Channel: "email", KeepStatus: true})
			return err
		}))
		runJobs(t, f)
		if n := countComments(t, f, auto.ID); n != 1 {
			t.Errorf("automatic mail's ticket has %d comments, want only the message itself", n)
		}
	})
}

func countComments(t *testing.T, f *fixture, id int64) int {
	t.Helper()
	cs, err := f.tickets.Comments(context.Background(), auth.System(), id)
	must(t, err)
	return len(cs)
}

// runJobs runs the job queue, as a node's workers do, until no rule's
// reply is waiting.
func runJobs(t *testing.T, f *fixture) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.jobs.Run(ctx, 1)
	}()
	defer func() { cancel(); <-done }()
	for range 250 {
		var n int
		must(t, f.d.R.QueryRowContext(ctx, `SELECT count(*) FROM routing_replies WHERE state = 'pending'`).Scan(&n))
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("rule replies still pending after 5 s")
}

// TestDryRun: trying a ticket's fields shows which rules would apply, in
// order, with their changes and where stop ended it; nothing is saved.
func TestDryRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.rule(t, routing.Input{Name: "Night", Conditions: []routing.Condition{{Kind: routing.CondWorkingHours, Not: true}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"night"}}}})
		f.rule(t, routing.Input{Name: "Printers", Conditions: []routing.Condition{{Kind: routing.CondSubject, Values: []string{"принтер"}}},
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(f.desk.ID)}, {Kind: routing.ActReply, Value: id(f.greeting.ID)}},
			Stop:    true})
		f.rule(t, routing.Input{Name: "Everything else", Actions: []routing.Action{{Kind: routing.ActPriority, Value: "low"}}})
		_, err := f.assign.SetGroup(ctx, groupRR(f.desk.ID))
		must(t, err)
		before := counts(t, d)
		at := time.Date(2025, 6, 21, 23, 0, 0, 0, riga)
		res, err := f.svc.Try(ctx, routing.DryRun{Subject: "Принтеры не работают", RequesterEmail: "janis@klients.lv",
			Channel: "email", At: &at})
		must(t, err)
		var got []string
		for _, s := range res.Steps {
			line := s.Rule.Name
			if !s.Matched {
				line += " no"
			}
			for _, c := range s.Changes {
				line += " " + c.Field + "=" + c.To
			}
			if s.Stopped {
				line += " stop"
			}
			got = append(got, line)
		}
		want := []string{"Night tags=night", "Printers group_id=" + id(f.desk.ID) + " reply=" + id(f.greeting.ID) + " stop"}
		if !slices.Equal(got, want) {
			t.Errorf("steps %q, want %q", got, want)
		}
		if deref(res.After.AssigneeID) != f.anna.ID || deref(res.After.GroupID) != f.desk.ID {
			t.Errorf("after: group %v assignee %v; the dry run shows the assignment too", res.After.GroupID, res.After.AssigneeID)
		}
		if after := counts(t, d); after != before {
			t.Errorf("rows %s after the dry run, %s before: it must change nothing", after, before)
		}
		rules, err := f.svc.Rules(ctx)
		must(t, err)
		for _, r := range rules {
			if r.Stats.Applied != 0 {
				t.Errorf("rule %s counted %d applications in a dry run", r.Name, r.Stats.Applied)
			}
		}
		// An existing ticket, tried as if it changed.
		tk := f.open(t, ticket.NewTicket{Subject: "Принтер"})
		res, err = f.svc.Try(ctx, routing.DryRun{TicketID: tk.ID, At: &at})
		must(t, err)
		if len(res.Steps) != 2 || res.Steps[0].Rule.Name != "Night" {
			t.Errorf("existing ticket: steps %+v", res.Steps)
		}
		if now := f.reload(t, tk.ID); now.Version != tk.Version {
			t.Errorf("the existing ticket moved from version %d to %d", tk.Version, now.Version)
		}
	})
}

// counts is the number of rows of the tables a ticket's creation writes.
func counts(t *testing.T, d *db.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"tickets", "ticket_events", "contacts", "jobs", "routing_replies", "routing_rule_stats",
		"assign_tickets"} {
		var n int
		must(t, d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n))
		out = append(out, table+"="+id(int64(n)))
	}
	var number int
	must(t, d.R.QueryRowContext(context.Background(), `SELECT value FROM counters WHERE name = 'ticket_number'`).Scan(&number))
	return strings.Join(out, " ") + " number=" + id(int64(number))
}

// TestBadRules: each mistake is refused with the field named, and no
// rule is stored.
func TestBadRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		prio := []routing.Action{{Kind: routing.ActPriority, Value: "high"}}
		cases := []struct {
			name  string
			in    routing.Input
			field string
		}{
			{"no name", routing.Input{Actions: prio}, "name"},
			{"no conditions on every change", routing.Input{Name: "Any change", When: routing.OnUpdate, Actions: prio}, "conditions"},
			{"no actions", routing.Input{Name: "Idle", Conditions: []routing.Condition{{Kind: routing.CondPriority,
				Values: []string{"low"}}}}, "actions"},
			{"a missing group", routing.Input{Name: "Lost", Actions: []routing.Action{{Kind: routing.ActGroup, Value: "99999"}}},
				"actions[0].value"},
			{"a missing agent", routing.Input{Name: "Ghost", Actions: []routing.Action{prio[0], {Kind: routing.ActAssignee,
				Value: "99999"}}}, "actions[1].value"},
			{"an unknown condition", routing.Input{Name: "X", Conditions: []routing.Condition{{Kind: "weather"}}, Actions: prio},
				"conditions[0].kind"},
			{"an hour 25:00", routing.Input{Name: "Late", Conditions: []routing.Condition{{Kind: routing.CondTimeOfDay,
				Values: []string{"22:00", "25:00"}}}, Actions: prio}, "conditions[0].values[1]"},
			{"an unknown priority", routing.Input{Name: "P", Conditions: []routing.Condition{{Kind: routing.CondPriority,
				Values: []string{"asap"}}}, Actions: prio}, "conditions[0].values"},
			{"an unknown custom field", routing.Input{Name: "F", Actions: []routing.Action{{Kind: routing.ActField, Key: "colour",
				Value: "red"}}}, "actions[0].key"},
			{"a bad domain", routing.Input{Name: "D", Conditions: []routing.Condition{{Kind: routing.CondEmailDomain,
				Values: []string{"not a domain"}}}, Actions: prio}, "conditions[0].values"},
		}
		for _, c := range cases {
			_, err := f.svc.CreateRule(ctx, c.in)
			t.Run(c.name, func(t *testing.T) { wantField(t, err, c.field) })
		}
		good := f.rule(t, routing.Input{Name: "Good", Actions: prio})
		_, err := f.svc.UpdateRule(ctx, good.ID, 0, routing.Input{Name: "Good", Actions: []routing.Action{{Kind: routing.ActGroup,
			Value: "424242"}}})
		wantField(t, err, "actions[0].value")
		rules, err := f.svc.Rules(ctx)
		must(t, err)
		if len(rules) != 1 || rules[0].Actions[0].Kind != routing.ActPriority || rules[0].Version != 1 {
			t.Errorf("rules after bad input: %+v", rules)
		}
	})
}
