package ticket_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestSplitComment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var box int64
		if err := d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('split@help.example', $1, $1)
			RETURNING id`, db.Now()).Scan(&box); err != nil {
			t.Fatal(err)
		}

		t.Run("one comment and its file move to a new, linked ticket", func(t *testing.T) {
			old := f.open(t, ticket.NewTicket{Subject: "Printer and VPN", GroupID: &f.desk, Priority: ticket.PriorityHigh,
				Type: ticket.TypeIncident, Line: 2, Channel: ticket.ChannelEmail, MailboxID: &box})
			f.note(t, old.ID, "The printer jams")
			vpn := f.noteWithFile(t, old.ID, "Also, the VPN drops every hour", "vpn.log")
			f.note(t, old.ID, "Printer fixed")

			got, err := f.svc.SplitComment(ctx, f.alice, old.ID, vpn.ID, "  VPN drops hourly ")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == old.ID || got.Subject != "VPN drops hourly" || got.Requester.ID != old.Requester.ID ||
				*got.GroupID != f.desk || got.Priority != ticket.PriorityHigh || got.Type != ticket.TypeIncident ||
				got.Line != 2 || got.Channel != ticket.ChannelEmail || *got.MailboxID != box || got.Status != ticket.StatusNew {
				t.Errorf("new ticket %+v", got)
			}
			moved, _ := f.svc.Comments(ctx, f.admin, got.ID)
			if len(moved) != 1 || moved[0].ID != vpn.ID || !moved[0].CreatedAt.Equal(vpn.CreatedAt) ||
				len(moved[0].Attachments) != 1 || *moved[0].Attachments[0].TicketID != got.ID {
				t.Errorf("new ticket's comments %+v", moved)
			}
			left, _ := f.svc.Comments(ctx, f.admin, old.ID)
			if len(left) != 2 || left[0].Body != "The printer jams" || left[1].Body != "Printer fixed" {
				t.Errorf("old ticket keeps %+v", left)
			}
			for _, pair := range [][2]int64{{old.ID, got.ID}, {got.ID, old.ID}} {
				links, err := f.svc.Links(ctx, f.admin, pair[0])
				if err != nil || len(links) != 1 || links[0].Kind != ticket.LinkSplit || links[0].Ticket.ID != pair[1] {
					t.Errorf("links of %d: %+v %v", pair[0], links, err)
				}
			}
			wantEvent(t, f, old.ID, ticket.EventSplit, "comment "+itoa(vpn.ID)+" split off into "+ticket.Number(got.Number))
			wantEvent(t, f, got.ID, ticket.EventSplit, "split off "+ticket.Number(old.Number)+" with comment "+itoa(vpn.ID))
		})

		t.Run("the only comment, and the old subject by default", func(t *testing.T) {
			old := f.open(t, ticket.NewTicket{Subject: "Monitor flickers"})
			only := f.note(t, old.ID, "It flickers")
			got, err := f.svc.SplitComment(ctx, f.admin, old.ID, only.ID, "")
			if err != nil || got.Subject != "Monitor flickers" {
				t.Fatalf("%+v %v", got, err)
			}
			if left, _ := f.svc.Comments(ctx, f.admin, old.ID); len(left) != 0 {
				t.Errorf("old ticket keeps %d comments", len(left))
			}
		})

		t.Run("refused splits change nothing", func(t *testing.T) {
			old := f.open(t, ticket.NewTicket{GroupID: &f.netwrk})
			c := f.note(t, old.ID, "Switch port 4 is dead")
			other := f.open(t, ticket.NewTicket{})
			elsewhere := f.note(t, other.ID, "Not on the first ticket")
			cases := []struct {
				name      string
				agent     string
				commentID int64
				subject   string
				code      apperr.Code
				field     string
			}{
				{"comment of another ticket", "admin", elsewhere.ID, "", apperr.NotFound, ""},
				{"no such comment", "admin", 99999, "", apperr.NotFound, ""},
				{"ticket the agent may not see", "alice", c.ID, "", apperr.NotFound, ""},
				{"subject too long", "admin", c.ID, strings.Repeat("x", 501), apperr.Invalid, "subject"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					p := f.admin
					if tc.agent == "alice" {
						p = f.alice
					}
					before, tickets := f.snapshot(t, old.ID, other.ID), countTickets(t, d)
					_, err := f.svc.SplitComment(ctx, p, old.ID, tc.commentID, tc.subject)
					wantCode(t, err, tc.code, tc.field)
					if after := f.snapshot(t, old.ID, other.ID); !bytes.Equal(before, after) || countTickets(t, d) != tickets {
						t.Errorf("a refused split changed something:\n%s\n%s", before, after)
					}
				})
			}
		})
	})
}
