package reply_test

import (
	"slices"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/reply"
	"linedesk/internal/ticket"
)

func TestMacros(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ivanInNetwork := f.ivan.AgentID
		escalate, err := f.replies.Create(f.ctx, f.admin, reply.Macro, reply.Input{Name: "VPN to network team", Public: true, GroupID: &f.desk,
			Texts: map[string]string{"en": "Hello {{requester.first_name}}, the network team takes {{ticket.number}} now.",
				"ru": "Здравствуйте, {{requester.first_name}}! Заявкой {{ticket.number}} займётся сетевой отдел."},
			Actions: reply.Actions{Status: ticket.StatusPending, Priority: ticket.PriorityHigh, Line: 2, GroupID: &f.network,
				AssigneeID: &ivanInNetwork, TagsAdd: []string{"vpn", "network"}, TagsRemove: []string{"new-request"}}})
		if err != nil {
			t.Fatal(err)
		}
		// Anna in the network group is an assignee outside it: the last
		// action fails after the reply and the others.
		broken, err := f.replies.Create(f.ctx, f.admin, reply.Macro, reply.Input{Name: "Broken", Public: true, GroupID: &f.desk,
			Texts:   map[string]string{"en": "This reply must never be sent."},
			Actions: reply.Actions{Status: ticket.StatusPending, Priority: ticket.PriorityUrgent, GroupID: &f.network, AssigneeID: &f.anna.AgentID}})
		if err != nil {
			t.Fatal(err)
		}
		seq := 0
		open := func(t *testing.T) ticket.Ticket {
			seq++
			tk := f.ticketFor(t, "Мария Кузнецова", "maria"+itoa(seq)+"@client.example", "ru")
			tk, err := f.tickets.UpdateTicket(f.ctx, f.anna, tk.ID, ticket.Update{Version: tk.Version, Tags: &[]string{"new-request", "printer"}})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}

		t.Run("the preview shows the reply and the changes and saves nothing", func(t *testing.T) {
			tk := open(t)
			pre, err := f.replies.Preview(f.ctx, f.anna, escalate.ID, tk.ID, reply.Apply{})
			if err != nil {
				t.Fatal(err)
			}
			if pre.Language != "ru" || pre.Reply != "Здравствуйте, Мария! Заявкой "+ticket.Number(tk.Number)+" займётся сетевой отдел." ||
				pre.Applied {
				t.Errorf("preview reply (%s) %q", pre.Language, pre.Reply)
			}
			got := map[string]string{}
			for _, c := range pre.Changes {
				got[c.Field] = c.From + "→" + c.To
			}
			want := map[string]string{"status": "new→pending", "priority": "normal→high", "line": "1→2",
				"group_id": itoa(int(f.desk)) + "→" + itoa(int(f.network)), "assignee_id": "→" + itoa(int(ivanInNetwork)),
				"tags": "new-request, printer→network, printer, vpn"}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("preview change %s: %q, want %q", k, got[k], v)
				}
			}
			after, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID)
			events, _ := f.tickets.Events(f.ctx, f.admin, tk.ID)
			if after.Version != tk.Version || len(comments) != 0 || events[len(events)-1].Kind == ticket.EventMacro {
				t.Errorf("the preview saved something: version %d, %d comments", after.Version, len(comments))
			}
		})

		t.Run("applying does the reply and every action at once, and the history names the macro", func(t *testing.T) {
			tk := open(t)
			edited := "Мария, заявкой займётся сетевой отдел."
			res, err := f.replies.ApplyMacro(f.ctx, f.anna, escalate.ID, tk.ID, reply.Apply{Version: tk.Version, Body: &edited})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			if got.Status != ticket.StatusPending || got.Priority != ticket.PriorityHigh || got.Line != 2 ||
				*got.GroupID != f.network || *got.AssigneeID != ivanInNetwork ||
				!slices.Equal(got.Tags, []string{"network", "printer", "vpn"}) || !res.Applied {
				t.Errorf("ticket after the macro: %+v", got)
			}
			comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID)
			if len(comments) != 1 || comments[0].Body != edited || !comments[0].Public || comments[0].AuthorName != "Anna Bērziņa" {
				t.Errorf("reply %+v", comments)
			}
			events, _ := f.tickets.Events(f.ctx, f.admin, tk.ID)
			var macro, named int
			for _, e := range events {
				if e.Kind == ticket.EventMacro && e.To == "VPN to network team" && e.ActorID != nil && *e.ActorID == f.anna.AgentID {
					macro++
				}
				if e.Kind == ticket.EventChanged && strings.Contains(e.Reason, "VPN to network team") {
					named++
				}
			}
			if macro != 1 || named < 6 {
				t.Errorf("history: %d macro entries, %d changes naming it: %+v", macro, named, events)
			}
		})

		t.Run("an action that fails leaves no reply and no change", func(t *testing.T) {
			tk := open(t)
			eventsBefore, _ := f.tickets.Events(f.ctx, f.admin, tk.ID)
			_, err := f.replies.Preview(f.ctx, f.anna, broken.ID, tk.ID, reply.Apply{})
			wantCode(t, err, apperr.Invalid, "assignee_id")
			_, err = f.replies.ApplyMacro(f.ctx, f.anna, broken.ID, tk.ID, reply.Apply{Version: tk.Version})
			wantCode(t, err, apperr.Invalid, "assignee_id")
			got, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID)
			events, _ := f.tickets.Events(f.ctx, f.admin, tk.ID)
			var jobs int
			f.d.R.QueryRowContext(f.ctx, `SELECT count(*) FROM jobs`).Scan(&jobs)
			if got.Version != tk.Version || got.Status != ticket.StatusNew || got.Priority != ticket.PriorityNormal ||
				*got.GroupID != f.desk || len(comments) != 0 || len(events) != len(eventsBefore) || jobs != 0 {
				t.Errorf("a failed macro left: %+v, %d comments, %d new events, %d jobs", got, len(comments),
					len(events)-len(eventsBefore), jobs)
			}
		})

		t.Run("a ticket changed since the preview is not changed again", func(t *testing.T) {
			tk := open(t)
			_, err := f.replies.ApplyMacro(f.ctx, f.anna, escalate.ID, tk.ID, reply.Apply{Version: tk.Version - 1})
			wantCode(t, err, apperr.Conflict, "version")
			_, err = f.replies.ApplyMacro(f.ctx, f.anna, escalate.ID, tk.ID, reply.Apply{})
			wantCode(t, err, apperr.Invalid, "version")
			if comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID); len(comments) != 0 {
				t.Errorf("comments %+v", comments)
			}
		})

		t.Run("a macro's actions are checked when it is saved", func(t *testing.T) {
			for field, a := range map[string]reply.Actions{
				"actions.status":      {Status: "done"},
				"actions.priority":    {Priority: "asap"},
				"actions.line":        {Line: 7},
				"actions.group_id":    {GroupID: ptr(int64(999))},
				"actions.assignee_id": {AssigneeID: ptr(int64(999))},
				"actions.tags_add":    {TagsAdd: []string{"two words"}},
				"actions.tags_remove": {TagsAdd: []string{"vpn"}, TagsRemove: []string{"VPN"}},
			} {
				_, err := f.replies.Create(f.ctx, f.admin, reply.Macro, reply.Input{Name: "Bad", Actions: a})
				wantCode(t, err, apperr.Invalid, field)
			}
			_, err := f.replies.Create(f.ctx, f.admin, reply.Macro, reply.Input{Name: "Nothing"})
			wantCode(t, err, apperr.Invalid, "actions")
			_, err = f.replies.ApplyMacro(f.ctx, f.anna, ptrID(t, f), 1, reply.Apply{Version: 1})
			wantCode(t, err, apperr.NotFound, "")
		})
	})
}

// ptrID is a canned response's id, which is not a macro.
func ptrID(t *testing.T, f *fixture) int64 {
	r, err := f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Plain", Texts: map[string]string{"en": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func itoa(n int) string { return fmtInt(n) }
