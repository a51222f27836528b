package ticket_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

// TestVisibleIDs: the bulk check gives exactly the answers of
// CanViewTicket, for every agent and ticket.
func TestVisibleIDs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		ids := []int64{
			f.open(t, ticket.NewTicket{GroupID: &f.desk}).ID,
			f.open(t, ticket.NewTicket{GroupID: &f.netwrk}).ID,
			f.open(t, ticket.NewTicket{}).ID,
			f.open(t, ticket.NewTicket{GroupID: &f.netwrk, AssigneeID: &f.bob.AgentID}).ID,
		}
		esc := f.open(t, ticket.NewTicket{GroupID: &f.desk})
		if _, err := f.svc.Escalate(ctx, f.alice, esc.ID, ticket.Escalation{GroupID: &f.netwrk, Reason: "network"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, esc.ID, 999999)
		for _, p := range []auth.Principal{f.admin, f.alice, f.bob} {
			var want []int64
			for _, id := range ids {
				if f.svc.CanViewTicket(ctx, p, id) == nil {
					want = append(want, id)
				}
			}
			got, err := f.svc.VisibleIDs(ctx, p, ids)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: visible %v, want %v", p.Name, got, want)
			}
		}
	})
}

// TestVisibleIDsReadsTheIDs: the check reads the tickets asked about by
// id, not every ticket of the agent's groups from the group index (a
// search asks about 500 tickets of a million).
func TestVisibleIDsReadsTheIDs(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	ids := make([]int64, 500)
	for i := range ids {
		ids[i] = int64(1 + 2000*i)
	}
	query, args := ticket.VisibleIDsQuery(f.alice, ids)
	rows, err := d.R.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) == 0 || !strings.Contains(plan[0], "SEARCH t USING INTEGER PRIMARY KEY") {
		t.Errorf("plan %q: want the tickets read by id first", plan)
	}
	for _, step := range plan {
		if strings.Contains(step, "MULTI-INDEX OR") || strings.Contains(step, "tickets_group") {
			t.Errorf("plan %q reads tickets by group", plan)
		}
	}
}

func TestRequestedIDs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		var acme int64
		dbtest.Exec(t, d.W, `INSERT INTO companies (name, name_key, created_at, updated_at) VALUES ('Acme', 'acme', $1, $1)`, db.Now())
		d.R.QueryRow(`SELECT id FROM companies`).Scan(&acme)
		anna := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "anna@acme.example"}, CompanyID: &acme})
		mine := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "ivan@acme.example"}, CompanyID: &acme})
		other := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "x@globex.example"}})
		ids := []int64{anna.ID, mine.ID, other.ID}
		got, _ := f.svc.RequestedIDs(ctx, mine.Requester.ID, nil, ids)
		if !slices.Equal(got, []int64{mine.ID}) {
			t.Errorf("own tickets %v", got)
		}
		got, _ = f.svc.RequestedIDs(ctx, mine.Requester.ID, &acme, ids)
		if !slices.Equal(got, []int64{anna.ID, mine.ID}) {
			t.Errorf("company's tickets %v", got)
		}
	})
}

// TestConversations: what a reader of text gets: comments in order, an
// e-mail without its quoted history, file names, who sees each.
func TestConversations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		tk := f.open(t, ticket.NewTicket{})
		if _, err := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "Thanks, it works.\n> old quoted text",
			Public: true, Visible: len("Thanks, it works.")}); err != nil {
			t.Fatal(err)
		}
		f.noteWithFile(t, tk.ID, "See the photo", "jammed-tray.jpg")
		empty := f.open(t, ticket.NewTicket{})
		conv, err := f.svc.Conversations(ctx, []int64{tk.ID, empty.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := conv[tk.ID]
		if len(got) != 2 || got[0].Text != "Thanks, it works." || !got[0].Public ||
			got[1].Text != "See the photo" || got[1].Public || !slices.Equal(got[1].Files, []string{"jammed-tray.jpg"}) {
			t.Errorf("conversation %+v", got)
		}
		if len(conv[empty.ID]) != 0 {
			t.Errorf("a ticket without comments: %+v", conv[empty.ID])
		}
		list, err := f.svc.TicketsByID(ctx, []int64{tk.ID, 424242})
		if err != nil || len(list) != 1 || list[0].ID != tk.ID {
			t.Errorf("tickets by id: %+v, %v", list, err)
		}
	})
}
