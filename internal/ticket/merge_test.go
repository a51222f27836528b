package ticket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestMerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("the conversation and the people move; the source closes", func(t *testing.T) {
			dst := f.open(t, ticket.NewTicket{Subject: "Printers on floor 3", GroupID: &f.desk, Tags: []string{"printer"}})
			src := f.open(t, ticket.NewTicket{Subject: "Printer jams", Requester: ticket.RequesterRef{Email: "boris@client.example"},
				Tags: []string{"printer", "jam"}})
			carla := f.open(t, ticket.NewTicket{Requester: ticket.RequesterRef{Email: "carla@client.example"}}).Requester.ID
			if err := ticket.AddParticipants(ctx, d.W, src.ID, carla, dst.Requester.ID); err != nil {
				t.Fatal(err)
			}
			followTicket(t, d, src.ID, f.bob.AgentID)
			first := f.note(t, src.ID, "Boris: paper jams at tray 2")
			f.note(t, dst.ID, "Anna: floor 3 printers jam")
			third := f.noteWithFile(t, src.ID, "Boris: photo of the jam", "jam.jpg")
			srcBefore, dstBefore := f.find(t, src.ID), f.find(t, dst.ID)

			got, err := f.svc.Merge(ctx, f.alice, src.ID, dst.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != dst.ID || got.Version != dstBefore.Version+1 || !slices.Equal(got.Tags, []string{"jam", "printer"}) {
				t.Errorf("survivor: id %d version %d tags %v", got.ID, got.Version, got.Tags)
			}
			if want := []int64{src.Requester.ID, carla}; !sameIDs(got.Participants, want) {
				t.Errorf("participants %v, want %v (not the survivor's own requester)", got.Participants, want)
			}
			if !slices.Contains(got.FollowerIDs, f.bob.AgentID) {
				t.Errorf("followers %v lack the source's follower", got.FollowerIDs)
			}
			cs, _ := f.svc.Comments(ctx, f.admin, dst.ID)
			bodies := make([]string, len(cs))
			for i, c := range cs {
				bodies[i] = c.Body
			}
			want := []string{"Boris: paper jams at tray 2", "Anna: floor 3 printers jam", "Boris: photo of the jam"}
			if !slices.Equal(bodies, want) {
				t.Errorf("survivor's conversation %q, want %q", bodies, want)
			}
			if cs[0].ID != first.ID || !cs[0].CreatedAt.Equal(first.CreatedAt) {
				t.Errorf("moved comment changed: %+v, was %+v", cs[0], first)
			}
			if len(cs[2].Attachments) != 1 || *cs[2].Attachments[0].TicketID != dst.ID || cs[2].ID != third.ID {
				t.Errorf("moved file %+v", cs[2].Attachments)
			}
			if left, _ := f.svc.Comments(ctx, f.admin, src.ID); len(left) != 0 {
				t.Errorf("%d comments left on the merged ticket", len(left))
			}
			closed := f.find(t, src.ID)
			if closed.Status != ticket.StatusClosed || closed.MergedIntoID == nil || *closed.MergedIntoID != dst.ID ||
				closed.ClosedAt == nil || closed.Version != srcBefore.Version+1 {
				t.Errorf("merged ticket: status %s merged_into %v closed_at %v version %d", closed.Status,
					closed.MergedIntoID, closed.ClosedAt, closed.Version)
			}
			wantEvent(t, f, src.ID, ticket.EventMerged, "merged into "+ticket.Number(dst.Number))
			wantEvent(t, f, dst.ID, ticket.EventMerged, ticket.Number(src.Number)+" merged in")
		})

		t.Run("refused merges change nothing", func(t *testing.T) {
			intake := f.open(t, ticket.NewTicket{Subject: "No group yet"})
			network := f.open(t, ticket.NewTicket{Subject: "Switch down", GroupID: &f.netwrk})
			gone := f.open(t, ticket.NewTicket{})
			into := f.open(t, ticket.NewTicket{})
			if _, err := f.svc.Merge(ctx, f.admin, gone.ID, into.ID); err != nil {
				t.Fatal(err)
			}
			closed := f.closedTicket(t)
			f.note(t, intake.ID, "keep me here")
			cases := []struct {
				name     string
				p        auth.Principal
				src, dst int64
				code     apperr.Code
				field    string
			}{
				{"into itself", f.admin, intake.ID, intake.ID, apperr.Invalid, "into_id"},
				{"no target", f.admin, intake.ID, 0, apperr.Invalid, "into_id"},
				{"target the agent may not see", f.alice, intake.ID, network.ID, apperr.NotFound, ""},
				{"source the agent may not see", f.alice, network.ID, intake.ID, apperr.NotFound, ""},
				{"target does not exist", f.admin, intake.ID, 99999, apperr.NotFound, ""},
				{"source already merged", f.admin, gone.ID, intake.ID, apperr.Conflict, ""},
				{"target merged itself", f.admin, intake.ID, gone.ID, apperr.Conflict, ""},
				{"target closed", f.admin, intake.ID, closed.ID, apperr.Conflict, ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := f.snapshot(t, intake.ID, network.ID, gone.ID, into.ID, closed.ID)
					_, err := f.svc.Merge(ctx, c.p, c.src, c.dst)
					wantCode(t, err, c.code, c.field)
					if after := f.snapshot(t, intake.ID, network.ID, gone.ID, into.ID, closed.ID); !bytes.Equal(before, after) {
						t.Errorf("a refused merge changed tickets:\n%s\n%s", before, after)
					}
				})
			}
		})

		t.Run("the requester of an e-mail ticket is told", func(t *testing.T) {
			var box int64
			if err := d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('merge@help.example', $1, $1)
				RETURNING id`, db.Now()).Scan(&box); err != nil {
				t.Fatal(err)
			}
			mail := f.open(t, ticket.NewTicket{Channel: ticket.ChannelEmail, MailboxID: &box})
			phone := f.open(t, ticket.NewTicket{Channel: ticket.ChannelPhone})
			into := f.open(t, ticket.NewTicket{})
			for _, src := range []ticket.Ticket{mail, phone} {
				if _, err := f.svc.Merge(ctx, f.admin, src.ID, into.ID); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := d.R.Query(`SELECT payload FROM jobs WHERE kind = $1`, ticket.JobEmailNotify)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var payloads []string
			for rows.Next() {
				var p string
				rows.Scan(&p)
				payloads = append(payloads, p)
			}
			want := `{"kind":"merged","ticket_id":` + itoa(mail.ID) + `}`
			if len(payloads) != 1 || payloads[0] != want {
				t.Errorf("notifications queued %q, want only %s", payloads, want)
			}
		})
	})
}

// note adds an internal note as the administrator.
func (f *fixture) note(t *testing.T, ticketID int64, body string) ticket.Comment {
	t.Helper()
	c, err := f.svc.AddComment(context.Background(), f.admin, ticketID, ticket.NewComment{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noteWithFile adds an internal note with one uploaded file.
func (f *fixture) noteWithFile(t *testing.T, ticketID int64, body, filename string) ticket.Comment {
	t.Helper()
	ctx := context.Background()
	up, err := attachment.NewService(f.db, t.TempDir(), 1<<20).Upload(ctx, f.admin, filename, "image/jpeg",
		bytes.NewReader([]byte("\xff\xd8\xff\xe0 not much of a photo")))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.AddComment(ctx, f.admin, ticketID, ticket.NewComment{Body: body, AttachmentIDs: []int64{up.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) find(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.svc.FindTicket(context.Background(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// snapshot is what the administrator sees of some tickets: the tickets,
// their comments, links and histories.
func (f *fixture) snapshot(t *testing.T, ids ...int64) []byte {
	t.Helper()
	ctx := context.Background()
	var out []any
	for _, id := range ids {
		cs, _ := f.svc.Comments(ctx, f.admin, id)
		ls, _ := f.svc.Links(ctx, f.admin, id)
		ev, _ := f.svc.Events(ctx, f.admin, id)
		out = append(out, f.find(t, id), cs, ls, ev)
	}
	return mustJSON(t, out)
}

func followTicket(t *testing.T, d *db.DB, ticketID, agentID int64) {
	t.Helper()
	dbtest.Exec(t, d.W, `INSERT INTO ticket_followers (ticket_id, agent_id, created_at) VALUES ($1, $2, $3)`,
		ticketID, agentID, db.Now())
}

// wantEvent fails unless the ticket's history holds an event of the kind
// with the reason.
func wantEvent(t *testing.T, f *fixture, ticketID int64, kind, reason string) {
	t.Helper()
	events, err := f.svc.Events(context.Background(), f.admin, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e ticket.Event) bool { return e.Kind == kind && e.Reason == reason }) {
		t.Errorf("history of ticket %d lacks %s %q: %+v", ticketID, kind, reason, events)
	}
}

func sameIDs(got, want []int64) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
