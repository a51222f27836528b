package api

import (
	"net/http"
	"strconv"

	"linedesk/internal/apperr"
)

// slaRoutes serve support lines and a ticket's deadlines and time at
// each line.
func (s *Server) slaRoutes(mux *http.ServeMux) {
	s.calendarRoutes(mux)
	s.handle(mux, "GET /api/v1/lines", s.handleLineList)
	s.handle(mux, "PUT /api/v1/lines/{line}", s.handleLinePut)
	s.handle(mux, "GET /api/v1/tickets/{id}/sla", s.handleTicketSLA)
	s.handle(mux, "GET /api/v1/tickets/{id}/lines", s.handleTicketLines)
}

func (s *Server) handleLineList(w http.ResponseWriter, r *http.Request) error {
	lines, err := s.SLA.Lines(r.Context())
	return writeList(w, lines, len(lines), err)
}

// handleLinePut sets the groups of a line, in the order escalation picks
// them.
func (s *Server) handleLinePut(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	line, err := strconv.Atoi(r.PathValue("line"))
	if err != nil || line < 1 || line > 4 {
		return apperr.NotFoundf("no line %q: lines are 1 to 4", r.PathValue("line"))
	}
	var in struct {
		GroupIDs []int64 `json:"group_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := s.SLA.SetLineGroups(r.Context(), line, in.GroupIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) handleTicketSLA(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.SLA.Status(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleTicketLines(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lt, err := s.SLA.LineTimes(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lt)
	return nil
}

// lineGroup is the group a ticket escalated to line lands in when the
// request names none: the line's first group, unless the ticket's group
// already works at the line.
func (s *Server) lineGroup(r *http.Request, ticketID int64, line int) (*int64, error) {
	t, err := s.Tickets.FindTicket(r.Context(), principal(r), ticketID)
	if err != nil {
		return nil, err
	}
	return s.SLA.LineGroup(r.Context(), line, t.GroupID)
}
