package ticket_test

import (
	"context"
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		network := f.open(t, ticket.NewTicket{Subject: "Switch down", GroupID: &f.netwrk})
		intake := f.open(t, ticket.NewTicket{Subject: "New request, no group yet"})

		if _, err := f.svc.FindTicket(ctx, f.alice, network.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("agent outside the group opened its ticket: %v", err)
		}
		if _, err := f.svc.FindTicket(ctx, f.bob, network.ID); err != nil {
			t.Errorf("group member cannot open: %v", err)
		}
		if _, err := f.svc.FindTicket(ctx, f.alice, intake.ID); err != nil {
			t.Errorf("ungrouped intake hidden from an agent: %v", err)
		}
		_, err := f.svc.UpdateTicket(ctx, f.alice, network.ID, ticket.Update{Version: 1, Priority: ptr(ticket.PriorityLow)})
		wantCode(t, err, apperr.NotFound, "")
		list, total, err := f.svc.FindTickets(ctx, f.alice, ticket.Filter{})
		if err != nil || total != 1 || list[0].ID != intake.ID {
			t.Errorf("alice's list: %d tickets, %v", total, err)
		}
		if _, total, _ := f.svc.FindTickets(ctx, f.admin, ticket.Filter{}); total != 2 {
			t.Errorf("admin sees %d tickets, want 2", total)
		}
	})
}

func TestEscalate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tk := f.open(t, ticket.NewTicket{GroupID: &f.desk, AssigneeID: &f.alice.AgentID})

		_, err := f.svc.Escalate(ctx, f.alice, tk.ID, ticket.Escalation{Line: 2})
		wantCode(t, err, apperr.Invalid, "reason")
		_, err = f.svc.Escalate(ctx, f.alice, tk.ID, ticket.Escalation{Line: 1, Reason: "x"})
		wantCode(t, err, apperr.Invalid, "line")

		got, err := f.svc.Escalate(ctx, f.alice, tk.ID, ticket.Escalation{Line: 2, GroupID: &f.netwrk, Reason: "Switch port errors; needs network access"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Line != 2 || *got.GroupID != f.netwrk || got.AssigneeID != nil || got.Version != tk.Version+1 {
			t.Errorf("after escalation: %+v", got)
		}
		if !slices.Contains(got.FollowerIDs, f.alice.AgentID) {
			t.Errorf("escalating agent does not follow: %v", got.FollowerIDs)
		}
		// Alice left the group's ticket, but still follows it and sees it.
		if _, err := f.svc.FindTicket(ctx, f.alice, tk.ID); err != nil {
			t.Errorf("escalating agent lost sight of the ticket: %v", err)
		}
		events, _ := f.svc.Events(ctx, f.admin, tk.ID)
		i := slices.IndexFunc(events, func(e ticket.Event) bool { return e.Kind == ticket.EventEscalated })
		if i < 0 || events[i].Reason != "Switch port errors; needs network access" || events[i].ActorName != "Alice First" {
			t.Errorf("escalation not in history: %+v", events)
		}
		line2, _, _ := f.svc.FindTickets(ctx, f.bob, ticket.Filter{Line: 2})
		if len(line2) != 1 || line2[0].ID != tk.ID {
			t.Errorf("line-2 queue of bob: %+v", line2)
		}
	})
}

func TestComments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("agent reply opens a new ticket; note does not", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			if _, err := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "internal", Public: false}); err != nil {
				t.Fatal(err)
			}
			if got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID); got.Status != ticket.StatusNew {
				t.Errorf("note changed status to %s", got.Status)
			}
			f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "We are on it", Public: true})
			if got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID); got.Status != ticket.StatusOpen {
				t.Errorf("reply left status %s", got.Status)
			}
			cs, err := f.svc.Comments(ctx, f.admin, tk.ID)
			if err != nil || len(cs) != 2 || cs[0].Public || !cs[1].Public || cs[1].AuthorType != "agent" || cs[1].AuthorName != "Ada Admin" {
				t.Errorf("comments %+v %v", cs, err)
			}
		})

		t.Run("customer reply reopens solved, closed refuses", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{Status: ticket.StatusSolved})
			c, err := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "Still broken", Public: true, AuthorContactID: &tk.Requester.ID})
			if err != nil || c.AuthorType != "contact" {
				t.Fatalf("%+v %v", c, err)
			}
			got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			if got.Status != ticket.StatusOpen || got.SolvedAt != nil {
				t.Errorf("after customer reply: %s solved_at %v", got.Status, got.SolvedAt)
			}
			f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: got.Version, Status: ptr(ticket.StatusSolved)})
			got, _ = f.svc.FindTicket(ctx, f.admin, tk.ID)
			f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: got.Version, Status: ptr(ticket.StatusClosed)})
			_, err = f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "again", Public: true, AuthorContactID: &tk.Requester.ID})
			wantCode(t, err, apperr.Conflict, "")
			_, err = f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "secret", Public: false, AuthorContactID: &tk.Requester.ID})
			wantCode(t, err, apperr.Invalid, "public")
		})

		t.Run("edits keep history", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			c, _ := f.svc.AddComment(ctx, f.alice, tk.ID, ticket.NewComment{Body: "Restart the spooler", Public: false})
			_, err := f.svc.EditComment(ctx, f.bob, tk.ID, c.ID, "hijack")
			wantCode(t, err, apperr.NotFound, "") // bob cannot even see the ticket
			edited, err := f.svc.EditComment(ctx, f.alice, tk.ID, c.ID, "Restart the print spooler service")
			if err != nil || edited.EditedAt == nil || edited.Body != "Restart the print spooler service" {
				t.Fatalf("%+v %v", edited, err)
			}
			revs, err := f.svc.Revisions(ctx, f.admin, tk.ID, c.ID)
			if err != nil || len(revs) != 1 || revs[0].Body != "Restart the spooler" {
				t.Errorf("revisions %+v %v", revs, err)
			}
			events, _ := f.svc.Events(ctx, f.admin, tk.ID)
			if !slices.ContainsFunc(events, func(e ticket.Event) bool { return e.Kind == ticket.EventCommentEdited }) {
				t.Error("edit not in history")
			}
			cc, _ := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "customer words", Public: true, AuthorContactID: &tk.Requester.ID})
			_, err = f.svc.EditComment(ctx, f.admin, tk.ID, cc.ID, "changed")
			wantCode(t, err, apperr.Forbidden, "")
		})
	})
}

// TestMailFollowsTheChannel: replies and solved notices are queued for
// e-mail only when the ticket has a mailbox to answer from.
func TestMailFollowsTheChannel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var box int64
		d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('it@help.example', $1, $1) RETURNING id`, db.Now()).Scan(&box)
		phone := f.open(t, ticket.NewTicket{Channel: ticket.ChannelPhone})
		mail := f.open(t, ticket.NewTicket{Channel: ticket.ChannelEmail, MailboxID: &box})
		for _, tk := range []ticket.Ticket{phone, mail} {
			f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "Restart it, please", Public: true})
			f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "internal", Public: false})
			cur, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			solved := ticket.StatusSolved
			if _, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: cur.Version, Status: &solved}); err != nil {
				t.Fatal(err)
			}
		}
		var replies, notices int
		d.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1`, ticket.JobEmailReply).Scan(&replies)
		d.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1`, ticket.JobEmailNotify).Scan(&notices)
		if replies != 1 || notices != 1 {
			t.Errorf("%d replies and %d notices queued, want 1 and 1 (the e-mail ticket's)", replies, notices)
		}
	})
}
