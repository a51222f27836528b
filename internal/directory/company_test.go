package directory_test

import (
	"slices"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestCompanies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := directory.NewService(d)
		gold := must[directory.Plan](t)(s.CreatePlan(ctx, directory.PlanInput{Name: "Gold"}))
		c := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{
			Name: "  Рога и Копыта ", Domains: []string{"Roga.LV", "roga.lv", "kopyta.ru"}, PlanID: &gold.ID, Notes: "VIP"}))

		t.Run("create normalises and reads back", func(t *testing.T) {
			got := must[directory.Company](t)(s.FindCompany(ctx, c.ID))
			if got.Name != "Рога и Копыта" || !slices.Equal(got.Domains, []string{"kopyta.ru", "roga.lv"}) ||
				got.PlanID == nil || *got.PlanID != gold.ID || got.Notes != "VIP" {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("names are unique regardless of case, Cyrillic too", func(t *testing.T) {
			_, err := s.CreateCompany(ctx, directory.CompanyInput{Name: "РОГА И   КОПЫТА"})
			wantErr(t, err, apperr.Conflict, "name")
		})
		t.Run("a domain belongs to one company", func(t *testing.T) {
			_, err := s.CreateCompany(ctx, directory.CompanyInput{Name: "Other", Domains: []string{"ROGA.lv"}})
			wantErr(t, err, apperr.Conflict, "domains")
			if _, n, _ := s.FindCompanies(ctx, directory.CompanyFilter{Q: "other"}); n != 0 {
				t.Error("the refused company was stored")
			}
		})
		t.Run("bad input is refused", func(t *testing.T) {
			missing := int64(999)
			for _, tc := range []struct {
				in    directory.CompanyInput
				code  apperr.Code
				field string
			}{
				{directory.CompanyInput{Name: " "}, apperr.Invalid, "name"},
				{directory.CompanyInput{Name: "X", Domains: []string{"not a domain"}}, apperr.Invalid, "domains"},
				{directory.CompanyInput{Name: "X", Domains: []string{"gmail.com"}}, apperr.Invalid, "domains"},
				{directory.CompanyInput{Name: "X", PlanID: &missing}, apperr.Invalid, "plan_id"},
			} {
				_, err := s.CreateCompany(ctx, tc.in)
				wantErr(t, err, tc.code, tc.field)
			}
		})
		t.Run("update replaces domains and detaches the plan", func(t *testing.T) {
			got := must[directory.Company](t)(s.UpdateCompany(ctx, c.ID, directory.CompanyUpdate{
				Domains: &[]string{"roga.com"}, PlanID: directory.Ref{Set: true}}))
			if !slices.Equal(got.Domains, []string{"roga.com"}) || got.PlanID != nil || got.Name != "Рога и Копыта" {
				t.Errorf("got %+v", got)
			}
			// The released domain is free for another company now.
			must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Kopyta", Domains: []string{"kopyta.ru"}}))
		})
		t.Run("a failed update changes nothing", func(t *testing.T) {
			before := must[directory.Company](t)(s.FindCompany(ctx, c.ID))
			_, err := s.UpdateCompany(ctx, c.ID, directory.CompanyUpdate{Name: ptr("New name"), Domains: &[]string{"new.lv", "kopyta.ru"}})
			wantErr(t, err, apperr.Conflict, "domains")
			after := must[directory.Company](t)(s.FindCompany(ctx, c.ID))
			if after.Name != before.Name || !slices.Equal(after.Domains, before.Domains) || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("before %+v, after %+v", before, after)
			}
		})
		t.Run("unknown ids are not found", func(t *testing.T) {
			_, err := s.UpdateCompany(ctx, 999, directory.CompanyUpdate{Name: ptr("x")})
			wantErr(t, err, apperr.NotFound, "")
			wantErr(t, s.DeleteCompany(ctx, 999), apperr.NotFound, "")
		})
		t.Run("a company with contacts or tickets cannot be deleted", func(t *testing.T) {
			co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Busy"}))
			ct := must[directory.Contact](t)(s.CreateContact(ctx, directory.ContactInput{Name: "Ann", CompanyID: &co.ID}))
			wantErr(t, s.DeleteCompany(ctx, co.ID), apperr.Conflict, "")
			must[directory.Contact](t)(s.UpdateContact(ctx, ct.ID, directory.ContactUpdate{CompanyID: directory.Ref{Set: true}}))
			insertTicket(t, d, ct.ID, nil, &co.ID)
			wantErr(t, s.DeleteCompany(ctx, co.ID), apperr.Conflict, "")
		})
		t.Run("an unused company is deleted with its domains", func(t *testing.T) {
			co := must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Gone", Domains: []string{"gone.lv"}}))
			if err := s.DeleteCompany(ctx, co.ID); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindCompany(ctx, co.ID)
			wantErr(t, err, apperr.NotFound, "")
			must[directory.Company](t)(s.CreateCompany(ctx, directory.CompanyInput{Name: "Back", Domains: []string{"gone.lv"}}))
		})
		t.Run("list filters, orders by name and counts", func(t *testing.T) {
			list, total, err := s.FindCompanies(ctx, directory.CompanyFilter{Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || total != 4 || list[0].Name != "Back" || list[1].Name != "Busy" {
				t.Errorf("got %d of %d: %+v", len(list), total, list)
			}
			list, total, _ = s.FindCompanies(ctx, directory.CompanyFilter{Q: "копыта"})
			if total != 1 || list[0].ID != c.ID {
				t.Errorf("q=копыта found %d: %+v", total, list)
			}
			list, total, _ = s.FindCompanies(ctx, directory.CompanyFilter{Q: "%"})
			if total != 0 {
				t.Errorf("q=%% is a wildcard: found %+v", list)
			}
		})
	})
}
