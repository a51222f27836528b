package directory_test

import (
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Acme"}))
		c := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{
			Name: "Ivan Petrov", Email: "Ivan@Acme.lv", Emails: []string{"ivan.p@gmail.com", "ivan@acme.lv"},
			Phone: "+371 2000 0000", CompanyID: &co.ID, Language: "ru"}))

		t.Run("create puts email first and drops repeats", func(t *testing.T) {
			if c.Email != "ivan@acme.lv" || !slices.Equal(c.Emails, []string{"ivan@acme.lv", "ivan.p@gmail.com"}) ||
				c.Language != "ru" || c.CompanyID == nil || *c.CompanyID != co.ID {
				t.Errorf("got %+v", c)
			}
		})
		t.Run("an address belongs to one contact", func(t *testing.T) {
			_, err := s.CreateContact(ctx, directory.ContactInput{Name: "Impostor", Emails: []string{"IVAN.P@gmail.com"}})
			wantErr(t, err, apperr.Conflict, "emails")
			if _, n, _ := s.FindContacts(ctx, directory.ContactFilter{Q: "impostor"}); n != 0 {
				t.Error("the refused contact was stored")
			}
		})
		t.Run("bad input is refused", func(t *testing.T) {
			missing := int64(999)
			for _, tc := range []struct {
				in    directory.ContactInput
				field string
			}{
				{directory.ContactInput{}, "name"},
				{directory.ContactInput{Name: "X", Email: "nope"}, "email"},
				{directory.ContactInput{Name: "X", Emails: []string{"a@b.lv", "nope"}}, "emails"},
				{directory.ContactInput{Name: "X", Language: "de"}, "language"},
				{directory.ContactInput{Name: "X", Phone: "call me"}, "phone"},
				{directory.ContactInput{Name: "X", CompanyID: &missing}, "company_id"},
				{directory.ContactInput{Name: "X", Blocked: true}, "blocked_reason"},
			} {
				_, err := s.CreateContact(ctx, tc.in)
				wantErr(t, err, apperr.Invalid, tc.field)
			}
		})
		t.Run("emails replace the list; email picks the primary", func(t *testing.T) {
			got := must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{
				Emails: &[]string{"ivan@acme.lv", "ivan@home.lv"}}))
			if !slices.Equal(got.Emails, []string{"ivan@acme.lv", "ivan@home.lv"}) {
				t.Errorf("emails %v", got.Emails)
			}
			got = must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{Email: ptr("ivan@home.lv")}))
			if got.Email != "ivan@home.lv" || !slices.Equal(got.Emails, []string{"ivan@home.lv", "ivan@acme.lv"}) {
				t.Errorf("emails %v", got.Emails)
			}
			// The dropped address is free again.
			must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Other Ivan", Email: "ivan.p@gmail.com"}))
		})
		t.Run("blocking needs a reason; unblocking clears it", func(t *testing.T) {
			_, err := s.UpdateContact(ctx, c.ID, directory.ContactUpdate{Blocked: ptr(true)})
			wantErr(t, err, apperr.Invalid, "blocked_reason")
			got := must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{Blocked: ptr(true), BlockedReason: ptr("spam")}))
			if !got.Blocked || got.BlockedReason != "spam" {
				t.Errorf("got %+v", got)
			}
			got = must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{Blocked: ptr(false)}))
			if got.Blocked || got.BlockedReason != "" {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("company_id can be detached", func(t *testing.T) {
			got := must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{CompanyID: directory.Ref{Set: true}}))
			if got.CompanyID != nil {
				t.Errorf("company %v", *got.CompanyID)
			}
			got = must[directory.Contact](t)(s.UpdateContact(ctx, c.ID, directory.ContactUpdate{CompanyID: directory.Ref{Set: true, ID: &co.ID}}))
			if got.CompanyID == nil || *got.CompanyID != co.ID {
				t.Error("company not set again")
			}
		})
		t.Run("search by name, address and phone; exact e-mail; company", func(t *testing.T) {
			for _, tc := range []struct {
				f    directory.ContactFilter
				want []string
			}{
				{directory.ContactFilter{Q: "IVAN"}, []string{"Ivan Petrov", "Other Ivan"}},
				{directory.ContactFilter{Q: "home.LV"}, []string{"Ivan Petrov"}},
				{directory.ContactFilter{Q: "2000 0"}, []string{"Ivan Petrov"}},
				{directory.ContactFilter{Email: "IVAN.P@gmail.com"}, []string{"Other Ivan"}},
				{directory.ContactFilter{Email: "ivan.p"}, nil},
				{directory.ContactFilter{CompanyID: &co.ID}, []string{"Ivan Petrov"}},
				{directory.ContactFilter{Q: "_"}, nil},
			} {
				list, total, err := s.FindContacts(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, c := range list {
					names = append(names, c.Name)
				}
				if !slices.Equal(names, tc.want) || total != len(tc.want) {
					t.Errorf("%+v: got %v (total %d), want %v", tc.f, names, total, tc.want)
				}
			}
		})
		t.Run("a contact with tickets cannot be deleted", func(t *testing.T) {
			insertTicket(t, d, c.ID, nil, nil)
			wantErr(t, s.DeleteContact(ctx, c.ID), apperr.Conflict, "")
			must[directory.Contact](t)(s.FindContact(ctx, c.ID))
		})
		t.Run("a contact without tickets is deleted with its addresses", func(t *testing.T) {
			x := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Temp", Email: "temp@x.lv"}))
			if err := s.DeleteContact(ctx, x.ID); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindContact(ctx, x.ID)
			wantErr(t, err, apperr.NotFound, "")
			wantErr(t, s.DeleteContact(ctx, x.ID), apperr.NotFound, "")
			must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Temp again", Email: "temp@x.lv"}))
		})
	})
}
