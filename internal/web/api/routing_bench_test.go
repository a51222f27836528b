package api_test

import (
	"context"
	"fmt"
	"testing"

	"linedesk/internal/assign"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/routing"
)

// BenchmarkHTTPCreateTicketRoutingPaced is BenchmarkHTTPCreateTicketPaced
// with twenty routing rules (three of which apply to each ticket: its
// group, a tag, its type) and round-robin assignment among five agents
// of the group the rules choose.
func BenchmarkHTTPCreateTicketRoutingPaced(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d)
		benchRules(b, e)
		createPaced(b, e, 2000)
	})
}

func benchRules(b *testing.B, e *env) {
	ctx := context.Background()
	g, err := e.dir.CreateGroup(ctx, directory.GroupInput{Name: "Printers"})
	if err != nil {
		b.Fatal(err)
	}
	other, err := e.dir.CreateGroup(ctx, directory.GroupInput{Name: "Network"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 5 {
		if _, err := e.dir.CreateAgent(ctx, directory.AgentInput{Name: fmt.Sprintf("Agent %d", i),
			Email: fmt.Sprintf("agent%d@desk.example", i), GroupIDs: []int64{g.ID}}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.api.Assign.SetGroup(ctx, assign.Group{GroupID: g.ID, Mode: assign.ModeRoundRobin}); err != nil {
		b.Fatal(err)
	}
	id := func(v int64) string { return fmt.Sprint(v) }
	act := func(kind, v string) []routing.Action { return []routing.Action{{Kind: kind, Value: v}} }
	tag := func(t string) []routing.Action {
		return []routing.Action{{Kind: routing.ActAddTags, Values: []string{t}}}
	}
	cond := func(kind string, v ...string) []routing.Condition {
		return []routing.Condition{{Kind: kind, Values: v}}
	}
	rules := []routing.Input{
		{Name: "Printers", Conditions: cond(routing.CondSubject, "printer", "принтер"),
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(g.ID)}, {Kind: routing.ActAddTags, Values: []string{"printer"}}}},
		{Name: "Does not print", Conditions: []routing.Condition{{Kind: routing.CondSubject, Op: routing.OpPhrase,
			Values: []string{"does not print"}}}, Actions: act(routing.ActType, "incident")},
		{Name: "Client domain", Conditions: cond(routing.CondEmailDomain, "client.example"), Actions: tag("client")},
		{Name: "Passwords", Conditions: cond(routing.CondBody, "parole", "password"), Actions: tag("password")},
		{Name: "Urgent", Conditions: cond(routing.CondPriority, "urgent"), Actions: act(routing.ActLine, "2")},
		{Name: "Night", Conditions: cond(routing.CondTimeOfDay, "22:00", "06:00"), Actions: tag("night")},
		{Name: "Out of hours phone", Conditions: []routing.Condition{{Kind: routing.CondWorkingHours, Not: true},
			{Kind: routing.CondChannel, Values: []string{"phone"}}}, Actions: act(routing.ActPriority, "high")},
		{Name: "Monitors", Conditions: cond(routing.CondChannel, "monitor"), Actions: act(routing.ActType, "problem")},
		{Name: "VIP", Conditions: cond(routing.CondTags, "vip"), Actions: act(routing.ActPriority, "urgent")},
		{Name: "Requests", Conditions: cond(routing.CondType, "request"), Actions: act(routing.ActGroup, id(other.ID))},
		{Name: "Line 3", Conditions: cond(routing.CondLine, "3"), Actions: act(routing.ActPriority, "high")},
		{Name: "Held", Conditions: cond(routing.CondStatus, "on_hold"), Actions: tag("held")},
		{Name: "Spam", Conditions: cond(routing.CondSubject, "casino", "lottery"), Actions: tag("spam"), Stop: true},
	}
	for i, dom := range []string{"bank.example", "shop.example", "city.example", "school.example", "clinic.example", "port.example",
		"farm.example"} {
		rules = append(rules, routing.Input{Name: fmt.Sprintf("Domain %d", i), Conditions: cond(routing.CondEmailDomain, dom),
			Actions: act(routing.ActGroup, id(other.ID))})
	}
	for _, in := range rules {
		if _, err := e.api.Routing.CreateRule(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
