package directory_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

// hookLog is a hook that keeps what it hears.
type hookLog struct{ got []directory.Change }

func (h *hookLog) DirectoryChanged(_ context.Context, _ db.Queryer, c directory.Change) error {
	h.got = append(h.got, c)
	return nil
}

func TestHooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		h := &hookLog{}
		s.AddHook(h)
		co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Initech"}))
		must[directory.Company](t)(s.UpdateCompany(ctx, co.ID, directory.CompanyUpdate{Notes: ptr("key account")}))
		keep := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Peter", Email: "peter@initech.example"}))
		dup := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "P.", Email: "p@home.example"}))
		must[directory.Contact](t)(s.UpdateContact(ctx, keep.ID, directory.ContactUpdate{Phone: ptr("+371 2912 3456")}))
		must[directory.Contact](t)(s.MergeContacts(ctx, keep.ID, dup.ID))
		var resolved directory.Contact
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			resolved, err = s.ResolveContact(ctx, tx, "new@client.example", "")
			if err != nil {
				return err
			}
			_, err = s.ResolveContact(ctx, tx, "peter@initech.example", "") // exists: no change
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteContact(ctx, resolved.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCompany(ctx, co.ID); err != nil {
			t.Fatal(err)
		}
		want := []directory.Change{
			{Kind: directory.ChangeCompany, ID: co.ID}, {Kind: directory.ChangeCompany, ID: co.ID},
			{Kind: directory.ChangeContact, ID: keep.ID}, {Kind: directory.ChangeContact, ID: dup.ID},
			{Kind: directory.ChangeContact, ID: keep.ID},
			{Kind: directory.ChangeContact, ID: keep.ID},
			{Kind: directory.ChangeContact, ID: dup.ID, Deleted: true, MergedInto: keep.ID},
			{Kind: directory.ChangeContact, ID: resolved.ID},
			{Kind: directory.ChangeContact, ID: resolved.ID, Deleted: true},
			{Kind: directory.ChangeCompany, ID: co.ID, Deleted: true},
		}
		if !slices.Equal(h.got, want) {
			t.Errorf("hooks heard\n %+v\nwant\n %+v", h.got, want)
		}
	})
}

func TestHookErrorUndoesTheChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Initech"}))
		s.AddHook(directory.HookFunc(func(context.Context, db.Queryer, directory.Change) error {
			return errors.New("index unavailable")
		}))
		if _, err := s.CreateCompany(ctx, directory.CompanyInput{Name: "Globex"}); err == nil {
			t.Error("created a company despite the hook's error")
		}
		if _, err := s.UpdateCompany(ctx, co.ID, directory.CompanyUpdate{Name: ptr("Initrode")}); err == nil {
			t.Error("renamed a company despite the hook's error")
		}
		if _, err := s.CreateContact(ctx, directory.ContactInput{Name: "Lost", Email: "lost@x.example"}); err == nil {
			t.Error("created a contact despite the hook's error")
		}
		var companies, contacts int
		d.R.QueryRow(`SELECT count(*) FROM companies`).Scan(&companies)
		d.R.QueryRow(`SELECT count(*) FROM contacts`).Scan(&contacts)
		got := must[directory.Company](t)(s.FindCompany(ctx, co.ID))
		if companies != 1 || contacts != 0 || got.Name != "Initech" {
			t.Errorf("%d companies, %d contacts, name %q after refused changes", companies, contacts, got.Name)
		}
	})
}
