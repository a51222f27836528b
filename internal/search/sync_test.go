package search_test

import (
	"context"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// TestIndexFollowsChanges: every change reaches the index through its
// job, and text that moved or changed is found where it is now only.
func TestIndexFollowsChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		admin := search.AgentViewer(e.admin)
		found := func(t *testing.T, q string, want ...int64) {
			t.Helper()
			e.settle(t)
			got := numbers(e.find(t, admin, q, search.KindTicket))
			if len(got) != len(want) {
				t.Errorf("%s: found %v, want %v", q, got, want)
				return
			}
			for _, n := range want {
				if !has(e.find(t, admin, q, search.KindTicket), n) {
					t.Errorf("%s: found %v, want %v", q, got, want)
				}
			}
		}
		a := e.open(t, ticket.NewTicket{Subject: "Monitor flickers", Description: "The monitor flickers after lunch"})
		found(t, "flickers", a.Number)

		t.Run("a comment", func(t *testing.T) {
			e.comment(t, a.ID, "Replaced the HDMI cable; kabelis nomainīts", true)
			found(t, "hdmi", a.Number)
			found(t, "kabeli", a.Number)
		})

		t.Run("an edited comment", func(t *testing.T) {
			c := e.comment(t, a.ID, "Ordered a new graphics card", false)
			found(t, "graphics", a.Number)
			if _, err := e.tickets.EditComment(ctx, e.admin, a.ID, c.ID, "Ordered a new docking station"); err != nil {
				t.Fatal(err)
			}
			found(t, "docking", a.Number)
			found(t, "graphics")
		})

		t.Run("an edited subject and new tags", func(t *testing.T) {
			cur, _ := e.tickets.FindTicket(ctx, e.admin, a.ID)
			if _, err := e.tickets.UpdateTicket(ctx, e.admin, a.ID, ticket.Update{Version: cur.Version,
				Subject: ptr("Screen flickers"), Tags: &[]string{"hardware"}}); err != nil {
				t.Fatal(err)
			}
			found(t, "screen", a.Number)
			found(t, "tag:hardware", a.Number)
			found(t, "monitor", a.Number) // still in the description
		})

		t.Run("a merge moves the conversation", func(t *testing.T) {
			src := e.open(t, ticket.NewTicket{Subject: "Second monitor request"})
			e.comment(t, src.ID, "Please also check the docking firmware quokka", true)
			dst := e.open(t, ticket.NewTicket{Subject: "Docking station"})
			found(t, "quokka", src.Number)
			if _, err := e.tickets.Merge(ctx, e.admin, src.ID, dst.ID); err != nil {
				t.Fatal(err)
			}
			found(t, "quokka", dst.Number)
		})

		t.Run("a split moves a comment", func(t *testing.T) {
			tk := e.open(t, ticket.NewTicket{Subject: "Keyboard sticky"})
			c := e.comment(t, tk.ID, "Also my mouse wombat double-clicks", true)
			found(t, "wombat", tk.Number)
			created, err := e.tickets.SplitComment(ctx, e.admin, tk.ID, c.ID, "Mouse double-clicks")
			if err != nil {
				t.Fatal(err)
			}
			found(t, "wombat", created.Number)
			found(t, "keyboard", tk.Number)
		})
	})
}

// TestDirectoryFollowsChanges: contacts and companies are found as they
// are now; a merged contact's tickets are found by the kept contact.
func TestDirectoryFollowsChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		admin := search.AgentViewer(e.admin)
		co, err := e.dir.CreateCompany(ctx, directory.CompanyInput{Name: "Initech", Domains: []string{"initech.example"}})
		if err != nil {
			t.Fatal(err)
		}
		keep, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Peter Gibbons", Email: "peter@initech.example"})
		if err != nil {
			t.Fatal(err)
		}
		dup, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "P. Gibbons", Email: "pg@home.example"})
		if err != nil {
			t.Fatal(err)
		}
		tk := e.open(t, ticket.NewTicket{Subject: "TPS report template", Requester: ticket.RequesterRef{ID: &dup.ID}})
		e.settle(t)
		if hits := e.find(t, admin, "initech", search.KindCompany); len(hits) != 1 || hits[0].ID != co.ID {
			t.Fatalf("company hits %+v", hits)
		}
		if _, err := e.dir.UpdateCompany(ctx, co.ID, directory.CompanyUpdate{Name: ptr("Initrode"), Domains: &[]string{"initrode.example"}}); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		if hits := e.find(t, admin, "initrode", search.KindCompany); len(hits) != 1 {
			t.Errorf("renamed company not found: %+v", hits)
		}
		if hits := e.find(t, admin, "initech", search.KindCompany); len(hits) != 0 {
			t.Errorf("the old name still finds the company: %+v", hits)
		}
		if _, err := e.dir.MergeContacts(ctx, keep.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		if hits := e.find(t, admin, "from:peter@initech.example", search.KindTicket); !has(hits, tk.Number) {
			t.Errorf("the kept contact's moved ticket is not found by from: %v", numbers(hits))
		}
		if hits := e.find(t, admin, "gibbons", search.KindContact); len(hits) != 1 || hits[0].ID != keep.ID {
			t.Errorf("after the merge the contacts found are %+v", hits)
		}
		if hits := e.find(t, admin, "pg@home.example", search.KindContact); len(hits) != 1 || hits[0].ID != keep.ID {
			t.Errorf("the duplicate's address does not find the kept contact: %+v", hits)
		}
		if err := e.dir.DeleteCompany(ctx, co.ID); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		if hits := e.find(t, admin, "initrode"); len(hits) != 0 {
			t.Errorf("a deleted company is still found: %+v", hits)
		}
	})
}

// TestOneJobPerDocument: changes made before the index job runs share
// it, and a job that already ran does not stop the next change's.
func TestOneJobPerDocument(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := wire(t, d)
		e.team(t)
		tk := e.open(t, ticket.NewTicket{Subject: "Badge reader"})
		e.comment(t, tk.ID, "first", true)
		e.comment(t, tk.ID, "second", false)
		pending := func() int {
			var n int
			d.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1 AND state = 'pending' AND payload LIKE $2`,
				search.JobIndex, `{"kind":"ticket","id":`+itoa(tk.ID)+`}`).Scan(&n)
			return n
		}
		if n := pending(); n != 1 {
			t.Fatalf("%d pending index jobs for one ticket, want 1", n)
		}
		e.run(t)
		e.settle(t)
		e.comment(t, tk.ID, "third", true)
		e.settle(t)
		if hits := e.find(t, search.AgentViewer(e.admin), "third"); !has(hits, tk.Number) {
			t.Errorf("a change after the job ran was not indexed: %v", numbers(hits))
		}
		var done int
		d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1 AND state = 'done'`, search.JobIndex).Scan(&done)
		if done < 2 {
			t.Errorf("%d index jobs done, want a second one for the later change", done)
		}
	})
}
