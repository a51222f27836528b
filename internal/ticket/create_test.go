package ticket_test

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestCreateTicket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("defaults, requester and history", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{Subject: "  VPN drops every hour ", Tags: []string{"VPN", "vpn", "remote"},
				Requester: ticket.RequesterRef{Email: "Ivan.Petrov@Client.example", Name: "Иван Петров"}})
			if tk.Number != 1001 || tk.Status != ticket.StatusNew || tk.Priority != ticket.PriorityNormal ||
				tk.Type != ticket.TypeQuestion || tk.Line != 1 || tk.Channel != ticket.ChannelAPI || tk.Version != 1 {
				t.Errorf("unexpected ticket %+v", tk)
			}
			if tk.Subject != "VPN drops every hour" || !slices.Equal(tk.Tags, []string{"remote", "vpn"}) {
				t.Errorf("subject %q tags %v", tk.Subject, tk.Tags)
			}
			if tk.Requester.Email != "ivan.petrov@client.example" || tk.Requester.Name != "Иван Петров" {
				t.Errorf("requester %+v", tk.Requester)
			}
			events, err := f.svc.Events(ctx, f.admin, tk.ID)
			if err != nil || len(events) != 1 || events[0].Kind != ticket.EventCreated || events[0].ActorName != "Ada Admin" {
				t.Errorf("events %+v, %v", events, err)
			}
		})

		t.Run("what create returns is what a read returns", func(t *testing.T) {
			if _, err := f.svc.CreateField(ctx, f.admin, ticket.FieldInput{Key: "seats", Label: "Seats", Type: ticket.FieldNumber}); err != nil {
				t.Fatal(err)
			}
			for _, in := range []ticket.NewTicket{
				{Subject: "Plain"},
				{Subject: "Full", Description: "d", Status: ticket.StatusSolved, Priority: ticket.PriorityUrgent,
					Type: ticket.TypeIncident, Channel: ticket.ChannelPhone, Line: 2, GroupID: &f.desk, AssigneeID: &f.alice.AgentID,
					Tags: []string{"b", "a"}, CustomFields: map[string]any{"seats": 3.0},
					Requester: ticket.RequesterRef{Email: "full@client.example", Name: "Full Name"}},
			} {
				created := f.open(t, in)
				read, err := f.svc.FindTicket(ctx, f.admin, created.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(created, read) {
					t.Errorf("created %+v\nread    %+v", created, read)
				}
			}
		})

		t.Run("same address reuses the contact", func(t *testing.T) {
			a := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "same@client.example"}})
			b := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "SAME@client.example"}})
			if a.Requester.ID != b.Requester.ID {
				t.Errorf("two contacts for one address: %d and %d", a.Requester.ID, b.Requester.ID)
			}
		})

		t.Run("invalid input changes nothing", func(t *testing.T) {
			before := countTickets(t, d)
			cases := []struct {
				name  string
				in    ticket.NewTicket
				field string
			}{
				{"no subject", ticket.NewTicket{Requester: ticket.RequesterRef{Email: "a@b.example"}}, "subject"},
				{"no requester", ticket.NewTicket{Subject: "x"}, "requester"},
				{"bad email", ticket.NewTicket{Subject: "x", Requester: ticket.RequesterRef{Email: "not-an-address"}}, "requester.email"},
				{"bad priority", ticket.NewTicket{Subject: "x", Priority: "asap", Requester: ticket.RequesterRef{Email: "a@b.example"}}, "priority"},
				{"bad type", ticket.NewTicket{Subject: "x", Type: "bug", Requester: ticket.RequesterRef{Email: "a@b.example"}}, "type"},
				{"bad channel", ticket.NewTicket{Subject: "x", Channel: "fax", Requester: ticket.RequesterRef{Email: "a@b.example"}}, "channel"},
				{"bad line", ticket.NewTicket{Subject: "x", Line: 5, Requester: ticket.RequesterRef{Email: "a@b.example"}}, "line"},
				{"closed at birth", ticket.NewTicket{Subject: "x", Status: ticket.StatusClosed, Requester: ticket.RequesterRef{Email: "a@b.example"}}, "status"},
				{"unknown group", ticket.NewTicket{Subject: "x", GroupID: ptr(int64(999)), Requester: ticket.RequesterRef{Email: "a@b.example"}}, "group_id"},
				{"assignee outside group", ticket.NewTicket{Subject: "x", GroupID: &f.desk, AssigneeID: &f.bob.AgentID, Requester: ticket.RequesterRef{Email: "a@b.example"}}, "assignee_id"},
				{"unknown contact", ticket.NewTicket{Subject: "x", Requester: ticket.RequesterRef{ID: ptr(int64(999))}}, "requester.id"},
				{"unknown parent", ticket.NewTicket{Subject: "x", ParentID: ptr(int64(999)), Requester: ticket.RequesterRef{Email: "a@b.example"}}, "parent_id"},
				{"bad tag", ticket.NewTicket{Subject: "x", Tags: []string{"two words"}, Requester: ticket.RequesterRef{Email: "a@b.example"}}, "tags"},
				{"unknown custom field", ticket.NewTicket{Subject: "x", CustomFields: map[string]any{"nope": 1.0}, Requester: ticket.RequesterRef{Email: "a@b.example"}}, "custom_fields.nope"},
			}
			for _, c := range cases {
				_, err := f.svc.CreateTicket(ctx, f.admin, c.in)
				if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != c.field {
					t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
				}
			}
			if after := countTickets(t, d); after != before {
				t.Errorf("invalid input created tickets: %d → %d", before, after)
			}
			var contacts int
			d.R.QueryRow(`SELECT count(*) FROM contact_emails WHERE email = 'a@b.example'`).Scan(&contacts)
			if contacts != 0 {
				t.Error("a refused ticket left its new contact behind")
			}
		})

		t.Run("a failed create does not burn a number", func(t *testing.T) {
			last := f.open(t, ticket.NewTicket{})
			f.svc.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: "x", GroupID: ptr(int64(999)),
				Requester: ticket.RequesterRef{Email: "a@b.example"}})
			next := f.open(t, ticket.NewTicket{})
			if next.Number != last.Number+1 {
				t.Errorf("numbers %d then %d", last.Number, next.Number)
			}
		})
	})
}

func TestTicketNumbersUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.CreateTicket(context.Background(), f.admin, ticket.NewTicket{Subject: "load",
					Requester: ticket.RequesterRef{Email: "caller" + string(rune('a'+i%26)) + "@client.example"}})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Numbers are unique, gapless and increase in creation (id) order.
		rows, err := d.R.Query(`SELECT number FROM tickets ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var prev int64 = 1000
		count := 0
		for rows.Next() {
			var num int64
			rows.Scan(&num)
			if num != prev+1 {
				t.Errorf("number %d follows %d", num, prev)
			}
			prev = num
			count++
		}
		if count != n {
			t.Errorf("%d tickets, want %d", count, n)
		}
	})
}

func countTickets(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
