package agent

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
)

func (s *Server) agentRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/agents", s.handleAgents},
		{"GET /admin/agents/new", s.handleAgentNew},
		{"POST /admin/agents", s.handleAgentInvite},
		{"GET /admin/agents/{id}", s.handleAgent},
		{"POST /admin/agents/{id}", s.handleAgentSave},
		{"POST /admin/agents/{id}/deactivate", s.handleAgentActive(false)},
		{"POST /admin/agents/{id}/reactivate", s.handleAgentActive(true)},
	}
}

// roles are the roles an agent may have, in the order a form offers them.
var roles = []auth.Role{auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin}

type agentsPage struct {
	adminPage
	Agents     []directory.Agent
	GroupNames map[int64]string
	Q          string
	Pager      pager
}

func (s *Server) handleAgents(w http.ResponseWriter, r *http.Request) error {
	data := agentsPage{adminPage: s.adminBase(r, "agents"), Q: r.URL.Query().Get("q")}
	list, total, err := s.Directory.FindAgents(r.Context(), directory.AgentFilter{Q: data.Q,
		Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Agents, data.Pager = list, newPager(r, total)
	if data.GroupNames, err = s.groupNames(r.Context()); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_agents", data)
	return nil
}

func (s *Server) groupNames(ctx context.Context) (map[int64]string, error) {
	groups, _, err := s.Directory.FindGroups(ctx, directory.GroupFilter{Limit: 500})
	out := make(map[int64]string, len(groups))
	for _, g := range groups {
		out[g.ID] = g.Name
	}
	return out, err
}

// agentPage invites a new agent or edits one.
type agentPage struct {
	adminPage
	A      directory.Agent // the form's values
	Groups []directory.Group
	Roles  []auth.Role
}

func (s *Server) showAgent(w http.ResponseWriter, r *http.Request, a directory.Agent, msg string, status int) error {
	groups, _, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
	if err != nil {
		return err
	}
	data := agentPage{adminPage: s.adminBase(r, "agents"), A: a, Groups: groups, Roles: roles}
	data.Error = msg
	s.render(w, r, status, "admin_agent", data)
	return nil
}

func (s *Server) handleAgentNew(w http.ResponseWriter, r *http.Request) error {
	return s.showAgent(w, r, directory.Agent{Role: auth.RoleAgent, Line: 1, Language: viewer(r).Agent.Language}, "", http.StatusOK)
}

func (s *Server) handleAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "agent")
	if err != nil {
		return err
	}
	a, err := s.Directory.FindAgent(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showAgent(w, r, a, "", http.StatusOK)
}

// agentFromForm reads the agent form; the agent keeps what the form does
// not hold.
func agentFromForm(r *http.Request, a directory.Agent) (directory.Agent, error) {
	a.Name, a.Email = r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("email"))
	a.Role, a.Language = auth.Role(r.PostFormValue("role")), r.PostFormValue("language")
	var err, gerr error
	a.Line, err = formInt(r, "line")
	a.GroupIDs, gerr = formIDs(r, "group_ids")
	if err == nil {
		err = gerr
	}
	return a, err
}

// invitedPage shows an invited agent's one-time password, once: it is
// the answer to the invitation and stored nowhere in clear.
type invitedPage struct {
	adminPage
	A        directory.Agent
	Password string
}

func (s *Server) handleAgentInvite(w http.ResponseWriter, r *http.Request) error {
	a, err := agentFromForm(r, directory.Agent{})
	failed := func(msg string, status int) error { return s.showAgent(w, r, a, msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	password := auth.RandomPassword()
	created, err := s.Directory.CreateAgent(r.Context(), directory.AgentInput{Name: a.Name, Email: a.Email,
		Password: password, Role: a.Role, Line: a.Line, Language: a.Language, GroupIDs: a.GroupIDs,
		MustChangePassword: true})
	if err != nil {
		return formFailed(r, err, failed)
	}
	s.Log.InfoContext(r.Context(), "agent invited", "agent", created.ID, "by", viewer(r).P.AgentID)
	s.render(w, r, http.StatusOK, "admin_invited", invitedPage{adminPage: s.adminBase(r, "agents"), A: created, Password: password})
	return nil
}

func (s *Server) handleAgentSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "agent")
	if err != nil {
		return err
	}
	cur, err := s.Directory.FindAgent(r.Context(), id)
	if err != nil {
		return err
	}
	a, err := agentFromForm(r, cur)
	failed := func(msg string, status int) error { return s.showAgent(w, r, a, msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.Directory.UpdateAgent(r.Context(), id, directory.AgentUpdate{Name: &a.Name, Email: &a.Email,
		Role: &a.Role, Line: &a.Line, Language: &a.Language, GroupIDs: &a.GroupIDs})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/agents/%d?ok=saved", id))
	return nil
}

// handleAgentActive deactivates or reactivates an agent. A deactivated
// agent's sessions end at their next request.
func (s *Server) handleAgentActive(active bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "agent")
		if err != nil {
			return err
		}
		a, err := s.Directory.FindAgent(r.Context(), id)
		if err != nil {
			return err
		}
		if active {
			_, err = s.Directory.UpdateAgent(r.Context(), id, directory.AgentUpdate{Active: &active})
		} else {
			err = s.Directory.DeactivateAgent(r.Context(), id)
		}
		if err != nil {
			return formFailed(r, err, func(msg string, status int) error { return s.showAgent(w, r, a, msg, status) })
		}
		done := "deactivated"
		if active {
			done = "reactivated"
		}
		redirect(w, r, fmt.Sprintf("/admin/agents/%d?ok=%s", id, done))
		return nil
	}
}
