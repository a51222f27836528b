package ticket_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestBulkUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("valid tickets change, the others say why", func(t *testing.T) {
			a := f.open(t, ticket.NewTicket{Tags: []string{"printer"}})
			b := f.open(t, ticket.NewTicket{Status: ticket.StatusOpen})
			closed := f.closedTicket(t)
			hidden := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
			// Someone else changed b meanwhile: a bulk change does not care.
			if _, err := f.svc.UpdateTicket(ctx, f.admin, b.ID, ticket.Update{Version: b.Version, Subject: ptr("Renamed")}); err != nil {
				t.Fatal(err)
			}
			closedBefore, hiddenBefore := f.snapshot(t, closed.ID), f.snapshot(t, hidden.ID)

			got, err := f.svc.BulkUpdate(ctx, f.alice, []int64{a.ID, b.ID, closed.ID, hidden.ID, a.ID, 99999}, ticket.BulkChange{
				Status: ptr(ticket.StatusPending), Priority: ptr(ticket.PriorityUrgent),
				GroupID: ticket.IDChange{Set: true, ID: &f.desk}, AssigneeID: ticket.IDChange{Set: true, ID: &f.alice.AgentID},
				AddTags: []string{"Floor3", "printer"}})
			if err != nil {
				t.Fatal(err)
			}
			if ids := resultIDs(got); !slices.Equal(ids, []int64{a.ID, b.ID, closed.ID, hidden.ID, 99999}) {
				t.Fatalf("results for %v", ids)
			}
			for _, r := range got[:2] {
				tk := r.Ticket
				if r.Err != nil || tk == nil || tk.Status != ticket.StatusPending || tk.Priority != ticket.PriorityUrgent ||
					*tk.GroupID != f.desk || *tk.AssigneeID != f.alice.AgentID || !slices.Contains(tk.Tags, "floor3") ||
					!slices.Contains(tk.Tags, "printer") {
					t.Errorf("ticket %d: %+v %v", r.ID, tk, r.Err)
				}
			}
			if got[0].Ticket.Version != a.Version+1 {
				t.Errorf("version %d, want %d", got[0].Ticket.Version, a.Version+1)
			}
			wantCode(t, got[2].Err, apperr.Invalid, "status")
			wantCode(t, got[3].Err, apperr.NotFound, "")
			wantCode(t, got[4].Err, apperr.NotFound, "")
			if got[2].Ticket != nil || got[3].Ticket != nil {
				t.Errorf("failed results carry tickets")
			}
			if !bytes.Equal(closedBefore, f.snapshot(t, closed.ID)) || !bytes.Equal(hiddenBefore, f.snapshot(t, hidden.ID)) {
				t.Errorf("a refused ticket was changed")
			}
			events, _ := f.svc.Events(ctx, f.admin, a.ID)
			if !slices.ContainsFunc(events, func(e ticket.Event) bool {
				return e.Kind == ticket.EventChanged && e.Field == "priority" && e.To == "urgent" && e.ActorName == "Alice First"
			}) {
				t.Errorf("bulk change not in the history: %+v", events)
			}
		})

		t.Run("clearing the group and assignee", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk, AssigneeID: &f.alice.AgentID})
			got, err := f.svc.BulkUpdate(ctx, f.admin, []int64{tk.ID}, ticket.BulkChange{GroupID: ticket.IDChange{Set: true},
				AssigneeID: ticket.IDChange{Set: true}})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Err != nil || got[0].Ticket.GroupID != nil || got[0].Ticket.AssigneeID != nil {
				t.Errorf("%+v %v", got[0].Ticket, got[0].Err)
			}
		})

		t.Run("an assignee outside a ticket's group is refused for that ticket", func(t *testing.T) {
			desk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			net := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
			got, err := f.svc.BulkUpdate(ctx, f.admin, []int64{desk.ID, net.ID}, ticket.BulkChange{
				AssigneeID: ticket.IDChange{Set: true, ID: &f.bob.AgentID}})
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, got[0].Err, apperr.Invalid, "assignee_id")
			if got[1].Err != nil || *got[1].Ticket.AssigneeID != f.bob.AgentID {
				t.Errorf("network ticket: %+v %v", got[1].Ticket, got[1].Err)
			}
		})

		t.Run("a request no ticket could take is refused whole", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			many := make([]int64, ticket.MaxBulk+1)
			for i := range many {
				many[i] = int64(i + 1)
			}
			missing := int64(99999)
			cases := []struct {
				name  string
				ids   []int64
				c     ticket.BulkChange
				field string
			}{
				{"no ids", nil, ticket.BulkChange{Priority: ptr(ticket.PriorityLow)}, "ids"},
				{"too many ids", many, ticket.BulkChange{Priority: ptr(ticket.PriorityLow)}, "ids"},
				{"no change", []int64{tk.ID}, ticket.BulkChange{}, ""},
				{"bad status", []int64{tk.ID}, ticket.BulkChange{Status: ptr(ticket.Status("done"))}, "status"},
				{"bad priority", []int64{tk.ID}, ticket.BulkChange{Priority: ptr(ticket.Priority("asap"))}, "priority"},
				{"bad tag", []int64{tk.ID}, ticket.BulkChange{AddTags: []string{"two words"}}, "add_tags"},
				{"unknown group", []int64{tk.ID}, ticket.BulkChange{GroupID: ticket.IDChange{Set: true, ID: &missing}}, "group_id"},
				{"unknown agent", []int64{tk.ID}, ticket.BulkChange{AssigneeID: ticket.IDChange{Set: true, ID: &missing}}, "assignee_id"},
				{"agent outside the new group", []int64{tk.ID}, ticket.BulkChange{GroupID: ticket.IDChange{Set: true, ID: &f.netwrk},
					AssigneeID: ticket.IDChange{Set: true, ID: &f.alice.AgentID}}, "assignee_id"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := f.snapshot(t, tk.ID)
					got, err := f.svc.BulkUpdate(ctx, f.admin, c.ids, c.c)
					wantCode(t, err, apperr.Invalid, c.field)
					if got != nil {
						t.Errorf("results of a refused request: %+v", got)
					}
					if !bytes.Equal(before, f.snapshot(t, tk.ID)) {
						t.Errorf("a refused request changed the ticket")
					}
				})
			}
		})
	})
}

// closedTicket opens a ticket and takes it through solved to closed.
func (f *fixture) closedTicket(t *testing.T) ticket.Ticket {
	t.Helper()
	tk := f.open(t, ticket.NewTicket{Status: ticket.StatusSolved})
	got, err := f.svc.UpdateTicket(context.Background(), f.admin, tk.ID, ticket.Update{Version: tk.Version, Status: ptr(ticket.StatusClosed)})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func resultIDs(rs []ticket.BulkResult) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
