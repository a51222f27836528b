package kb_test

import (
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
	"linedesk/internal/ticket"
)

func TestUsageCounters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		pub := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Reset your password",
			Body: "1. Open **Settings**\n2. Press *Reset*"})
		internal := f.article(t, kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "en", Title: "Unlock an account in AD",
			Body: "Use `Unlock-ADAccount`."})
		open := func() ticket.Ticket {
			tk, err := f.tickets.CreateTicket(f.ctx, f.anna, ticket.NewTicket{Subject: "Forgot my password",
				Requester: ticket.RequesterRef{Email: "client@example.com"}, GroupID: &f.desk})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		insert := func(tk ticket.Ticket, a kb.Article, mode string) kb.Insertion {
			t.Helper()
			in, err := f.kb.Insert(f.ctx, f.anna, tk.ID, a.ID, "en", mode)
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
		solve := func(tk ticket.Ticket) {
			t.Helper()
			cur, _ := f.tickets.FindTicket(f.ctx, f.admin, tk.ID)
			if _, err := f.tickets.UpdateTicket(f.ctx, f.anna, tk.ID, ticket.Update{Version: cur.Version,
				Status: ptr(ticket.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
		}
		usage := func(a kb.Article) kb.Usage {
			t.Helper()
			u, err := f.kb.ArticleUsage(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}

		t.Run("a link points at the portal; the text is the article's, as plain text", func(t *testing.T) {
			tk := open()
			link := insert(tk, pub, kb.InsertLink)
			if link.Text != "Reset your password: https://help.example/portal/kb/reset-your-password" {
				t.Errorf("link %q", link.Text)
			}
			text := insert(tk, internal, kb.InsertText)
			if text.Text != "Use Unlock-ADAccount." || text.URL != "" {
				t.Errorf("text %+v", text)
			}
			_, err := f.kb.Insert(f.ctx, f.anna, tk.ID, internal.ID, "en", kb.InsertLink)
			wantCode(t, err, apperr.Invalid, "mode")
			_, err = f.kb.Insert(f.ctx, f.anna, tk.ID, pub.ID, "ru", kb.InsertText)
			wantCode(t, err, apperr.Invalid, "language")
		})

		t.Run("an agent who may not see the ticket counts nothing", func(t *testing.T) {
			other := f.agent(t, "Bob Other", "bob@support.example", auth.RoleAgent)
			tk, err := f.tickets.CreateTicket(f.ctx, f.admin, ticket.NewTicket{Subject: "Hidden", GroupID: &f.desk,
				Requester: ticket.RequesterRef{Email: "x@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			before := usage(pub).Inserted
			_, err = f.kb.Insert(f.ctx, other, tk.ID, pub.ID, "en", kb.InsertLink)
			wantCode(t, err, apperr.NotFound, "")
			if usage(pub).Inserted != before {
				t.Error("a refused insertion was counted")
			}
		})

		t.Run("solved without escalation, escalated, and pending are told apart", func(t *testing.T) {
			start := usage(pub)
			// Solved straight after the insertion.
			solvedTk := open()
			insert(solvedTk, pub, kb.InsertLink)
			solve(solvedTk)
			// Escalated after the insertion, then solved.
			escalated := open()
			insert(escalated, pub, kb.InsertText)
			if _, err := f.tickets.Escalate(f.ctx, f.anna, escalated.ID, ticket.Escalation{Line: 2, Reason: "needs AD rights"}); err != nil {
				t.Fatal(err)
			}
			solve(escalated)
			// Escalated before the insertion, then solved: the article solved it.
			late := open()
			if _, err := f.tickets.Escalate(f.ctx, f.anna, late.ID, ticket.Escalation{Line: 2, Reason: "line 2 first"}); err != nil {
				t.Fatal(err)
			}
			insert(late, pub, kb.InsertLink)
			solve(late)
			// Moved to a higher line in the side panel: an escalation too.
			moved := open()
			insert(moved, pub, kb.InsertLink)
			cur, _ := f.tickets.FindTicket(f.ctx, f.admin, moved.ID)
			if _, err := f.tickets.UpdateTicket(f.ctx, f.anna, moved.ID, ticket.Update{Version: cur.Version, Line: ptr(3)}); err != nil {
				t.Fatal(err)
			}
			// Still open.
			insert(open(), pub, kb.InsertLink)

			u := usage(pub)
			got := [4]int{u.Inserted - start.Inserted, u.Solved - start.Solved, u.Escalated - start.Escalated, u.Pending - start.Pending}
			if want := [4]int{5, 2, 2, 1}; got != want {
				t.Errorf("inserted, solved, escalated, pending moved by %v, want %v", got, want)
			}
		})

		t.Run("views count, and the report lists the most used first", func(t *testing.T) {
			for range 3 {
				if err := f.kb.CountView(f.ctx, internal.ID); err != nil {
					t.Fatal(err)
				}
			}
			report, total, err := f.kb.UsageReport(f.ctx, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			if total != 2 || len(report) != 2 || report[0].Article.ID != pub.ID || report[1].Views != 3 ||
				report[1].Article.Title("en") != "Unlock an account in AD" {
				t.Errorf("report %+v", report)
			}
			if share := report[0].SolvedShare(); share != 50 {
				t.Errorf("solved share %d%%, want 50%%", share)
			}
			if !strings.HasPrefix(report[0].Article.Title("en"), "Reset") {
				t.Errorf("first %q", report[0].Article.Title("en"))
			}
		})
	})
}
