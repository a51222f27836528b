package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestChangesInTheCallersTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		errStop := errors.New("stop")

		t.Run("a comment, a change and a record commit together, in the agent's name", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := f.svc.AddCommentTx(ctx, tx, f.alice, tk.ID, ticket.NewComment{Body: "Closing", Public: true}); err != nil {
					return err
				}
				cur, err := f.svc.FindTicketTx(ctx, tx, f.alice, tk.ID)
				if err != nil {
					return err
				}
				if _, err := f.svc.UpdateTicketTx(ctx, tx, f.alice, tk.ID, ticket.Update{Version: cur.Version,
					Priority: ptr(ticket.PriorityHigh)}, `macro "Urgent printer"`); err != nil {
					return err
				}
				return f.svc.RecordTx(ctx, tx, f.alice, tk.ID, ticket.AutoEvent{Kind: ticket.EventMacro, To: "Urgent printer"})
			})
			if err != nil {
				t.Fatal(err)
			}
			events, _ := f.svc.Events(ctx, f.admin, tk.ID)
			var changed, recorded bool
			for _, e := range events {
				if e.Kind == ticket.EventChanged && e.Field == "priority" {
					changed = e.Reason == `macro "Urgent printer"` && e.ActorID != nil && *e.ActorID == f.alice.AgentID
				}
				if e.Kind == ticket.EventMacro {
					recorded = e.To == "Urgent printer" && e.ActorType == "agent"
				}
			}
			if !changed || !recorded {
				t.Errorf("history %+v", events)
			}
		})

		t.Run("a failure rolls every part back", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := f.svc.AddCommentTx(ctx, tx, f.alice, tk.ID, ticket.NewComment{Body: "Sent?", Public: true}); err != nil {
					return err
				}
				if _, err := f.svc.EscalateTx(ctx, tx, f.alice, tk.ID, ticket.Escalation{Line: 2, Reason: "network"}, ""); err != nil {
					return err
				}
				return errStop
			})
			if !errors.Is(err, errStop) {
				t.Fatal(err)
			}
			got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			comments, _ := f.svc.Comments(ctx, f.admin, tk.ID)
			if got.Line != 1 || got.Version != tk.Version || len(comments) != 0 {
				t.Errorf("rolled back, yet line %d version %d comments %d", got.Line, got.Version, len(comments))
			}
		})

		t.Run("a stale version and a hidden ticket are refused", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{GroupID: &f.desk})
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := f.svc.UpdateTicketTx(ctx, tx, f.alice, tk.ID, ticket.Update{Version: tk.Version + 1,
					Priority: ptr(ticket.PriorityLow)}, "")
				return err
			})
			wantCode(t, err, apperr.Conflict, "version")
			err = d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := f.svc.EscalateTx(ctx, tx, f.bob, tk.ID, ticket.Escalation{Line: 2, Reason: "x"}, "")
				return err
			})
			wantCode(t, err, apperr.NotFound, "")
			err = d.Tx(ctx, func(tx *sql.Tx) error {
				return f.svc.RecordTx(ctx, tx, f.bob, tk.ID, ticket.AutoEvent{Kind: ticket.EventMacro, To: "x"})
			})
			wantCode(t, err, apperr.NotFound, "")
		})
	})
}
