package ticket_test

import (
	"context"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestUpdateTicket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()

		t.Run("stale version conflicts and changes nothing", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			first, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Priority: ptr(ticket.PriorityHigh)})
			if err != nil {
				t.Fatal(err)
			}
			if first.Version != tk.Version+1 {
				t.Errorf("version %d, want %d", first.Version, tk.Version+1)
			}
			_, err = f.svc.UpdateTicket(ctx, f.alice, tk.ID, ticket.Update{Version: tk.Version, Priority: ptr(ticket.PriorityLow),
				Subject: ptr("overwritten")})
			wantCode(t, err, apperr.Conflict, "version")
			got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			if got.Priority != ticket.PriorityHigh || got.Subject != tk.Subject || got.Version != first.Version {
				t.Errorf("stale update changed the ticket: %+v", got)
			}
		})

		t.Run("every change is in the history", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			_, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version,
				Status: ptr(ticket.StatusOpen), GroupID: ticket.IDChange{Set: true, ID: &f.desk},
				AssigneeID: ticket.IDChange{Set: true, ID: &f.alice.AgentID}, Tags: &[]string{"printer"}})
			if err != nil {
				t.Fatal(err)
			}
			events, _ := f.svc.Events(ctx, f.admin, tk.ID)
			got := map[string][2]string{}
			for _, e := range events {
				if e.Kind == ticket.EventChanged {
					got[e.Field] = [2]string{e.From, e.To}
				}
			}
			want := map[string][2]string{"status": {"new", "open"}, "group_id": {"", itoa(f.desk)},
				"assignee_id": {"", itoa(f.alice.AgentID)}, "tags": {"", "printer"}}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("history of %s: %v, want %v (all: %v)", k, got[k], v, got)
				}
			}
		})

		t.Run("an empty change keeps the version", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			got, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Priority: ptr(tk.Priority)})
			if err != nil || got.Version != tk.Version {
				t.Errorf("version %d, %v", got.Version, err)
			}
		})

		t.Run("transitions", func(t *testing.T) {
			tk := f.open(t, ticket.NewTicket{})
			step := func(s ticket.Status) error {
				cur, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
				_, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: cur.Version, Status: &s})
				return err
			}
			wantCode(t, step(ticket.StatusClosed), apperr.Invalid, "status") // new → closed: solve first
			wantCode(t, step("done"), apperr.Invalid, "status")
			for _, s := range []ticket.Status{ticket.StatusOpen, ticket.StatusPending, ticket.StatusSolved, ticket.StatusClosed} {
				if err := step(s); err != nil {
					t.Fatalf("→ %s: %v", s, err)
				}
			}
			got, _ := f.svc.FindTicket(ctx, f.admin, tk.ID)
			if got.SolvedAt == nil || got.ClosedAt == nil {
				t.Errorf("solved_at %v closed_at %v", got.SolvedAt, got.ClosedAt)
			}
			wantCode(t, step(ticket.StatusOpen), apperr.Invalid, "status") // closed is final
		})

		t.Run("required custom field blocks solving", func(t *testing.T) {
			_, err := f.svc.CreateField(ctx, f.admin, ticket.FieldInput{Key: "cause", Label: "Root cause", Type: ticket.FieldSelect,
				Options: []string{"hardware", "software"}, Required: true})
			if err != nil {
				t.Fatal(err)
			}
			tk := f.open(t, ticket.NewTicket{})
			_, err = f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Status: ptr(ticket.StatusSolved)})
			wantCode(t, err, apperr.Invalid, "custom_fields.cause")
			_, err = f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, CustomFields: map[string]any{"cause": "firmware"}})
			wantCode(t, err, apperr.Invalid, "custom_fields.cause")
			got, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Status: ptr(ticket.StatusSolved),
				CustomFields: map[string]any{"cause": "hardware"}})
			if err != nil || got.Status != ticket.StatusSolved || got.CustomFields["cause"] != "hardware" {
				t.Errorf("solve with cause: %+v %v", got, err)
			}
			off := false
			f.svc.UpdateField(ctx, f.admin, mustField(t, f, "cause"), ticket.FieldUpdate{Active: &off})
		})

		t.Run("custom field types", func(t *testing.T) {
			for _, def := range []ticket.FieldInput{
				{Key: "seats", Label: "Seats", Type: ticket.FieldNumber},
				{Key: "due", Label: "Due", Type: ticket.FieldDate},
				{Key: "onsite", Label: "On site", Type: ticket.FieldCheckbox},
				{Key: "serial", Label: "Serial", Type: ticket.FieldText},
			} {
				if _, err := f.svc.CreateField(ctx, f.admin, def); err != nil {
					t.Fatal(err)
				}
			}
			tk := f.open(t, ticket.NewTicket{})
			for key, bad := range map[string]any{"seats": "ten", "due": "22.11.2026", "onsite": "yes", "serial": 42.0} {
				_, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, CustomFields: map[string]any{key: bad}})
				wantCode(t, err, apperr.Invalid, "custom_fields."+key)
			}
			got, err := f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, CustomFields: map[string]any{
				"seats": 10.0, "due": "2026-12-01", "onsite": true, "serial": "SN-1"}})
			if err != nil || got.CustomFields["seats"] != 10.0 || got.CustomFields["onsite"] != true {
				t.Fatalf("%+v %v", got.CustomFields, err)
			}
			got, err = f.svc.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: got.Version, CustomFields: map[string]any{"seats": nil}})
			if _, still := got.CustomFields["seats"]; err != nil || still {
				t.Errorf("null did not clear: %+v %v", got.CustomFields, err)
			}
			_, err = f.svc.CreateField(ctx, f.alice, ticket.FieldInput{Key: "x", Label: "X", Type: ticket.FieldText})
			wantCode(t, err, apperr.Forbidden, "")
		})

		t.Run("parent cannot make a cycle", func(t *testing.T) {
			parent := f.open(t, ticket.NewTicket{})
			child := f.open(t, ticket.NewTicket{ParentID: &parent.ID})
			_, err := f.svc.UpdateTicket(ctx, f.admin, parent.ID, ticket.Update{Version: parent.Version,
				ParentID: ticket.IDChange{Set: true, ID: &child.ID}})
			wantCode(t, err, apperr.Invalid, "parent_id")
			list, _, _ := f.svc.FindTickets(ctx, f.admin, ticket.Filter{ParentID: &parent.ID})
			if len(list) != 1 || list[0].ID != child.ID {
				t.Errorf("sub-tickets %+v", list)
			}
		})
	})
}

func mustField(t *testing.T, f *fixture, key string) int64 {
	t.Helper()
	fs, err := f.svc.FindFields(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fs {
		if x.Key == key {
			return x.ID
		}
	}
	t.Fatalf("no field %s", key)
	return 0
}

func itoa(n int64) string { return ticket.Number(n)[1:] }
