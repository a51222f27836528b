package routing_test

import (
	"context"
	"fmt"
	"testing"

	"linedesk/internal/assign"
	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// TwentyRules is a desk's rule set of twenty rules of every kind, of
// which three apply to a printer ticket of a client's contact: its
// word and phrase conditions, domains, companies, priorities, tags,
// channels, time of day and working hours are all evaluated.
func twentyRules(f *fixture, to directory.Group) []routing.Input {
	act := func(kind, v string) []routing.Action { return []routing.Action{{Kind: kind, Value: v}} }
	tag := func(t string) []routing.Action {
		return []routing.Action{{Kind: routing.ActAddTags, Values: []string{t}}}
	}
	var out []routing.Input
	for i, d := range []string{"bank.example", "shop.example", "city.example", "school.example", "clinic.example"} {
		out = append(out, routing.Input{Name: fmt.Sprintf("Domain %d", i), Conditions: []routing.Condition{
			{Kind: routing.CondEmailDomain, Values: []string{d}}}, Actions: act(routing.ActGroup, id(f.network.ID))})
	}
	out = append(out,
		routing.Input{Name: "Printers", Conditions: []routing.Condition{{Kind: routing.CondSubject, Values: []string{"printer", "принтер"}}},
			Actions: []routing.Action{{Kind: routing.ActGroup, Value: id(to.ID)}, {Kind: routing.ActAddTags, Values: []string{"printer"}}}},
		routing.Input{Name: "Does not print", Conditions: []routing.Condition{{Kind: routing.CondSubject, Op: routing.OpPhrase,
			Values: []string{"does not print"}}}, Actions: act(routing.ActType, "incident")},
		routing.Input{Name: "Passwords", Conditions: []routing.Condition{{Kind: routing.CondBody, Values: []string{"parole", "password", "пароль"}}},
			Actions: tag("password")},
		routing.Input{Name: "Urgent to line 2", Conditions: []routing.Condition{{Kind: routing.CondPriority, Values: []string{"urgent"}}},
			Actions: act(routing.ActLine, "2")},
		routing.Input{Name: "Client company", Conditions: []routing.Condition{{Kind: routing.CondCompany, Values: []string{id(f.company.ID)}}},
			Actions: tag("client")},
		routing.Input{Name: "Night", Conditions: []routing.Condition{{Kind: routing.CondTimeOfDay, Values: []string{"22:00", "06:00"}}},
			Actions: tag("night")},
		routing.Input{Name: "Out of hours", Conditions: []routing.Condition{{Kind: routing.CondWorkingHours, Not: true},
			{Kind: routing.CondChannel, Values: []string{"phone"}}}, Actions: act(routing.ActPriority, "high")},
		routing.Input{Name: "Monitors", Conditions: []routing.Condition{{Kind: routing.CondChannel, Values: []string{"monitor"}}},
			Actions: act(routing.ActType, "problem")},
		routing.Input{Name: "VIP tag", Conditions: []routing.Condition{{Kind: routing.CondTags, Values: []string{"vip"}}},
			Actions: act(routing.ActPriority, "urgent")},
		routing.Input{Name: "Requests", Conditions: []routing.Condition{{Kind: routing.CondType, Values: []string{"request"}}},
			Actions: act(routing.ActGroup, id(f.desk.ID))},
		routing.Input{Name: "Asset field", Conditions: []routing.Condition{{Kind: routing.CondCustomField, Key: "asset", Values: []string{"SRV-1"}}},
			Actions: tag("server")},
		routing.Input{Name: "Line 3", Conditions: []routing.Condition{{Kind: routing.CondLine, Values: []string{"3"}}},
			Actions: act(routing.ActPriority, "high")},
		routing.Input{Name: "Latvian words", Conditions: []routing.Condition{{Kind: routing.CondSubject, Values: []string{"printeris", "drukā"}}},
			Actions: tag("lv")},
		routing.Input{Name: "Open status", Conditions: []routing.Condition{{Kind: routing.CondStatus, Values: []string{"on_hold"}}},
			Actions: tag("held")},
		routing.Input{Name: "Stop for spam", Conditions: []routing.Condition{{Kind: routing.CondSubject, Values: []string{"casino", "lottery"}}},
			Actions: tag("spam"), Stop: true},
	)
	return out
}

// BenchmarkCreateTicketWithRules opens tickets as BenchmarkCreateTicket
// does (internal/ticket), with deadlines, routing and assignment wired
// as `linedesk serve` wires them: no rules; twenty rules; twenty rules
// and round-robin assignment among five agents of the group the rules
// choose.
func BenchmarkCreateTicketWithRules(b *testing.B) {
	for _, c := range []struct {
		name          string
		rules, assign bool
	}{{"none", false, false}, {"20rules", true, false}, {"20rules+assign", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			dbtest.EachB(b, func(b *testing.B, d *db.DB) {
				f := newBenchFixture(b, d)
				ctx := context.Background()
				printers := f.groupB(b, "Printers")
				if c.rules {
					for _, in := range twentyRules(f, printers) {
						if _, err := f.svc.CreateRule(ctx, in); err != nil {
							b.Fatal(err)
						}
					}
				}
				if c.assign {
					for i := range 5 {
						if _, err := f.dir.CreateAgent(ctx, directory.AgentInput{Name: fmt.Sprintf("Agent %d", i),
							Email: fmt.Sprintf("agent%d@desk.example", i), GroupIDs: []int64{printers.ID}}); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := f.assign.SetGroup(ctx, assign.Group{GroupID: printers.ID, Mode: assign.ModeRoundRobin}); err != nil {
						b.Fatal(err)
					}
				}
				var rec benchutil.Recorder
				i := 0
				for b.Loop() {
					i++
					rec.Time(func() {
						_, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Printer does not print",
							Description: "Since this morning the office printer shows an error.", Priority: ticket.PriorityHigh,
							Requester: ticket.RequesterRef{Email: fmt.Sprintf("caller%d@klients.lv", i%100)}, Tags: []string{"printer"}})
						if err != nil {
							b.Fatal(err)
						}
					})
				}
				rec.Report(b)
			})
		})
	}
}

func newBenchFixture(b *testing.B, d *db.DB) *fixture {
	f := wire(b, d)
	f.seed(b)
	return f
}

func (f *fixture) groupB(b *testing.B, name string) directory.Group { return f.group(b, name) }
