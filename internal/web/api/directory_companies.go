package api

import (
	"net/http"

	"linedesk/internal/directory"
)

// Any agent may create and change companies (the first line registers
// callers); deleting one needs a supervisor or an administrator.
func (s *Server) companyRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/companies", s.handleCompanyList)
	s.handle(mux, "POST /api/v1/companies", s.handleCompanyCreate)
	s.handle(mux, "GET /api/v1/companies/{id}", getByID(s.Directory.FindCompany))
	s.handle(mux, "PATCH /api/v1/companies/{id}", s.handleCompanyUpdate)
	s.handle(mux, "DELETE /api/v1/companies/{id}", deleteByID(requireSupervisor, s.Directory.DeleteCompany))
}

func (s *Server) handleCompanyList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	planID, err := queryID(r, "plan_id")
	if err != nil {
		return err
	}
	items, total, err := s.Directory.FindCompanies(r.Context(), directory.CompanyFilter{
		Q: r.URL.Query().Get("q"), PlanID: planID, Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleCompanyCreate(w http.ResponseWriter, r *http.Request) error {
	var in directory.CompanyInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Directory.CreateCompany(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

type companyPatch struct {
	Name    Optional[string]   `json:"name"`
	Domains Optional[[]string] `json:"domains"`
	PlanID  Optional[int64]    `json:"plan_id"`
	Notes   Optional[string]   `json:"notes"`
}

func (s *Server) handleCompanyUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in companyPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := directory.CompanyUpdate{
		Name:    notNull(&err, "name", in.Name),
		Domains: notNull(&err, "domains", in.Domains),
		PlanID:  refOf(in.PlanID),
		Notes:   notNull(&err, "notes", in.Notes),
	}
	if err != nil {
		return err
	}
	c, err := s.Directory.UpdateCompany(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
