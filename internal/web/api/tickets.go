package api

import (
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/ticket"
)

func (s *Server) ticketRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/tickets", s.handleTicketList)
	s.handle(mux, "POST /api/v1/tickets", s.handleTicketCreate)
	s.handle(mux, "GET /api/v1/tickets/{id}", s.handleTicketGet)
	s.handle(mux, "PATCH /api/v1/tickets/{id}", s.handleTicketUpdate)
	s.handle(mux, "POST /api/v1/tickets/{id}/escalate", s.handleTicketEscalate)
	s.handle(mux, "GET /api/v1/tickets/{id}/events", s.handleTicketEvents)
	s.commentRoutes(mux)
	s.fieldRoutes(mux)
	s.ticketOpsRoutes(mux)
}

type ticketIn struct {
	Subject     string `json:"subject"`
	Description string `json:"description"`
	Requester   *struct {
		ID    *int64 `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"requester"`
	Status       ticket.Status   `json:"status"`
	Priority     ticket.Priority `json:"priority"`
	Type         ticket.Type     `json:"type"`
	Channel      ticket.Channel  `json:"channel"`
	Line         int             `json:"line"`
	GroupID      *int64          `json:"group_id"`
	AssigneeID   *int64          `json:"assignee_id"`
	CompanyID    *int64          `json:"company_id"`
	ParentID     *int64          `json:"parent_id"`
	Tags         []string        `json:"tags"`
	CustomFields map[string]any  `json:"custom_fields"`
}

func (s *Server) handleTicketCreate(w http.ResponseWriter, r *http.Request) error {
	var in ticketIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nt := ticket.NewTicket{Subject: in.Subject, Description: in.Description, Status: in.Status, Priority: in.Priority,
		Type: in.Type, Channel: in.Channel, Line: in.Line, GroupID: in.GroupID, AssigneeID: in.AssigneeID,
		CompanyID: in.CompanyID, ParentID: in.ParentID, Tags: in.Tags, CustomFields: in.CustomFields}
	if in.Requester != nil {
		nt.Requester = ticket.RequesterRef{ID: in.Requester.ID, Email: in.Requester.Email, Name: in.Requester.Name}
	}
	t, err := s.Tickets.CreateTicket(r.Context(), principal(r), nt)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+strconv.FormatInt(t.ID, 10))
	return s.writeTicket(w, r, http.StatusCreated, t)
}

// writeTicket answers with a ticket, its deadlines as they stand now.
func (s *Server) writeTicket(w http.ResponseWriter, r *http.Request, status int, t ticket.Ticket) error {
	one := []ticket.Ticket{t}
	if err := s.SLA.Describe(r.Context(), one); err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(t.Version, 10)))
	writeJSON(w, status, one[0])
	return nil
}

func (s *Server) handleTicketGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.Tickets.FindTicket(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) handleTicketList(w http.ResponseWriter, r *http.Request) error {
	f, err := s.ticketFilter(r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(f.Query) != "" {
		return s.searchTickets(w, r, f)
	}
	items, total, err := s.Tickets.FindTickets(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	if err := s.SLA.Describe(r.Context(), items); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.Ticket]{Items: items, Total: total})
	return nil
}

// ticketFilter reads the list's query string. status and priority take a
// comma-separated list; assignee_id=none selects unassigned tickets;
// sla=at_risk keeps the tickets whose nearest deadline is missed or
// within its warning share.
func (s *Server) ticketFilter(r *http.Request) (ticket.Filter, error) {
	q := r.URL.Query()
	page, err := pageOf(r)
	if err != nil {
		return ticket.Filter{}, err
	}
	f := ticket.Filter{Page: page.Number, PerPage: page.PerPage, Query: q.Get("q"), Sort: q.Get("sort"),
		Tag: q.Get("tag"), Channel: ticket.Channel(q.Get("channel"))}
	f.Statuses = splitList[ticket.Status](q.Get("status"))
	f.Priorities = splitList[ticket.Priority](q.Get("priority"))
	if q.Get("assignee_id") == "none" {
		f.Unassigned = true
		q.Del("assignee_id")
		r.URL.RawQuery = q.Encode()
	}
	for name, dst := range map[string]**int64{"group_id": &f.GroupID, "assignee_id": &f.AssigneeID,
		"company_id": &f.CompanyID, "requester_id": &f.RequesterID, "parent_id": &f.ParentID} {
		if *dst, err = queryID(r, name); err != nil {
			return f, err
		}
	}
	switch v := q.Get("sla"); v {
	case "":
	case "at_risk":
		now := s.SLA.Now()
		f.AtRiskAt = &now
	default:
		return f, apperr.Field("sla", "must be at_risk")
	}
	f.Line, err = queryInt(r, "line", 0, 1, 4)
	return f, err
}

func splitList[T ~string](v string) []T {
	var out []T
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, T(part))
		}
	}
	return out
}

type ticketPatch struct {
	Version      int64            `json:"version"`
	Subject      *string          `json:"subject"`
	Status       *ticket.Status   `json:"status"`
	Priority     *ticket.Priority `json:"priority"`
	Type         *ticket.Type     `json:"type"`
	Line         *int             `json:"line"`
	GroupID      Optional[int64]  `json:"group_id"`
	AssigneeID   Optional[int64]  `json:"assignee_id"`
	CompanyID    Optional[int64]  `json:"company_id"`
	ParentID     Optional[int64]  `json:"parent_id"`
	RequesterID  *int64           `json:"requester_id"`
	Tags         *[]string        `json:"tags"`
	CustomFields map[string]any   `json:"custom_fields"`
}

func (s *Server) handleTicketUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ticketPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Version == 0 {
		if in.Version, err = ifMatch(r); err != nil {
			return err
		}
	}
	u := ticket.Update{Version: in.Version, Subject: in.Subject, Status: in.Status, Priority: in.Priority, Type: in.Type,
		Line: in.Line, GroupID: idChange(in.GroupID), AssigneeID: idChange(in.AssigneeID),
		CompanyID: idChange(in.CompanyID), ParentID: idChange(in.ParentID), RequesterID: in.RequesterID, Tags: in.Tags,
		CustomFields: in.CustomFields}
	t, err := s.Tickets.UpdateTicket(r.Context(), principal(r), id, u)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, t)
}

// ifMatch reads the version from an If-Match header: "3" or 3.
func ifMatch(r *http.Request) (int64, error) {
	v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/"), `"`)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Field("If-Match", "must carry the ticket's version, e.g. \"3\"")
	}
	return n, nil
}

func idChange(o Optional[int64]) ticket.IDChange {
	return ticket.IDChange{Set: o.Set, ID: o.Ptr()}
}

func (s *Server) handleTicketEscalate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Line    int    `json:"line"`
		GroupID *int64 `json:"group_id"`
		Reason  string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Line != 0 && in.GroupID == nil {
		if in.GroupID, err = s.lineGroup(r, id, in.Line); err != nil {
			return err
		}
	}
	t, err := s.Tickets.Escalate(r.Context(), principal(r), id, ticket.Escalation{Line: in.Line, GroupID: in.GroupID, Reason: in.Reason})
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) handleTicketEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, err := s.Tickets.Events(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.Event]{Items: events, Total: len(events)})
	return nil
}
