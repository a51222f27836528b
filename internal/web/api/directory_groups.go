package api

import (
	"net/http"

	"linedesk/internal/directory"
)

func (s *Server) groupRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/groups", s.handleGroupList)
	s.handle(mux, "POST /api/v1/groups", s.handleGroupCreate)
	s.handle(mux, "GET /api/v1/groups/{id}", getByID(s.Directory.FindGroup))
	s.handle(mux, "PATCH /api/v1/groups/{id}", s.handleGroupUpdate)
	s.handle(mux, "DELETE /api/v1/groups/{id}", deleteByID(requireAdmin, s.Directory.DeleteGroup))
}

func (s *Server) handleGroupList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{
		Q: r.URL.Query().Get("q"), Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleGroupCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in directory.GroupInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.Directory.CreateGroup(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

type groupPatch struct {
	Name        Optional[string] `json:"name"`
	Description Optional[string] `json:"description"`
}

func (s *Server) handleGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in groupPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := directory.GroupUpdate{
		Name:        notNull(&err, "name", in.Name),
		Description: notNull(&err, "description", in.Description),
	}
	if err != nil {
		return err
	}
	p, err := s.Directory.UpdateGroup(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
