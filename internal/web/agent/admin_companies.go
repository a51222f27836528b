package agent

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"linedesk/internal/directory"
)

func (s *Server) companyRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/companies", s.handleCompanies},
		{"GET /admin/companies/new", s.handleCompanyNew},
		{"POST /admin/companies", s.handleCompanyCreate},
		{"GET /admin/companies/{id}", s.handleCompany},
		{"POST /admin/companies/{id}", s.handleCompanySave},
		{"POST /admin/companies/{id}/delete", s.handleCompanyDelete},
	}
}

type companiesPage struct {
	adminPage
	Companies []directory.Company
	PlanNames map[int64]string
	Q         string
	Pager     pager
}

func (s *Server) handleCompanies(w http.ResponseWriter, r *http.Request) error {
	data := companiesPage{adminPage: s.adminBase(r, "companies"), Q: r.URL.Query().Get("q")}
	list, total, err := s.Directory.FindCompanies(r.Context(), directory.CompanyFilter{Q: data.Q,
		Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Companies, data.Pager = list, newPager(r, total)
	plans, err := s.plans(r.Context())
	if err != nil {
		return err
	}
	data.PlanNames = map[int64]string{}
	for _, p := range plans {
		data.PlanNames[p.ID] = p.Name
	}
	s.render(w, r, http.StatusOK, "admin_companies", data)
	return nil
}

func (s *Server) plans(ctx context.Context) ([]directory.Plan, error) {
	list, _, err := s.Directory.FindPlans(ctx, directory.PlanFilter{Limit: 500})
	return list, err
}

// companyPage adds a company or edits one (C.ID set).
type companyPage struct {
	adminPage
	C       directory.Company // the form's values
	Domains string            // as typed, one per line
	Plans   []directory.Plan
}

func (s *Server) showCompany(w http.ResponseWriter, r *http.Request, c directory.Company, domains, msg string, status int) error {
	plans, err := s.plans(r.Context())
	if err != nil {
		return err
	}
	data := companyPage{adminPage: s.adminBase(r, "companies"), C: c, Domains: domains, Plans: plans}
	data.Error = msg
	s.render(w, r, status, "admin_company", data)
	return nil
}

func (s *Server) handleCompanyNew(w http.ResponseWriter, r *http.Request) error {
	return s.showCompany(w, r, directory.Company{}, "", "", http.StatusOK)
}

func (s *Server) handleCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "company")
	if err != nil {
		return err
	}
	c, err := s.Directory.FindCompany(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showCompany(w, r, c, strings.Join(c.Domains, "\n"), "", http.StatusOK)
}

// companyFromForm reads the company form over c.
func companyFromForm(r *http.Request, c directory.Company) (directory.Company, error) {
	c.Name, c.Notes, c.Domains = r.PostFormValue("name"), r.PostFormValue("notes"), formList(r, "domains")
	var err error
	c.PlanID, err = formID(r, "plan_id")
	return c, err
}

func (s *Server) handleCompanyCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := companyFromForm(r, directory.Company{})
	failed := func(msg string, status int) error {
		return s.showCompany(w, r, c, r.PostFormValue("domains"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	created, err := s.Directory.CreateCompany(r.Context(), directory.CompanyInput{Name: c.Name, Domains: c.Domains,
		PlanID: c.PlanID, Notes: c.Notes})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/companies/%d?ok=created", created.ID))
	return nil
}

func (s *Server) handleCompanySave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "company")
	if err != nil {
		return err
	}
	c, err := companyFromForm(r, directory.Company{ID: id})
	failed := func(msg string, status int) error {
		return s.showCompany(w, r, c, r.PostFormValue("domains"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.Directory.UpdateCompany(r.Context(), id, directory.CompanyUpdate{Name: &c.Name, Domains: &c.Domains,
		PlanID: directory.Ref{Set: true, ID: c.PlanID}, Notes: &c.Notes})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/companies/%d?ok=saved", id))
	return nil
}

// handleCompanyDelete deletes a company without contacts or tickets; one
// with them stays, and its page says why.
func (s *Server) handleCompanyDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "company")
	if err != nil {
		return err
	}
	if err := s.Directory.DeleteCompany(r.Context(), id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			c, err := s.Directory.FindCompany(r.Context(), id)
			if err != nil {
				return err
			}
			return s.showCompany(w, r, c, strings.Join(c.Domains, "\n"), msg, status)
		})
	}
	redirect(w, r, "/admin/companies?ok=deleted")
	return nil
}
