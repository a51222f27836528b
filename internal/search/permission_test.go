package search_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

func TestPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c := build(t, e)
		alice, bob := search.AgentViewer(e.alice), search.AgentViewer(e.bob)

		t.Run("an agent outside the group finds nothing of it", func(t *testing.T) {
			if hits := e.find(t, alice, "vpn"); has(hits, c.num("vpn")) {
				t.Errorf("Alice (service desk) found the network group's ticket: %v", numbers(hits))
			}
			if hits := e.find(t, bob, "vpn"); !has(hits, c.num("vpn")) {
				t.Errorf("Bob (network) did not find his group's ticket: %v", numbers(hits))
			}
			// Filters alone do not reveal it either, nor its number.
			for _, q := range []string{"tag:vpn", "group:network", "#" + itoa(c.num("vpn")), "zanzibar"} {
				if hits := e.find(t, alice, q); len(hits) != 0 {
					t.Errorf("%s: Alice found %v", q, numbers(hits))
				}
			}
			// Tickets in no group are the shared intake: everyone finds them.
			if hits := e.find(t, alice, "room 204"); !has(hits, c.num("offline")) {
				t.Errorf("Alice did not find the intake ticket: %v", numbers(hits))
			}
		})

		t.Run("counts leave hidden hits out", func(t *testing.T) {
			req := search.Request{Query: "every", Kinds: []string{search.KindTicket}}
			res, err := e.search.Search(ctx, alice, req)
			if err != nil {
				t.Fatal(err)
			}
			admin, _ := e.search.Search(ctx, search.AgentViewer(e.admin), req)
			if res.Total != 1 || len(res.Hits) != 1 || admin.Total != 2 {
				t.Errorf("Alice: %d hits, total %d; admin total %d", len(res.Hits), res.Total, admin.Total)
			}
		})

		t.Run("an agent who escalated a ticket away still finds it", func(t *testing.T) {
			printers := c.t["printers"]
			if _, err := e.tickets.Escalate(ctx, e.alice, printers.ID, ticket.Escalation{GroupID: &e.netwrk,
				Reason: "print server is on the network"}); err != nil {
				t.Fatal(err)
			}
			e.settle(t)
			for _, v := range []search.Viewer{alice, bob} {
				if hits := e.find(t, v, "принтер"); !has(hits, printers.Number) {
					t.Errorf("%s does not find the escalated ticket: %v", v.Agent.Name, numbers(hits))
				}
			}
		})

		t.Run("internal notes stay with agents", func(t *testing.T) {
			requester := search.ContactViewer(search.ContactScope{ContactID: c.t["vpn"].Requester.ID})
			if hits := e.find(t, requester, "zanzibar"); len(hits) != 0 {
				t.Errorf("the customer found an internal note's word: %+v", hits)
			}
			hits := e.find(t, requester, "firewall sessions")
			if len(hits) != 0 {
				t.Errorf("the customer found the note: %+v", hits)
			}
			hits = e.find(t, requester, "vpn")
			if !has(hits, c.num("vpn")) {
				t.Fatalf("the customer did not find their own ticket: %+v", hits)
			}
			for _, h := range hits {
				if strings.Contains(h.Snippet, "zanzibar") || strings.Contains(h.Snippet, "firewall") {
					t.Errorf("a customer's snippet shows the note: %q", h.Snippet)
				}
			}
			if hits := e.find(t, search.AgentViewer(e.bob), "zanzibar"); !has(hits, c.num("vpn")) {
				t.Errorf("an agent who sees the ticket did not find its note: %v", numbers(hits))
			}
		})

		t.Run("a customer finds only their own tickets", func(t *testing.T) {
			globexBoss := c.t["globex"].Requester.ID
			boss := search.ContactViewer(search.ContactScope{ContactID: globexBoss})
			hits := e.find(t, boss, "printer")
			if len(hits) != 1 || hits[0].Number != c.num("globex") {
				t.Errorf("Globex's contact found %v", numbers(hits))
			}
			user := search.ContactViewer(search.ContactScope{ContactID: c.user, CompanyID: &c.acme})
			if hits := e.find(t, user, "printer"); len(hits) != 0 {
				t.Errorf("Acme's contact found another company's tickets: %v", numbers(hits))
			}
			if hits := e.find(t, user, "Jānis"); len(hits) != 0 {
				t.Errorf("a customer found directory entries: %+v", hits)
			}
		})

		t.Run("a company manager finds the company's tickets", func(t *testing.T) {
			colleague, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Colleague", Email: "colleague@x.lv",
				CompanyID: &c.acme})
			if err != nil {
				t.Fatal(err)
			}
			mine := search.ContactViewer(search.ContactScope{ContactID: colleague.ID, CompanyID: &c.acme})
			if hits := e.find(t, mine, "почта"); len(hits) != 0 {
				t.Errorf("a plain contact found a colleague's ticket: %v", numbers(hits))
			}
			manager := search.ContactViewer(search.ContactScope{ContactID: colleague.ID, CompanyID: &c.acme, CompanyWide: true})
			if hits := e.find(t, manager, "почта"); !has(hits, c.num("mail")) {
				t.Errorf("the company's manager did not find its ticket: %v", numbers(hits))
			}
			if hits := e.find(t, manager, "printer"); len(hits) != 0 {
				t.Errorf("the manager found another company's tickets: %v", numbers(hits))
			}
		})

		t.Run("customers cannot filter by the team's organisation", func(t *testing.T) {
			boss := search.ContactViewer(search.ContactScope{ContactID: c.t["globex"].Requester.ID})
			for _, q := range []string{"group:network", "assignee:me", "tag:vpn", "from:user@x.lv"} {
				_, err := e.search.Search(ctx, boss, search.Request{Query: q})
				if !apperr.Is(err, apperr.Invalid) {
					t.Errorf("%s: %v, want an invalid query", q, err)
				}
			}
		})
	})
}

// TestPermissionsAreCurrent: a ticket moved to another group is hidden
// from the agents of the old one at once, before its index job has run.
func TestPermissionsAreCurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := wire(t, d) // no workers: the index lags until told
		e.team(t)
		tk := e.open(t, ticket.NewTicket{Subject: "Scanner jams", GroupID: &e.desk})
		if err := e.search.Index(ctx, search.KindTicket, []int64{tk.ID}); err != nil {
			t.Fatal(err)
		}
		alice := search.AgentViewer(e.alice)
		if hits := e.find(t, alice, "scanner"); !has(hits, tk.Number) {
			t.Fatalf("Alice does not find her group's ticket: %v", numbers(hits))
		}
		if _, err := e.tickets.Escalate(ctx, e.admin, tk.ID, ticket.Escalation{GroupID: &e.netwrk, Reason: "network fault"}); err != nil {
			t.Fatal(err)
		}
		if hits := e.find(t, alice, "scanner"); has(hits, tk.Number) {
			t.Errorf("Alice still finds the ticket moved to another group")
		}
	})
}
