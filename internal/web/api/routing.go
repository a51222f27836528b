package api

import (
	"net/http"
	"strconv"

	"linedesk/internal/assign"
	"linedesk/internal/routing"
)

// routingRoutes serve the routing and automation rules (administrators
// change them; any agent reads them and tries the dry run) and
// assignment: groups' modes, agents' shifts and limits, being away.
func (s *Server) routingRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/routing-rules", s.handleRuleList)
	s.handle(mux, "POST /api/v1/routing-rules", call(http.StatusCreated, func(r *http.Request, in routing.Input) (routing.Rule, error) {
		if err := requireAdmin(r); err != nil {
			return routing.Rule{}, err
		}
		return s.Routing.CreateRule(r.Context(), in)
	}))
	s.handle(mux, "GET /api/v1/routing-rules/{id}", s.handleRule)
	s.handle(mux, "PUT /api/v1/routing-rules/{id}", callID(func(r *http.Request, id int64, in ruleInput) (routing.Rule, error) {
		if err := requireAdmin(r); err != nil {
			return routing.Rule{}, err
		}
		return s.Routing.UpdateRule(r.Context(), id, in.Version, in.Input)
	}))
	s.handle(mux, "DELETE /api/v1/routing-rules/{id}", deleteByID(requireAdmin, s.Routing.DeleteRule))
	s.handle(mux, "POST /api/v1/routing-rules/{id}/move", callID(func(r *http.Request, id int64, in moveInput) (list, error) {
		if err := requireAdmin(r); err != nil {
			return list{}, err
		}
		rules, err := s.Routing.MoveRule(r.Context(), id, in.By, in.Position)
		return list{Items: rules, Total: len(rules)}, err
	}))
	s.handle(mux, "POST /api/v1/routing-rules/dry-run", call(http.StatusOK, func(r *http.Request, in routing.DryRun) (routing.DryResult, error) {
		if in.TicketID != 0 {
			if err := s.Tickets.CanViewTicket(r.Context(), principal(r), in.TicketID); err != nil {
				return routing.DryResult{}, err
			}
		}
		return s.Routing.Try(r.Context(), in)
	}))
	s.assignRoutes(mux)
}

type ruleInput struct {
	Version int64 `json:"version"`
	routing.Input
}

type moveInput struct {
	By       int `json:"by"`       // -1 up, +1 down
	Position int `json:"position"` // or a place, from 1
}

type list struct {
	Items any `json:"items"`
	Total int `json:"total"`
}

func (s *Server) handleRuleList(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Routing.Rules(r.Context())
	return writeList(w, rules, len(rules), err)
}

func (s *Server) handleRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.Routing.FindRule(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) assignRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/groups/{id}/assignment", s.handleGroupAssignment)
	s.handle(mux, "PUT /api/v1/groups/{id}/assignment", callID(func(r *http.Request, id int64, in assign.Group) (assign.Group, error) {
		if err := requireAdmin(r); err != nil {
			return assign.Group{}, err
		}
		in.GroupID = id
		return s.Assign.SetGroup(r.Context(), in)
	}))
	s.handle(mux, "GET /api/v1/agents/{id}/availability", s.handleAvailability)
	s.handle(mux, "PUT /api/v1/agents/{id}/shifts", callID(func(r *http.Request, id int64, in shiftInput) (assign.Agent, error) {
		if err := requireAdmin(r); err != nil {
			return assign.Agent{}, err
		}
		sh := assign.Shift{TimeZone: in.TimeZone, Always: in.Always}
		for i, w := range in.Windows {
			win, err := assign.ParseWindow(i, strconv.Itoa(w.Weekday), w.From, w.To)
			if err != nil {
				return assign.Agent{}, err
			}
			sh.Windows = append(sh.Windows, win)
		}
		return s.Assign.SetShift(r.Context(), id, sh)
	}))
	s.handle(mux, "PUT /api/v1/agents/{id}/limit", callID(func(r *http.Request, id int64, in limitInput) (assign.Agent, error) {
		if err := requireAdmin(r); err != nil {
			return assign.Agent{}, err
		}
		return s.Assign.SetLimit(r.Context(), id, in.MaxOpen)
	}))
	s.handle(mux, "PUT /api/v1/me/away", call(http.StatusOK, func(r *http.Request, in awayInput) (assign.Agent, error) {
		return s.Assign.SetAway(r.Context(), principal(r).AgentID, in.Away)
	}))
}

// shiftInput takes times as text, so that "25:00" is refused naming
// its window.
type shiftInput struct {
	TimeZone string `json:"time_zone"`
	Always   bool   `json:"always"`
	Windows  []struct {
		Weekday int    `json:"weekday"`
		From    string `json:"from"`
		To      string `json:"to"`
	} `json:"windows"`
}

type limitInput struct {
	MaxOpen *int `json:"max_open"`
}

type awayInput struct {
	Away bool `json:"away"`
}

func (s *Server) handleGroupAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := s.Assign.FindGroup(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) handleAvailability(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Assign.FindAgent(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
