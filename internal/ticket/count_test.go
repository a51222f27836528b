package ticket_test

import (
	"context"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

// TestCountTicketsMatchesTheList: an agent's capped count (the queue
// numbers) counts each ticket the agent may see once, however many ways
// the agent reaches it, and none the agent may not see.
func TestCountTicketsMatchesTheList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		alice := f.alice.AgentID
		follow := func(tk ticket.Ticket, agent int64) {
			dbtest.Exec(t, d.W, `INSERT INTO ticket_followers (ticket_id, agent_id, created_at) VALUES ($1, $2, $3)`,
				tk.ID, agent, db.Now())
		}
		f.open(t, ticket.NewTicket{GroupID: &f.desk})                               // her group
		f.open(t, ticket.NewTicket{})                                               // no group yet
		f.open(t, ticket.NewTicket{GroupID: &f.netwrk})                             // another group: hidden
		f.open(t, ticket.NewTicket{GroupID: &f.netwrk, AssigneeID: &f.bob.AgentID}) // hidden
		follow(f.open(t, ticket.NewTicket{GroupID: &f.netwrk}), alice)              // followed
		followedToo := f.open(t, ticket.NewTicket{GroupID: &f.desk})                // her group and followed
		follow(followedToo, alice)
		bobs := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
		follow(bobs, f.bob.AgentID) // followed by someone else: hidden
		// Assigned to her in another group, and followed by her as well.
		assigned := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
		dbtest.Exec(t, d.W, `UPDATE tickets SET assignee_id = $1 WHERE id = $2`, alice, assigned.ID)
		follow(assigned, alice)

		for name, filter := range map[string]ticket.Filter{
			"all":         {},
			"new":         {Statuses: []ticket.Status{ticket.StatusNew}},
			"network":     {GroupID: &f.netwrk},
			"assigned":    {AssigneeID: &alice},
			"nothing":     {Statuses: []ticket.Status{ticket.StatusSolved}},
			"capped at 3": {CountUpTo: 3},
		} {
			t.Run(name, func(t *testing.T) {
				filter.PerPage = 100
				list, total, err := f.svc.FindTickets(ctx, f.alice, filter)
				if err != nil {
					t.Fatal(err)
				}
				want := len(list)
				if filter.CountUpTo > 0 {
					want = min(want, filter.CountUpTo)
				}
				capped := filter
				capped.CountUpTo = max(filter.CountUpTo, 1000)
				n, err := f.svc.CountTickets(ctx, f.alice, capped)
				if err != nil {
					t.Fatal(err)
				}
				if filter.CountUpTo > 0 {
					n = min(n, filter.CountUpTo)
				}
				if n != want || total != want {
					t.Errorf("count %d, list total %d, list has %d (capped to %d)", n, total, len(list), want)
				}
			})
		}
		all, _, _ := f.svc.FindTickets(ctx, f.alice, ticket.Filter{PerPage: 100})
		if len(all) != 5 {
			t.Errorf("Alice sees %d tickets, want 5 (her group's two, the ungrouped one, the followed one, the assigned one)", len(all))
		}
		admin, _ := f.svc.CountTickets(ctx, auth.System(), ticket.Filter{CountUpTo: 1000})
		if admin != 8 {
			t.Errorf("the system counts %d tickets, want 8", admin)
		}
	})
}
