package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// recorder is a hook that keeps every change it hears of.
type recorder struct{ got []ticket.Change }

func (r *recorder) TicketChanged(_ context.Context, _ *sql.Tx, c ticket.Change) error {
	r.got = append(r.got, c)
	return nil
}

func (r *recorder) kinds() []string {
	var out []string
	for _, c := range r.got {
		out = append(out, c.Kind)
	}
	return out
}

func TestHooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		base := newFixture(t, d)
		// Each case gets a service of its own, for hooks of its own.
		newFixture := func(t *testing.T, d *db.DB) *fixture {
			f := *base
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			f.svc = ticket.NewService(d, log, directory.NewService(d), attachment.NewService(d, t.TempDir(), 1<<20),
				job.NewQueue(d, log))
			return &f
		}

		t.Run("hooks hear of every change with the ticket before and after", func(t *testing.T) {
			f := newFixture(t, d)
			rec := &recorder{}
			f.svc.AddHook(rec)
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			c, err := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "On it", Public: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.EditComment(ctx, f.admin, tk.ID, c.ID, "On it now"); err != nil {
				t.Fatal(err)
			}
			cur, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			if _, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: cur.Version,
				Priority: ptr(ticket.PriorityUrgent)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Escalate(ctx, f.admin, tk.ID, ticket.Escalation{Line: 2, Reason: "needs network access"}); err != nil {
				t.Fatal(err)
			}
			want := []string{ticket.ChangeCreated, ticket.ChangeCommented, ticket.ChangeCommentEdited, ticket.ChangeUpdated,
				ticket.ChangeUpdated}
			if got := rec.kinds(); !slices.Equal(got, want) {
				t.Fatalf("kinds %v, want %v", got, want)
			}
			reply := rec.got[1]
			if reply.Comment == nil || reply.Comment.ID != c.ID || !reply.Comment.Public || reply.Comment.AuthorType != "agent" {
				t.Errorf("comment change %+v", reply.Comment)
			}
			if reply.Before.Status != ticket.StatusNew || reply.After.Status != ticket.StatusOpen {
				t.Errorf("a first public reply: status %s → %s", reply.Before.Status, reply.After.Status)
			}
			if edit := rec.got[2]; edit.Comment == nil || edit.Comment.Body != "On it now" {
				t.Errorf("edit change %+v", edit.Comment)
			}
			prio := rec.got[3]
			if prio.Before.Priority != ticket.PriorityNormal || prio.After.Priority != ticket.PriorityUrgent ||
				prio.After.Version != prio.Before.Version+1 {
				t.Errorf("update: %s v%d → %s v%d", prio.Before.Priority, prio.Before.Version, prio.After.Priority, prio.After.Version)
			}
			esc := rec.got[4]
			if esc.After.Line != 2 || len(esc.Events) == 0 || esc.Events[0].Kind != ticket.EventEscalated {
				t.Errorf("escalation: line %d, events %+v", esc.After.Line, esc.Events)
			}
			if esc.By.AgentID != f.admin.AgentID || esc.Source != "" {
				t.Errorf("escalation by %+v, source %q", esc.By, esc.Source)
			}
		})

		t.Run("a hook's error undoes the change", func(t *testing.T) {
			f := newFixture(t, d)
			tk := f.open(t, ticket.NewTicket{})
			f.svc.AddHook(ticket.HookFunc(func(context.Context, *sql.Tx, ticket.Change) error {
				return errors.New("index unavailable")
			}))
			if _, err := f.svc.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: "Lost?", Requester: ticket.RequesterRef{
				Email: "x@client.example"}}); err == nil {
				t.Fatal("created despite the hook's error")
			}
			if _, err := f.svc.AddComment(ctx, f.admin, tk.ID, ticket.NewComment{Body: "note"}); err == nil {
				t.Fatal("commented despite the hook's error")
			}
			var lost, comments int
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE subject = 'Lost?'`).Scan(&lost)
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE ticket_id = $1`, tk.ID).Scan(&comments)
			if lost != 0 || comments != 0 {
				t.Errorf("%d tickets, %d comments after refused changes", lost, comments)
			}
		})

		t.Run("ApplyTx changes on Linedesk's behalf with a reason", func(t *testing.T) {
			f := newFixture(t, d)
			rec := &recorder{}
			// A rule: mail about VPN goes to the network group at line 2.
			f.svc.AddHook(ticket.HookFunc(func(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
				if c.Kind != ticket.ChangeCreated || c.Source == "routing" {
					return nil
				}
				_, err := f.svc.ApplyTx(ctx, tx, c.After.ID, ticket.Update{Line: ptr(2),
					GroupID: ticket.IDChange{Set: true, ID: &f.netwrk}, Tags: &[]string{"vpn"}}, "routing", "rule 'VPN'")
				return err
			}))
			f.svc.AddHook(rec)
			tk := f.open(t, ticket.NewTicket{Subject: "VPN drops"})
			got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			if got.Line != 2 || got.GroupID == nil || *got.GroupID != f.netwrk || got.Version != 2 {
				t.Fatalf("after the rule: line %d, group %v, version %d", got.Line, got.GroupID, got.Version)
			}
			events, _ := f.svc.Events(ctx, f.admin, tk.ID)
			changed := 0
			for _, e := range events {
				if e.Kind == ticket.EventChanged {
					changed++
					if e.ActorType != "system" || e.Reason != "rule 'VPN'" {
						t.Errorf("%s changed by %s for %q", e.Field, e.ActorType, e.Reason)
					}
				}
			}
			if changed != 3 {
				t.Errorf("%d changes recorded, want line, group and tags: %+v", changed, events)
			}
			// The later hook hears of the rule's change first (it runs
			// inside the creation), then of the creation.
			if k := rec.kinds(); !slices.Equal(k, []string{ticket.ChangeUpdated, ticket.ChangeCreated}) || rec.got[0].Source != "routing" {
				t.Errorf("the second hook heard %v (first from %q)", k, rec.got[0].Source)
			}
			var same ticket.Ticket
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				same, err = f.svc.ApplyTx(ctx, tx, got.ID, ticket.Update{Line: ptr(2)}, "routing", "rule 'VPN'")
				return err
			})
			if err != nil || same.Version != got.Version {
				t.Errorf("a change that changes nothing: version %d, err %v", same.Version, err)
			}
		})

		t.Run("automations that answer each other are stopped", func(t *testing.T) {
			f := newFixture(t, d)
			f.svc.AddHook(ticket.HookFunc(func(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
				p := ticket.PriorityHigh
				if c.After.Priority == ticket.PriorityHigh {
					p = ticket.PriorityLow
				}
				_, err := f.svc.ApplyTx(ctx, tx, c.After.ID, ticket.Update{Priority: &p}, "flip", "flip")
				return err
			}))
			_, err := f.svc.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: "Ping-pong",
				Requester: ticket.RequesterRef{Email: "pp@client.example"}})
			if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("error %v, want a conflict", err)
			}
			var n int
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE subject = 'Ping-pong'`).Scan(&n)
			if n != 0 {
				t.Errorf("%d tickets stored", n)
			}
		})
	})
}
