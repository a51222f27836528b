package api

import (
	"net/http"

	"linedesk/internal/directory"
)

func (s *Server) planRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/plans", s.handlePlanList)
	s.handle(mux, "POST /api/v1/plans", s.handlePlanCreate)
	s.handle(mux, "GET /api/v1/plans/{id}", getByID(s.Directory.FindPlan))
	s.handle(mux, "PATCH /api/v1/plans/{id}", s.handlePlanUpdate)
	s.handle(mux, "DELETE /api/v1/plans/{id}", deleteByID(requireAdmin, s.Directory.DeletePlan))
}

func (s *Server) handlePlanList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.Directory.FindPlans(r.Context(), directory.PlanFilter{
		Q: r.URL.Query().Get("q"), Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handlePlanCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in directory.PlanInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Directory.CreatePlan(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

type planPatch struct {
	Name        Optional[string] `json:"name"`
	Description Optional[string] `json:"description"`
}

func (s *Server) handlePlanUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in planPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := directory.PlanUpdate{
		Name:        notNull(&err, "name", in.Name),
		Description: notNull(&err, "description", in.Description),
	}
	if err != nil {
		return err
	}
	p, err := s.Directory.UpdatePlan(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
