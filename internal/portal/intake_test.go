package portal_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

func TestCustomerSees(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		other, err := f.dir.CreateCompany(ctx, portalCompany("Cits Uzņēmums", "other.example"))
		f.must(err)
		me := f.invited("Jānis", "janis@client.example", &f.company.ID)
		colleague := f.invited("Līga", "liga@client.example", &f.company.ID)
		manager := f.invited("Vadītājs", "boss@client.example", &f.company.ID)
		yes := true
		_, err = f.svc.UpdateAccount(ctx, f.admin, manager.ContactID, portal.AccountUpdate{Manager: &yes})
		f.must(err)
		manager, _ = f.svc.FindAccount(ctx, manager.ContactID)
		stranger := f.invited("Svešinieks", "x@other.example", &other.ID)

		mine := f.openAs(me, "Mine")
		theirs := f.openAs(colleague, "Colleague's")
		foreign := f.openAs(stranger, "Other company's")
		cases := []struct {
			who  portal.Account
			sees []ticket.Ticket
			not  []ticket.Ticket
		}{
			{me, []ticket.Ticket{mine}, []ticket.Ticket{theirs, foreign}},
			{manager, []ticket.Ticket{mine, theirs}, []ticket.Ticket{foreign}},
			{stranger, []ticket.Ticket{foreign}, []ticket.Ticket{mine, theirs}},
		}
		for _, c := range cases {
			list, _, err := f.tickets.FindCustomerTickets(ctx, c.who.Customer(), ticket.Filter{})
			f.must(err)
			if len(list) != len(c.sees) {
				t.Errorf("%s lists %d tickets, want %d", c.who.Name, len(list), len(c.sees))
			}
			for _, tk := range c.sees {
				if _, err := f.tickets.FindCustomerTicket(ctx, c.who.Customer(), tk.Number); err != nil {
					t.Errorf("%s cannot open %q: %v", c.who.Name, tk.Subject, err)
				}
			}
			for _, tk := range c.not {
				if _, err := f.tickets.FindCustomerTicket(ctx, c.who.Customer(), tk.Number); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("%s opens %q: %v, want not found", c.who.Name, tk.Subject, err)
				}
				if err := f.svc.Reply(ctx, c.who, tk.ID, "hi", nil); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("%s replies on %q: %v, want not found", c.who.Name, tk.Subject, err)
				}
				if _, err := f.svc.SetStatus(ctx, c.who, tk.ID, ticket.StatusSolved); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("%s solves %q: %v, want not found", c.who.Name, tk.Subject, err)
				}
			}
		}
		q, _, err := f.tickets.FindCustomerTickets(ctx, me.Customer(), ticket.Filter{Query: "Colleague"})
		if err != nil || len(q) != 0 {
			t.Errorf("searching for a colleague's ticket finds %d", len(q))
		}
	})
}

func portalCompany(name, domain string) directory.CompanyInput {
	return directory.CompanyInput{Name: name, Domains: []string{domain}}
}

// openAs opens a ticket in the portal as the customer.
func (f *fixture) openAs(a portal.Account, subject string) ticket.Ticket {
	f.t.Helper()
	tk, err := f.svc.OpenTicket(context.Background(), a, portal.NewTicket{Subject: subject, Description: subject + " does not work"})
	f.must(err)
	return tk
}

