package ticket_test

import (
	"context"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})

		// Alice escalates to Bob's group: Bob's group is told, Alice is not
		// told of her own act.
		if _, err := f.svc.Escalate(ctx, f.alice, tk.ID, ticket.Escalation{Line: 2, GroupID: &f.netwrk, Reason: "core switch"}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.UnreadNotices(ctx, f.bob); err != nil || n != 1 {
			t.Fatalf("Bob has %d unread notices (%v), want the escalation", n, err)
		}
		if n, _ := f.svc.UnreadNotices(ctx, f.alice); n != 0 {
			t.Errorf("Alice has %d notices of her own escalation", n)
		}

		// Bob answers: Alice, who keeps following, hears of it.
		if _, err := f.svc.AddComment(ctx, f.bob, tk.ID, ticket.NewComment{Body: "Port 12 replaced", Public: true}); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.Notices(ctx, f.alice, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 || list[0].Kind != ticket.EventCommented || list[0].ActorName != "Bob Second" || !list[0].Unread ||
			list[0].Number != tk.Number {
			t.Fatalf("Alice's notices %+v, want Bob's comment first and unread", list)
		}
		if err := f.svc.MarkNoticesSeen(ctx, f.alice, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.svc.UnreadNotices(ctx, f.alice); n != 0 {
			t.Errorf("%d unread after marking seen", n)
		}
		list, _ = f.svc.Notices(ctx, f.alice, 10)
		if len(list) == 0 || list[0].Unread {
			t.Errorf("seen notices still unread: %+v", list)
		}
		// An agent with nothing to do with the ticket hears nothing.
		if n, _ := f.svc.UnreadNotices(ctx, f.admin); n != 0 {
			t.Errorf("admin has %d notices of a ticket they neither follow nor own", n)
		}
	})
}
