package routing_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// TestEveryCondition: each kind of condition, with a ticket it holds for
// and one it does not, and negated.
func TestEveryCondition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		stranger := ticket.RequesterRef{Email: "olga@mail.example"}
		base := func(mod func(*ticket.NewTicket)) ticket.NewTicket {
			nt := ticket.NewTicket{Subject: "Question", Description: "Hello", Requester: ticketRef(f)}
			if mod != nil {
				mod(&nt)
			}
			return nt
		}
		cases := []struct {
			name     string
			cond     routing.Condition
			yes, no  ticket.NewTicket
			yesAt    time.Time // when set, the moment of both tickets
			noAt     time.Time
			setStuff func(*ticket.NewTicket)
		}{
			{name: "channel", cond: routing.Condition{Kind: routing.CondChannel, Values: []string{"phone", "portal"}},
				yes: base(func(n *ticket.NewTicket) { n.Channel = "phone" }), no: base(nil)},
			{name: "mailbox", cond: routing.Condition{Kind: routing.CondMailbox, Values: []string{id(f.mbox.ID)}},
				yes: base(func(n *ticket.NewTicket) { n.MailboxID = &f.mbox.ID; n.Channel = "email" }), no: base(nil)},
			{name: "company", cond: routing.Condition{Kind: routing.CondCompany, Values: []string{id(f.company.ID)}},
				yes: base(nil), no: base(func(n *ticket.NewTicket) { n.Requester = stranger })},
			{name: "plan", cond: routing.Condition{Kind: routing.CondPlan, Values: []string{id(f.plan.ID)}},
				yes: base(nil), no: base(func(n *ticket.NewTicket) { n.Requester = stranger })},
			{name: "requester", cond: routing.Condition{Kind: routing.CondRequester, Values: []string{id(f.contact.ID)}},
				yes: base(nil), no: base(func(n *ticket.NewTicket) { n.Requester = stranger })},
			{name: "e-mail domain, with subdomains", cond: routing.Condition{Kind: routing.CondEmailDomain, Values: []string{"mail.example"}},
				yes: base(func(n *ticket.NewTicket) { n.Requester = ticket.RequesterRef{Email: "x@eu.mail.example"} }),
				no:  base(func(n *ticket.NewTicket) { n.Requester = ticket.RequesterRef{Email: "x@notmail.example"} })},
			{name: "subject words, all", cond: routing.Condition{Kind: routing.CondSubject, Op: routing.OpAll, Values: []string{"vpn", "down"}},
				yes: base(func(n *ticket.NewTicket) { n.Subject = "Our VPN is down again" }),
				no:  base(func(n *ticket.NewTicket) { n.Subject = "VPN question" })},
			{name: "body phrase", cond: routing.Condition{Kind: routing.CondBody, Op: routing.OpPhrase, Values: []string{"blue screen"}},
				yes: base(func(n *ticket.NewTicket) { n.Description = "I see a blue screen at start" }),
				no:  base(func(n *ticket.NewTicket) { n.Description = "the screen is blue" })},
			{name: "custom field equals", cond: routing.Condition{Kind: routing.CondCustomField, Key: "asset", Values: []string{"PC-17"}},
				yes: base(func(n *ticket.NewTicket) { n.CustomFields = map[string]any{"asset": "pc-17"} }),
				no:  base(func(n *ticket.NewTicket) { n.CustomFields = map[string]any{"asset": "PC-171"} })},
			{name: "custom field contains", cond: routing.Condition{Kind: routing.CondCustomField, Key: "asset", Op: routing.OpContains,
				Values: []string{"srv"}},
				yes: base(func(n *ticket.NewTicket) { n.CustomFields = map[string]any{"asset": "RIX-SRV-01"} }), no: base(nil)},
			{name: "priority", cond: routing.Condition{Kind: routing.CondPriority, Values: []string{"urgent"}},
				yes: base(func(n *ticket.NewTicket) { n.Priority = "urgent" }), no: base(nil)},
			{name: "status", cond: routing.Condition{Kind: routing.CondStatus, Values: []string{"open"}},
				yes: base(func(n *ticket.NewTicket) { n.Status = "open" }), no: base(nil)},
			{name: "type", cond: routing.Condition{Kind: routing.CondType, Values: []string{"incident"}},
				yes: base(func(n *ticket.NewTicket) { n.Type = "incident" }), no: base(nil)},
			{name: "line", cond: routing.Condition{Kind: routing.CondLine, Values: []string{"2"}},
				yes: base(func(n *ticket.NewTicket) { n.Line = 2 }), no: base(nil)},
			{name: "group, or none", cond: routing.Condition{Kind: routing.CondGroup, Values: []string{id(f.network.ID), "none"}},
				yes: base(nil), no: base(func(n *ticket.NewTicket) { n.GroupID = &f.desk.ID })},
			{name: "tags, any", cond: routing.Condition{Kind: routing.CondTags, Values: []string{"vip", "outage"}},
				yes: base(func(n *ticket.NewTicket) { n.Tags = []string{"outage"} }), no: base(func(n *ticket.NewTicket) { n.Tags = []string{"x"} })},
			{name: "time of day across midnight", cond: routing.Condition{Kind: routing.CondTimeOfDay, Values: []string{"22:00", "06:00"}},
				yes: base(nil), no: base(nil), yesAt: time.Date(2025, 6, 17, 5, 59, 0, 0, riga), noAt: time.Date(2025, 6, 17, 6, 0, 0, 0, riga)},
			{name: "inside working hours", cond: routing.Condition{Kind: routing.CondWorkingHours},
				yes: base(nil), no: base(nil), yesAt: time.Date(2025, 6, 20, 16, 59, 0, 0, riga), noAt: time.Date(2025, 6, 21, 12, 0, 0, 0, riga)},
		}
		ctx := context.Background()
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tag := "hit" + id(int64(i))
				r := f.rule(t, routing.Input{Name: "Condition " + c.name, Conditions: []routing.Condition{c.cond},
					Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{tag}}}})
				defer func() { must(t, f.svc.DeleteRule(ctx, r.ID)) }()
				check := func(nt ticket.NewTicket, at time.Time, want bool) {
					t.Helper()
					f.now = monday10
					if !at.IsZero() {
						f.now = at
					}
					got := hasTag(f.open(t, nt), tag)
					if got != want {
						t.Errorf("%s at %s: applied %v, want %v", nt.Subject, f.now.Format(time.DateTime), got, want)
					}
				}
				check(c.yes, c.yesAt, true)
				check(c.no, c.noAt, false)
				neg := c.cond
				neg.Not = true
				_, err := f.svc.UpdateRule(ctx, r.ID, 0, routing.Input{Name: r.Name, Conditions: []routing.Condition{neg},
					Actions: r.Actions})
				must(t, err)
				check(c.yes, c.yesAt, false)
				check(c.no, c.noAt, true)
			})
		}
	})
}

