package script_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/script"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

type fixture struct {
	ctx      context.Context
	scripts  *script.Service
	tickets  *ticket.Service
	dir      *directory.Service
	admin    auth.Principal
	anna     auth.Principal // line 1, service desk
	desk     int64
	hardware int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir(), 1<<20)
	tickets := ticket.NewService(d, log, dir, files, job.NewQueue(d, log))
	k := kb.NewService(d, log, files, tickets, kb.Config{})
	f := &fixture{ctx: ctx, dir: dir, tickets: tickets, scripts: script.NewService(d, log, tickets, dir, k)}
	for name, id := range map[string]*int64{"Service desk": &f.desk, "Hardware": &f.hardware} {
		g, err := dir.CreateGroup(ctx, directory.GroupInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		*id = g.ID
	}
	mk := func(name, email string, role auth.Role, groups ...int64) auth.Principal {
		a, err := dir.CreateAgent(ctx, directory.AgentInput{Name: name, Email: email, Role: role, GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{AgentID: a.ID, Name: a.Name, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
	}
	f.admin = mk("Ada Admin", "ada@support.example", auth.RoleAdmin)
	f.anna = mk("Anna Bērziņa", "anna@support.example", auth.RoleAgent, f.desk)
	return f
}

// mouse builds the "Mouse does not work" script as an administrator does
// in the editor, a node at a time, and publishes it.
func (f *fixture) mouse(t *testing.T) script.Script {
	t.Helper()
	sc, err := f.scripts.Create(f.ctx, f.admin, script.Info{Name: "Mouse does not work", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	save := func(n script.Node) script.Node {
		t.Helper()
		var saved script.Node
		sc, saved, err = f.scripts.SaveNode(f.ctx, f.admin, sc.ID, sc.Rev, n)
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	keyboard := save(script.Node{Kind: script.Question, Text: "Does the keyboard work? Press Alt+Tab: do the windows switch?",
		Answers: []script.Answer{{Label: "Yes", Next: "new:question"}, {Label: "No", Next: "new:solution"}}})
	wireless := keyboard.Answers[0].Next
	frozen := keyboard.Answers[1].Next
	save(script.Node{ID: frozen, Kind: script.Solution,
		Text: "The computer is frozen: hold the power button for 5 seconds, wait 10 seconds, switch it on again."})
	w := save(script.Node{ID: wireless, Kind: script.Question, Text: "Is the mouse wireless?",
		Answers: []script.Answer{{Label: "Yes", Next: "new:question"}, {Label: "No", Next: "new:solution"}}})
	save(script.Node{ID: w.Answers[1].Next, Kind: script.Solution, Text: "Plug the mouse into another USB port and wait 10 seconds."})
	b := save(script.Node{ID: w.Answers[0].Next, Kind: script.Question, Text: "Do new batteries help?",
		Answers: []script.Answer{{Label: "Yes", Next: "new:solution"}, {Label: "No", Next: "new:escalate"}}})
	save(script.Node{ID: b.Answers[0].Next, Kind: script.Solution, Text: "The batteries were flat."})
	save(script.Node{ID: b.Answers[1].Next, Kind: script.Escalate, Line: 2, GroupID: &f.hardware, Text: "The mouse needs replacing."})
	if sc, err = f.scripts.Publish(f.ctx, f.admin, sc.ID, sc.Rev); err != nil {
		t.Fatal(err)
	}
	return sc
}

func (f *fixture) ticket(t *testing.T) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.CreateTicket(f.ctx, f.anna, ticket.NewTicket{Subject: "Мышь не работает", GroupID: &f.desk,
		Requester: ticket.RequesterRef{Email: "maria@client.example"}, Channel: ticket.ChannelPhone})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got error %v, want code %s field %q", err, code, field)
	}
}

func TestScriptRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sc := f.mouse(t)
		if sc.Version != 1 || sc.Changed {
			t.Fatalf("published script %+v", sc)
		}
		if offers, err := f.scripts.Offers(f.ctx); err != nil || len(offers) != 1 || offers[0].Name != "Mouse does not work" {
			t.Errorf("offers %+v %v", offers, err)
		}

		t.Run("a solution leaf saves the transcript as an internal note", func(t *testing.T) {
			tk := f.ticket(t)
			pos, err := f.scripts.Walk(f.ctx, sc.ID, 0, []int{1})
			if err != nil || !pos.Done() || pos.Node.Kind != script.Solution {
				t.Fatalf("walk: %+v %v", pos.Node, err)
			}
			run, err := f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: pos.Version.ID,
				Path: []int{1}, Remark: "Звонила Мария", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			want := "Script “Mouse does not work”, version 1\n\n" +
				"1. Does the keyboard work? Press Alt+Tab: do the windows switch?\n   → No\n\n" +
				"Solution:\nThe computer is frozen: hold the power button for 5 seconds, wait 10 seconds, switch it on again.\n\n" +
				"Agent's note: Звонила Мария"
			comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID)
			if len(comments) != 1 || comments[0].Public || comments[0].Body != want || comments[0].ID != run.CommentID ||
				comments[0].AuthorName != "Anna Bērziņa" {
				t.Errorf("notes %+v\nwant body\n%s", comments, want)
			}
			got, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			if got.Line != 1 || got.GroupID == nil || *got.GroupID != f.desk {
				t.Errorf("a solution moved the ticket: line %d group %v", got.Line, got.GroupID)
			}
		})

		t.Run("an escalation leaf escalates with the transcript as the reason", func(t *testing.T) {
			tk := f.ticket(t)
			_, err := f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: *sc.VersionID,
				Path: []int{0, 0, 1}, Language: "ru"})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			if got.Line != 2 || got.GroupID == nil || *got.GroupID != f.hardware || got.AssigneeID != nil {
				t.Errorf("escalated ticket: line %d group %v", got.Line, got.GroupID)
			}
			comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID)
			note := comments[0].Body
			for _, want := range []string{"Скрипт «Mouse does not work», версия 1", "2. Is the mouse wireless?\n   → Yes",
				"3. Do new batteries help?\n   → No", "Эскалация на линию 2, группу «Hardware»", "The mouse needs replacing."} {
				if !strings.Contains(note, want) {
					t.Errorf("note %q lacks %q", note, want)
				}
			}
			events, _ := f.tickets.Events(f.ctx, f.admin, tk.ID)
			var reason string
			for _, e := range events {
				if e.Kind == ticket.EventEscalated {
					reason = e.Reason
				}
			}
			if reason != note {
				t.Errorf("escalation reason %q, want the transcript %q", reason, note)
			}
		})

		t.Run("a failed escalation saves nothing", func(t *testing.T) {
			tk := f.ticket(t)
			if _, err := f.tickets.UpdateTicket(f.ctx, f.anna, tk.ID, ticket.Update{Version: tk.Version,
				Status: ptr(ticket.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
			_, err := f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: *sc.VersionID, Path: []int{0, 0, 1}})
			wantCode(t, err, apperr.Conflict, "")
			if comments, _ := f.tickets.Comments(f.ctx, f.admin, tk.ID); len(comments) != 0 {
				t.Errorf("a note was saved: %+v", comments)
			}
			if _, total, _ := f.scripts.Stats(f.ctx, sc.ID); total != 2 {
				t.Errorf("%d runs counted, want the 2 before", total)
			}
		})

		t.Run("an unfinished path, a bad path or a hidden ticket is refused", func(t *testing.T) {
			tk := f.ticket(t)
			_, err := f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: *sc.VersionID, Path: []int{0}})
			wantCode(t, err, apperr.Invalid, "path")
			_, err = f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: *sc.VersionID, Path: []int{0, 5}})
			wantCode(t, err, apperr.Invalid, "path")
			hidden, err := f.tickets.CreateTicket(f.ctx, f.admin, ticket.NewTicket{Subject: "x", GroupID: &f.hardware,
				Requester: ticket.RequesterRef{Email: "x@client.example"}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.scripts.Finish(f.ctx, f.anna, hidden.ID, script.Finish{ScriptID: sc.ID, VersionID: *sc.VersionID, Path: []int{1}})
			wantCode(t, err, apperr.NotFound, "")
		})

		t.Run("a new version never changes a run in progress", func(t *testing.T) {
			v1 := *sc.VersionID
			cur, _ := f.scripts.Find(f.ctx, sc.ID)
			start, _ := cur.Draft.Node(cur.Draft.Start)
			// Version 2 swaps the answers of the first question.
			start.Answers[0], start.Answers[1] = start.Answers[1], start.Answers[0]
			cur, _, err := f.scripts.SaveNode(f.ctx, f.admin, sc.ID, cur.Rev, start)
			if err != nil {
				t.Fatal(err)
			}
			if cur, err = f.scripts.Publish(f.ctx, f.admin, sc.ID, cur.Rev); err != nil {
				t.Fatal(err)
			}
			if cur.Version != 2 {
				t.Fatalf("version %d", cur.Version)
			}
			old, err := f.scripts.Walk(f.ctx, sc.ID, v1, []int{1})
			if err != nil || old.Node.Kind != script.Solution || !strings.Contains(old.Node.Text, "frozen") {
				t.Errorf("version 1, answer 2: %+v %v", old.Node, err)
			}
			now, _ := f.scripts.Walk(f.ctx, sc.ID, 0, []int{1})
			if now.Node.Kind != script.Question || now.Version.Number != 2 {
				t.Errorf("version 2, answer 2: %+v", now.Node)
			}
			tk := f.ticket(t)
			run, err := f.scripts.Finish(f.ctx, f.anna, tk.ID, script.Finish{ScriptID: sc.ID, VersionID: v1, Path: []int{1}})
			if err != nil || run.VersionID != v1 {
				t.Fatalf("a version-1 run finished after version 2: %+v %v", run, err)
			}
		})

		t.Run("statistics count how often each leaf is reached", func(t *testing.T) {
			stats, total, err := f.scripts.Stats(f.ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var frozen, esc script.LeafStat
			for _, s := range stats {
				switch {
				case strings.HasPrefix(s.Node.Text, "The computer is frozen"):
					frozen = s
				case s.Node.Kind == script.Escalate:
					esc = s
				}
			}
			if total != 3 || frozen.All != 2 || frozen.Current != 0 || esc.All != 1 || len(stats) != 4 {
				t.Errorf("total %d, stats %+v", total, stats)
			}
		})
	})
}

