package ticket_test

import (
	"bytes"
	"context"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("a link shows on both tickets, once", func(t *testing.T) {
			a := f.open(t, ticket.NewTicket{Subject: "Printer jams", GroupID: &f.desk})
			b := f.open(t, ticket.NewTicket{Subject: "Printer jams again"})
			for range 2 {
				if err := f.svc.Link(ctx, f.alice, b.ID, a.ID, ticket.LinkDuplicate); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, d, "ticket_links"); n != 1 {
				t.Errorf("%d rows for one link", n)
			}
			for _, c := range []struct{ from, to ticket.Ticket }{{a, b}, {b, a}} {
				links, err := f.svc.Links(ctx, f.alice, c.from.ID)
				want := ticket.LinkedTicket{Kind: ticket.LinkDuplicate, Ticket: ticket.Summary{ID: c.to.ID, Number: c.to.Number,
					Subject: c.to.Subject, Status: ticket.StatusNew}}
				if err != nil || len(links) != 1 || links[0] != want {
					t.Errorf("links of %s: %+v %v, want %+v", ticket.Number(c.from.Number), links, err, want)
				}
				wantEvent(t, f, c.from.ID, ticket.EventLinked, "")
			}
			if n := countEvents(t, f, a.ID, ticket.EventLinked); n != 1 {
				t.Errorf("linking twice wrote %d events", n)
			}

			if err := f.svc.Link(ctx, f.alice, a.ID, b.ID, ""); err != nil {
				t.Fatal(err)
			}
			if links, _ := f.svc.Links(ctx, f.alice, b.ID); len(links) != 1 || links[0].Kind != ticket.LinkRelated {
				t.Errorf("after relinking as related: %+v", links)
			}
			wantEvent(t, f, a.ID, ticket.EventLinked, "was duplicate")

			if err := f.svc.Unlink(ctx, f.alice, a.ID, b.ID); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{a.ID, b.ID} {
				if links, _ := f.svc.Links(ctx, f.alice, id); len(links) != 0 {
					t.Errorf("links after unlinking: %+v", links)
				}
				if n := countEvents(t, f, id, ticket.EventUnlinked); n != 1 {
					t.Errorf("%d unlinked events on ticket %d", n, id)
				}
			}
			err := f.svc.Unlink(ctx, f.alice, a.ID, b.ID)
			wantCode(t, err, apperr.NotFound, "")
		})

		t.Run("an agent sees only the linked tickets they may open", func(t *testing.T) {
			mine := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			theirs := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
			open := f.open(t, ticket.NewTicket{})
			for _, other := range []int64{theirs.ID, open.ID} {
				if err := f.svc.Link(ctx, f.admin, mine.ID, other, ticket.LinkRelated); err != nil {
					t.Fatal(err)
				}
			}
			links, err := f.svc.Links(ctx, f.alice, mine.ID)
			if err != nil || len(links) != 1 || links[0].Ticket.ID != open.ID {
				t.Errorf("alice's links %+v %v, want only %d", links, err, open.ID)
			}
			if all, _ := f.svc.Links(ctx, f.admin, mine.ID); len(all) != 2 {
				t.Errorf("administrator sees %d links, want 2", len(all))
			}
			_, err = f.svc.Links(ctx, f.alice, theirs.ID)
			wantCode(t, err, apperr.NotFound, "")
		})

		t.Run("refused links change nothing", func(t *testing.T) {
			a := f.open(t, ticket.NewTicket{})
			hidden := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
			if err := f.svc.Link(ctx, f.admin, a.ID, hidden.ID, ticket.LinkRelated); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name  string
				do    func() error
				code  apperr.Code
				field string
			}{
				{"to itself", func() error { return f.svc.Link(ctx, f.admin, a.ID, a.ID, "related") }, apperr.Invalid, "ticket_id"},
				{"no other ticket", func() error { return f.svc.Link(ctx, f.admin, a.ID, 0, "related") }, apperr.Invalid, "ticket_id"},
				{"bad kind", func() error { return f.svc.Link(ctx, f.admin, a.ID, hidden.ID, "cousin") }, apperr.Invalid, "kind"},
				{"unknown ticket", func() error { return f.svc.Link(ctx, f.admin, a.ID, 99999, "related") }, apperr.NotFound, ""},
				{"hidden ticket", func() error { return f.svc.Link(ctx, f.alice, a.ID, hidden.ID, "duplicate") }, apperr.NotFound, ""},
				{"unlink a hidden ticket", func() error { return f.svc.Unlink(ctx, f.alice, a.ID, hidden.ID) }, apperr.NotFound, ""},
				{"unlink itself", func() error { return f.svc.Unlink(ctx, f.admin, a.ID, a.ID) }, apperr.Invalid, "ticket_id"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := f.snapshot(t, a.ID, hidden.ID)
					wantCode(t, c.do(), c.code, c.field)
					if after := f.snapshot(t, a.ID, hidden.ID); !bytes.Equal(before, after) {
						t.Errorf("a refused link changed something:\n%s\n%s", before, after)
					}
				})
			}
		})
	})
}

func countEvents(t *testing.T, f *fixture, ticketID int64, kind string) int {
	t.Helper()
	events, err := f.svc.Events(context.Background(), f.admin, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
