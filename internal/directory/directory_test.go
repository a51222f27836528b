package directory_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var ctx = context.Background()

// wantErr fails unless err carries the code and field.
func wantErr(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || e.Field != field {
		t.Fatalf("error %v, want code %q field %q", err, code, field)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ptr[T any](v T) *T { return &v }

var ticketNumber atomic.Int64

// insertTicket adds a ticket row the way the ticket package would, so the
// directory's delete rules have something to refuse.
func insertTicket(t *testing.T, d *db.DB, requesterID int64, groupID, companyID *int64) {
	t.Helper()
	dbtest.Exec(t, d.W, `
		INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, group_id, company_id, created_at, updated_at)
		VALUES ($1, 'Printer on fire', 'new', 'normal', 'question', 'api', $2, $3, $4, $5, $5)`,
		5000+ticketNumber.Add(1), requesterID, groupID, companyID, db.Now())
}

func TestValidDomain(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Example.COM", "example.com", true},
		{" sub.example.lv. ", "sub.example.lv", true},
		{"xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai", true},
		{"my-firm.co.uk", "my-firm.co.uk", true},
		{"localhost", "", false},
		{"-bad.com", "", false},
		{"bad-.com", "", false},
		{"a..b", "", false},
		{"under_score.com", "", false},
		{"пример.рф", "", false},
		{"user@example.com", "", false},
		{"", "", false},
	} {
		got, err := directory.ValidDomain("domains", tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ValidDomain(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{" Anna@Example.COM ", "anna@example.com", true},
		{"anna@example", "", false},
		{"anna", "", false},
		{"Anna <anna@example.com>", "", false},
		{"", "", false},
	} {
		got, err := directory.ValidEmail("email", tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ValidEmail(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestResolveContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		acme := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Acme", Domains: []string{"acme.lv"}}))
		// Free-mail domains cannot be put on a company through the service;
		// a row written some other way must still never link anyone.
		for _, dom := range []string{"gmail.com", "mail.ru", "inbox.lv"} {
			dbtest.Exec(t, d.W, `INSERT INTO company_domains (domain, company_id) VALUES ($1, $2)`, dom, acme.ID)
		}

		t.Run("a new address on a company domain joins the company", func(t *testing.T) {
			c := must[directory.Contact](t)(s.ResolveContact(ctx, d.W, "Janis@ACME.lv", "Jānis Bērziņš"))
			if c.CompanyID == nil || *c.CompanyID != acme.ID || c.Email != "janis@acme.lv" || c.Name != "Jānis Bērziņš" {
				t.Errorf("got %+v, want janis@acme.lv in company %d", c, acme.ID)
			}
		})
		t.Run("free-mail addresses never join a company", func(t *testing.T) {
			for _, addr := range []string{"someone@gmail.com", "kto-to@mail.ru", "kads@inbox.lv"} {
				c := must[directory.Contact](t)(s.ResolveContact(ctx, d.W, addr, ""))
				if c.CompanyID != nil {
					t.Errorf("%s joined company %d", addr, *c.CompanyID)
				}
			}
		})
		t.Run("a known address resolves to its contact, whatever its position", func(t *testing.T) {
			c := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{
				Name: "Olga", Emails: []string{"olga@example.com", "olga.work@example.org"}}))
			got := must[directory.Contact](t)(s.ResolveContact(ctx, d.W, "OLGA.WORK@example.org", "Someone Else"))
			if got.ID != c.ID || got.Name != "Olga" {
				t.Errorf("got contact %d %q, want %d Olga", got.ID, got.Name, c.ID)
			}
		})
		t.Run("the local part names a contact without a name", func(t *testing.T) {
			c := must[directory.Contact](t)(s.ResolveContact(ctx, d.W, "helpdesk@unknown.example", ""))
			if c.Name != "helpdesk" || c.CompanyID != nil {
				t.Errorf("got %+v", c)
			}
		})
		t.Run("a bad address is refused", func(t *testing.T) {
			_, err := s.ResolveContact(ctx, d.W, "not-an-address", "")
			wantErr(t, err, apperr.Invalid, "requester.email")
		})
	})
}
