package api

import (
	"net/http"

	"linedesk/internal/ticket"
)

func (s *Server) fieldRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/custom-fields", s.handleFieldList)
	s.handle(mux, "POST /api/v1/custom-fields", s.handleFieldCreate)
	s.handle(mux, "GET /api/v1/custom-fields/{id}", s.handleFieldGet)
	s.handle(mux, "PATCH /api/v1/custom-fields/{id}", s.handleFieldUpdate)
	s.handle(mux, "DELETE /api/v1/custom-fields/{id}", s.handleFieldDeactivate)
}

func (s *Server) handleFieldList(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.Tickets.FindFields(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.Field]{Items: fs, Total: len(fs)})
	return nil
}

func (s *Server) handleFieldCreate(w http.ResponseWriter, r *http.Request) error {
	var in ticket.FieldInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := s.Tickets.CreateField(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (s *Server) handleFieldGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.Tickets.FindField(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) handleFieldUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ticket.FieldUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := s.Tickets.UpdateField(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// handleFieldDeactivate retires a field: tickets keep their values, new
// values are refused. Definitions are never deleted.
func (s *Server) handleFieldDeactivate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	off := false
	if _, err := s.Tickets.UpdateField(r.Context(), principal(r), id, ticket.FieldUpdate{Active: &off}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
