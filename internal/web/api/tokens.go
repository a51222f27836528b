package api

import (
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
)

func (s *Server) tokenRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/tokens", s.handleTokenList)
	s.handle(mux, "POST /api/v1/tokens", s.handleTokenCreate)
	s.handle(mux, "DELETE /api/v1/tokens/{id}", s.handleTokenRevoke)
}

// tokenOwner is whose tokens a request manages: the caller's own, or with
// ?agent_id= any agent's when the caller is an administrator.
func tokenOwner(r *http.Request) (int64, error) {
	p := principal(r)
	id, err := queryID(r, "agent_id")
	if err != nil || id == nil || *id == p.AgentID {
		return p.AgentID, err
	}
	if !p.IsAdmin() {
		return 0, apperr.Errorf(apperr.Forbidden, "only an administrator may manage another agent's tokens")
	}
	return *id, nil
}

func (s *Server) handleTokenList(w http.ResponseWriter, r *http.Request) error {
	owner, err := tokenOwner(r)
	if err != nil {
		return err
	}
	tokens, err := s.Auth.ListTokens(r.Context(), owner)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[auth.Token]{Items: tokens, Total: len(tokens)})
	return nil
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	owner, err := tokenOwner(r)
	if err != nil {
		return err
	}
	secret, t, err := s.Auth.CreateToken(r.Context(), owner, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		Token string     `json:"token"`
		Info  auth.Token `json:"info"`
	}{secret, t})
	return nil
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	owner, err := tokenOwner(r)
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), owner, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