func TestScriptEditing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		sc, err := f.scripts.Create(f.ctx, f.admin, script.Info{Name: "Printer", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.scripts.Create(f.ctx, f.admin, script.Info{Name: " printer "})
		wantCode(t, err, apperr.Invalid, "name")
		_, err = f.scripts.Create(f.ctx, f.anna, script.Info{Name: "Mine"})
		wantCode(t, err, apperr.Forbidden, "")

		if offers, err := f.scripts.Offers(f.ctx); err != nil || len(offers) != 0 {
			t.Errorf("an unpublished script is offered: %+v %v", offers, err)
		}
		sc, q1, err := f.scripts.SaveNode(f.ctx, f.admin, sc.ID, sc.Rev, script.Node{Kind: script.Question, Text: "Is it on?",
			Answers: []script.Answer{{Label: "Yes", Next: "new:solution"}, {Label: "No"}}})
		if err != nil {
			t.Fatal(err)
		}
		if sc.Draft.Start != q1.ID || len(sc.Draft.Nodes) != 2 {
			t.Fatalf("draft %+v", sc.Draft)
		}
		_, err = f.scripts.Publish(f.ctx, f.admin, sc.ID, sc.Rev)
		wantCode(t, err, apperr.Invalid, "nodes."+q1.ID+".answers[1].next")
		_, _, err = f.scripts.SaveNode(f.ctx, f.admin, sc.ID, sc.Rev-1, script.Node{Kind: script.Solution, Text: "x"})
		wantCode(t, err, apperr.Conflict, "rev")
		problems := f.scripts.Problems(f.ctx, sc)
		if len(problems) != 2 || problems[1].Field != "nodes."+q1.Answers[0].Next+".text" {
			t.Errorf("problems %+v", problems)
		}
		after, _ := f.scripts.Find(f.ctx, sc.ID)
		if after.VersionID != nil || after.Rev != sc.Rev {
			t.Errorf("a refused publish changed the script: %+v", after)
		}
		_, err = f.scripts.Walk(f.ctx, sc.ID, 0, nil)
		wantCode(t, err, apperr.Conflict, "")
		sc, err = f.scripts.DeleteNode(f.ctx, f.admin, sc.ID, sc.Rev, q1.Answers[0].Next)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := sc.Draft.Node(q1.ID); n.Answers[0].Next != "" {
			t.Errorf("an answer still leads to the deleted node: %+v", n)
		}
		if err := f.scripts.Delete(f.ctx, f.admin, sc.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
