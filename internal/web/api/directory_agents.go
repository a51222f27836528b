package api

import (
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
)

// Administrators manage agents; an agent may change their own name,
// language, time zone and password. DELETE deactivates: agents are never deleted.
func (s *Server) agentRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/agents", s.handleAgentList)
	s.handle(mux, "POST /api/v1/agents", s.handleAgentCreate)
	s.handle(mux, "GET /api/v1/agents/{id}", getByID(s.Directory.FindAgent))
	s.handle(mux, "PATCH /api/v1/agents/{id}", s.handleAgentUpdate)
	s.handle(mux, "DELETE /api/v1/agents/{id}", deleteByID(requireAdmin, s.Directory.DeactivateAgent))
}

func (s *Server) handleAgentList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	groupID, err := queryID(r, "group_id")
	if err != nil {
		return err
	}
	active, err := queryBool(r, "active")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, total, err := s.Directory.FindAgents(r.Context(), directory.AgentFilter{
		Q: q.Get("q"), Role: auth.Role(q.Get("role")), GroupID: groupID, Active: active,
		Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleAgentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in directory.AgentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.Directory.CreateAgent(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

type agentPatch struct {
	Name     Optional[string]    `json:"name"`
	Email    Optional[string]    `json:"email"`
	Password Optional[string]    `json:"password"`
	Role     Optional[auth.Role] `json:"role"`
	Line     Optional[int]       `json:"line"`
	Language Optional[string]    `json:"language"`
	TimeZone Optional[string]    `json:"time_zone"`
	GroupIDs Optional[[]int64]   `json:"group_ids"`
	Active   Optional[bool]      `json:"active"`
}

func (s *Server) handleAgentUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if !p.IsAdmin() && id != p.AgentID {
		return apperr.Errorf(apperr.Forbidden, "only an administrator may change another agent")
	}
	var in agentPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := directory.AgentUpdate{
		Name: notNull(&err, "name", in.Name), Email: notNull(&err, "email", in.Email),
		Password: notNull(&err, "password", in.Password), Role: notNull(&err, "role", in.Role),
		Line: notNull(&err, "line", in.Line), Language: notNull(&err, "language", in.Language),
		TimeZone: notNull(&err, "time_zone", in.TimeZone),
		GroupIDs: notNull(&err, "group_ids", in.GroupIDs), Active: notNull(&err, "active", in.Active),
	}
	if err != nil {
		return err
	}
	if fields := u.AdminFields(); !p.IsAdmin() && len(fields) > 0 {
		return &apperr.Error{Code: apperr.Forbidden, Field: fields[0],
			Message: "only an administrator may change " + fields[0] + "; you may change your name, language, time zone and password"}
	}
	a, err := s.Directory.UpdateAgent(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