// TestAnalyzedWords: word conditions match the inflections of the words
// they name, in Russian, Latvian and English, as search does.
func TestAnalyzedWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.rule(t, routing.Input{Name: "Printers", Conditions: []routing.Condition{{Kind: routing.CondSubject,
			Values: []string{"принтер", "printer"}}}, Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"printer"}}}})
		f.rule(t, routing.Input{Name: "Passwords", Conditions: []routing.Condition{{Kind: routing.CondBody,
			Values: []string{"parole"}}}, Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"password"}}}})
		f.rule(t, routing.Input{Name: "Not printing", Conditions: []routing.Condition{{Kind: routing.CondBody, Op: routing.OpPhrase,
			Values: []string{"не печатает"}}}, Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"no-print"}}}})
		cases := []struct {
			subject, body string
			want          []string
		}{
			{"Принтеры на третьем этаже", "", []string{"printer"}},
			{"Сломался принтера", "", []string{"printer"}},
			{"All printers offline", "", []string{"printer"}},
			{"Aizmirsu paroli", "Lūdzu atjaunot paroli", []string{"password"}},
			{"Help", "Принтер не печатает с утра", []string{"no-print"}},
			{"Help", "Не всегда печатает", nil},
			{"Print server", "the password expired", nil},
		}
		for _, c := range cases {
			tk := f.open(t, ticket.NewTicket{Subject: c.subject, Description: c.body})
			for _, w := range c.want {
				if !hasTag(tk, w) {
					t.Errorf("%q / %q: tags %v, want %s", c.subject, c.body, tk.Tags, w)
				}
			}
			if len(c.want) == 0 && len(tk.Tags) > 0 {
				t.Errorf("%q / %q: tags %v, want none", c.subject, c.body, tk.Tags)
			}
		}
	})
}

// TestTimeWindows: a window 22:00–00:00 holds at 23:59 and not at
// 00:00; 00:00–02:00 holds just after midnight; outside working hours
// holds on a Saturday and at 17:00 on a weekday.
func TestTimeWindows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.rule(t, routing.Input{Name: "Late evening", Conditions: []routing.Condition{{Kind: routing.CondTimeOfDay,
			Values: []string{"22:00", "00:00"}}}, Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"late"}}}})
		f.rule(t, routing.Input{Name: "Out of hours", Conditions: []routing.Condition{{Kind: routing.CondWorkingHours, Not: true}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"after-hours"}}}})
		cases := []struct {
			at   time.Time
			want []string
		}{
			{time.Date(2025, 6, 16, 21, 59, 0, 0, riga), []string{"after-hours"}},
			{time.Date(2025, 6, 16, 23, 59, 0, 0, riga), []string{"late", "after-hours"}},
			{time.Date(2025, 6, 17, 0, 0, 0, 0, riga), []string{"after-hours"}},
			{time.Date(2025, 6, 17, 9, 0, 0, 0, riga), nil},
			{time.Date(2025, 6, 17, 17, 0, 0, 0, riga), []string{"after-hours"}},
			{time.Date(2025, 6, 21, 11, 0, 0, 0, riga), []string{"after-hours"}},
			// 20:30 UTC is 23:30 in Riga: the window is in the plan's zone.
			{time.Date(2025, 6, 18, 20, 30, 0, 0, time.UTC), []string{"late", "after-hours"}},
		}
		for _, c := range cases {
			f.now = c.at
			tk := f.open(t, ticket.NewTicket{})
			if len(tk.Tags) != len(c.want) {
				t.Errorf("at %s: tags %v, want %v", c.at.In(riga).Format("Mon 15:04"), tk.Tags, c.want)
				continue
			}
			for _, w := range c.want {
				if !hasTag(tk, w) {
					t.Errorf("at %s: tags %v, want %v", c.at.In(riga).Format("Mon 15:04"), tk.Tags, c.want)
				}
			}
		}
		// A requester with no plan's calendar is always inside hours.
		f.now = time.Date(2025, 6, 21, 11, 0, 0, 0, riga)
		if tk := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "x@nowhere.example"}}); hasTag(tk, "after-hours") {
			t.Errorf("no plan, Saturday: tags %v; with no calendar it is always working hours", tk.Tags)
		}
	})
}

func hasTag(tk ticket.Ticket, tag string) bool {
	for _, t := range tk.Tags {
		if t == tag {
			return true
		}
	}
	return false
}
