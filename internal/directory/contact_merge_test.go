package directory_test

import (
	"fmt"
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestMergeContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		acme := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Acme"}))
		other := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Other"}))

		t.Run("everything of the duplicate moves to the kept contact", func(t *testing.T) {
			keep := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Anna Bērziņa", Email: "anna@acme.lv"}))
			dup := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "A. Berzina",
				Emails: []string{"anna.b@gmail.com", "anna2@acme.lv"}, CompanyID: &acme.ID, Phone: "+371 2611 1111", Notes: "Calls on Fridays"}))
			stranger := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Stranger", Email: "x@x.lv"}))
			dupTicket := ticketOf(t, d, dup.ID)
			keepTicket := ticketOf(t, d, keep.ID)
			shared := ticketOf(t, d, stranger.ID)
			copied := ticketOf(t, d, stranger.ID)
			dbtest.Exec(t, d.W, `INSERT INTO comments (ticket_id, author_type, author_contact_id, body, public, channel, created_at)
				VALUES ($1, 'contact', $2, 'It is broken', TRUE, 'email', $3)`, dupTicket, dup.ID, db.Now())
			dbtest.Exec(t, d.W, `INSERT INTO ticket_events (ticket_id, actor_type, actor_id, kind, created_at)
				VALUES ($1, 'contact', $2, 'created', $3)`, dupTicket, dup.ID, db.Now())
			for _, p := range [][2]int64{{shared, dup.ID}, {shared, keep.ID}, {keepTicket, dup.ID}, {copied, dup.ID}} {
				dbtest.Exec(t, d.W, `INSERT INTO ticket_participants (ticket_id, contact_id, created_at) VALUES ($1, $2, $3)`,
					p[0], p[1], db.Now())
			}

			got := must[directory.Contact](t)(s.MergeContacts(ctx, keep.ID, dup.ID))

			if want := []string{"anna@acme.lv", "anna.b@gmail.com", "anna2@acme.lv"}; !slices.Equal(got.Emails, want) || got.Email != want[0] {
				t.Errorf("addresses %v (primary %s), want %v", got.Emails, got.Email, want)
			}
			if got.Name != "Anna Bērziņa" || got.CompanyID == nil || *got.CompanyID != acme.ID ||
				got.Phone != "+371 2611 1111" || got.Notes != "Calls on Fridays" {
				t.Errorf("kept contact %+v", got)
			}
			_, err := s.FindContact(ctx, dup.ID)
			wantErr(t, err, apperr.NotFound, "")
			if list, _, _ := s.FindContacts(ctx, directory.ContactFilter{Email: "ANNA.B@gmail.com"}); len(list) != 1 || list[0].ID != keep.ID {
				t.Errorf("the duplicate's address finds %v", list)
			}
			for _, c := range []struct {
				what, query string
				want        string
			}{
				{"requested tickets", `SELECT id FROM tickets WHERE requester_id = $1 ORDER BY id`, fmt.Sprint([]int64{dupTicket, keepTicket})},
				{"comments", `SELECT ticket_id FROM comments WHERE author_contact_id = $1`, fmt.Sprint([]int64{dupTicket})},
				{"history", `SELECT ticket_id FROM ticket_events WHERE actor_type = 'contact' AND actor_id = $1`, fmt.Sprint([]int64{dupTicket})},
				{"participations", `SELECT ticket_id FROM ticket_participants WHERE contact_id = $1 ORDER BY ticket_id`, fmt.Sprint([]int64{shared, copied})},
			} {
				if got := fmt.Sprint(ids(t, d, c.query, keep.ID)); got != c.want {
					t.Errorf("%s of the kept contact: %s, want %s", c.what, got, c.want)
				}
			}
			if n := ids(t, d, `SELECT ticket_id FROM ticket_participants WHERE contact_id = $1`, dup.ID); len(n) != 0 {
				t.Errorf("participations left on the duplicate: %v", n)
			}
		})
		t.Run("the kept contact keeps its own company, phone and notes", func(t *testing.T) {
			keep := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Ivan", Email: "ivan@other.lv",
				CompanyID: &other.ID, Phone: "+371 1", Notes: "mine"}))
			dup := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Ivan P", Email: "ivan@acme.lv",
				CompanyID: &acme.ID, Phone: "+371 2", Notes: "theirs"}))
			got := must[directory.Contact](t)(s.MergeContacts(ctx, keep.ID, dup.ID))
			if *got.CompanyID != other.ID || got.Phone != "+371 1" || got.Notes != "mine" {
				t.Errorf("kept contact %+v", got)
			}
		})
		t.Run("bad merges change nothing", func(t *testing.T) {
			keep := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Many", Emails: addresses("many", 12)}))
			dup := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "More", Emails: addresses("more", 10)}))
			for _, tc := range []struct {
				name      string
				keep, dup int64
				code      apperr.Code
				field     string
			}{
				{"into itself", keep.ID, keep.ID, apperr.Invalid, "duplicate"},
				{"a missing duplicate", keep.ID, 99999, apperr.NotFound, ""},
				{"into a missing contact", 99999, dup.ID, apperr.NotFound, ""},
				{"over the address limit", keep.ID, dup.ID, apperr.Invalid, "duplicate"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := s.MergeContacts(ctx, tc.keep, tc.dup)
					wantErr(t, err, tc.code, tc.field)
					if k := must[directory.Contact](t)(s.FindContact(ctx, keep.ID)); len(k.Emails) != 12 {
						t.Errorf("kept contact has %d addresses", len(k.Emails))
					}
					if d := must[directory.Contact](t)(s.FindContact(ctx, dup.ID)); len(d.Emails) != 10 {
						t.Errorf("duplicate has %d addresses", len(d.Emails))
					}
				})
			}
		})
	})
}

// ticketOf adds a ticket requested by the contact and returns its id.
func ticketOf(t *testing.T, d *db.DB, requesterID int64) int64 {
	t.Helper()
	var id int64
	err := d.W.QueryRowContext(ctx, `
		INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, created_at, updated_at)
		VALUES ($1, 'Printer on fire', 'new', 'normal', 'question', 'email', $2, $3, $3) RETURNING id`,
		5000+ticketNumber.Add(1), requesterID, db.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ids runs a query selecting one id column for arg.
func ids(t *testing.T, d *db.DB, query string, arg int64) []int64 {
	t.Helper()
	rows, err := d.R.QueryContext(ctx, query, arg)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func addresses(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d@example.lv", prefix, i)
	}
	return out
}