func TestCustomerConversation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		me := f.invited("Jānis", "janis@client.example", &f.company.ID)
		_, err := f.tickets.CreateField(ctx, f.admin, ticket.FieldInput{Key: "contract", Label: "Contract number",
			Type: ticket.FieldText, Required: true, Portal: true})
		f.must(err)
		_, err = f.tickets.CreateField(ctx, f.admin, ticket.FieldInput{Key: "cost_centre", Label: "Cost centre", Type: ticket.FieldText})
		f.must(err)

		t.Run("opening a ticket takes the portal's fields, and a required one must be filled", func(t *testing.T) {
			before := f.count(`SELECT count(*) FROM tickets`)
			_, err := f.svc.OpenTicket(ctx, me, portal.NewTicket{Subject: "VPN", Description: "Drops"})
			if e := apperr.As(err); e == nil || e.Field != "custom_fields.contract" {
				t.Errorf("without the required field: %v", err)
			}
			if n := f.count(`SELECT count(*) FROM tickets`); n != before {
				t.Errorf("%d tickets created by a refused form", n-before)
			}
			tk, err := f.svc.OpenTicket(ctx, me, portal.NewTicket{Subject: "VPN", Description: "Drops",
				Fields: map[string]any{"contract": "C-17", "cost_centre": "sneaked in"},
				Files:  []ticket.Upload{{Filename: "shot.png", ContentType: "image/png", Content: strings.NewReader("\x89PNG\r\n\x1a\nfake")}}})
			f.must(err)
			if tk.Channel != ticket.ChannelPortal || tk.CustomFields["contract"] != "C-17" || tk.CustomFields["cost_centre"] != nil {
				t.Errorf("ticket %+v", tk)
			}
			files, err := f.tickets.CustomerFiles(ctx, me.Customer(), tk.ID)
			if err != nil || len(files) != 1 || files[0].Filename != "shot.png" {
				t.Errorf("files %+v %v", files, err)
			}
			events, err := f.tickets.Events(ctx, f.admin, tk.ID)
			f.must(err)
			if events[0].ActorType != "contact" || events[0].ActorID == nil || *events[0].ActorID != me.ContactID {
				t.Errorf("the history says %s %v opened it, want the customer", events[0].ActorType, events[0].ActorID)
			}
		})
		tk := f.openWith(me, map[string]any{"contract": "C-18"})
		t.Run("internal notes never reach the customer, nor change what the live stamp says", func(t *testing.T) {
			stamp, err := f.tickets.PublicStamp(ctx, tk.ID)
			f.must(err)
			_, err = f.tickets.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "Customer is difficult", Public: false})
			f.must(err)
			after, err := f.tickets.PublicStamp(ctx, tk.ID)
			f.must(err)
			if after != stamp {
				t.Errorf("an internal note changed the stamp from %q to %q", stamp, after)
			}
			_, err = f.tickets.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "We are on it", Public: true})
			f.must(err)
			list, err := f.tickets.CustomerComments(ctx, me.Customer(), tk.ID)
			f.must(err)
			if len(list) != 1 || list[0].Body != "We are on it" {
				t.Errorf("the customer sees %+v", list)
			}
			if now, _ := f.tickets.PublicStamp(ctx, tk.ID); now == after {
				t.Error("a public reply left the stamp as it was")
			}
		})
		t.Run("my problem is solved, then reopen", func(t *testing.T) {
			got, err := f.svc.SetStatus(ctx, me, tk.ID, ticket.StatusSolved)
			if err != nil || got.Status != ticket.StatusSolved {
				t.Fatalf("solve: %v %v", got.Status, err)
			}
			if n := f.count(`SELECT count(*) FROM jobs WHERE kind = 'email.notify' AND payload LIKE '%solved%'`); n != 0 {
				t.Errorf("the customer who solved it is mailed that it was solved (%d)", n)
			}
			got, err = f.svc.SetStatus(ctx, me, tk.ID, ticket.StatusOpen)
			if err != nil || got.Status != ticket.StatusOpen {
				t.Fatalf("reopen: %v %v", got.Status, err)
			}
			if _, err := f.svc.SetStatus(ctx, me, tk.ID, ticket.StatusClosed); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("a customer closed the ticket for good: %v", err)
			}
		})
		t.Run("a reply reopens a solved ticket", func(t *testing.T) {
			solved := ticket.StatusSolved
			cur, _ := f.tickets.FindTicket(ctx, auth.System(), tk.ID)
			_, err := f.tickets.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: cur.Version, Status: &solved})
			f.must(err)
			f.must(f.svc.Reply(ctx, me, tk.ID, "Still broken", nil))
			cur, _ = f.tickets.FindTicket(ctx, auth.System(), tk.ID)
			if cur.Status != ticket.StatusOpen {
				t.Errorf("status after the customer's reply: %s", cur.Status)
			}
			if err := f.svc.Reply(ctx, me, tk.ID, "  ", nil); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("an empty reply: %v", err)
			}
		})
	})
}

func (f *fixture) openWith(a portal.Account, fields map[string]any) ticket.Ticket {
	f.t.Helper()
	tk, err := f.svc.OpenTicket(context.Background(), a, portal.NewTicket{Subject: "Printer", Description: "Jams", Fields: fields})
	f.must(err)
	return tk
}
