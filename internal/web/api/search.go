package api

import (
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

func (s *Server) searchRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/search", s.handleSearch)
}

// searchList is a page of hits.
type searchList struct {
	Items []search.Hit `json:"items"`
	Total int          `json:"total"`
	More  bool         `json:"more"` // total was counted only up to a limit
}

// handleSearch searches tickets, contacts and companies (kind= narrows
// it, comma-separated) with the query language.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if strings.TrimSpace(q.Get("q")) == "" {
		return apperr.Field("q", "enter something to search for")
	}
	res, err := s.Search.Search(r.Context(), search.AgentViewer(principal(r)), search.Request{Query: q.Get("q"),
		Kinds: splitList[string](q.Get("kind")), Page: page.Number, PerPage: page.PerPage})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, searchList{Items: res.Hits, Total: res.Total, More: res.More})
	return nil
}

// searchTickets answers a ticket list with q= from the search index:
// the other filters narrow the search, and the tickets come best match
// first (sort=-updated_at: newest first).
func (s *Server) searchTickets(w http.ResponseWriter, r *http.Request, f ticket.Filter) error {
	conds, err := searchConditions(f)
	if err != nil {
		return err
	}
	res, err := s.Search.Search(r.Context(), search.AgentViewer(principal(r)), search.Request{Query: f.Query,
		Kinds: []string{search.KindTicket}, Filters: conds, Newest: f.Sort == "-updated_at", Page: f.Page, PerPage: f.PerPage})
	if err != nil {
		return err
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	list, err := s.Tickets.TicketsByID(r.Context(), ids)
	if err != nil {
		return err
	}
	byID := map[int64]ticket.Ticket{}
	for _, t := range list {
		byID[t.ID] = t
	}
	items := make([]ticket.Ticket, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			items = append(items, t)
		}
	}
	writeJSON(w, http.StatusOK, List[ticket.Ticket]{Items: items, Total: res.Total})
	return nil
}

// searchConditions turns a list's filters into search conditions,
// checking them as the list does.
func searchConditions(f ticket.Filter) ([]search.Condition, error) {
	if f.Sort != "" && f.Sort != "-updated_at" {
		return nil, apperr.Field("sort", "a search (q) is ordered by relevance, or by -updated_at; drop sort or q")
	}
	var out []search.Condition
	add := func(key string, vals ...string) { out = append(out, search.Condition{Key: key, Any: vals}) }
	if len(f.Statuses) > 0 {
		var vals []string
		for _, st := range f.Statuses {
			if !st.Valid() {
				return nil, apperr.Field("status", "%q is not a status (new, open, pending, on_hold, solved, closed)", st)
			}
			vals = append(vals, string(st))
		}
		add(search.KeyStatus, vals...)
	}
	if len(f.Priorities) > 0 {
		var vals []string
		for _, p := range f.Priorities {
			if !p.Valid() {
				return nil, apperr.Field("priority", "%q is not a priority (low, normal, high, urgent)", p)
			}
			vals = append(vals, string(p))
		}
		add(search.KeyPriority, vals...)
	}
	if f.Channel != "" {
		if !f.Channel.Valid() {
			return nil, apperr.Field("channel", "%q is not a channel", f.Channel)
		}
		add(search.KeyChannel, string(f.Channel))
	}
	for _, c := range []struct {
		key string
		id  *int64
	}{{search.KeyGroup, f.GroupID}, {search.KeyAssignee, f.AssigneeID}, {search.KeyCompany, f.CompanyID},
		{search.KeyFrom, f.RequesterID}, {search.KeyParent, f.ParentID}} {
		if c.id != nil {
			add(c.key, strconv.FormatInt(*c.id, 10))
		}
	}
	if f.Unassigned {
		add(search.KeyAssignee, search.None)
	}
	if f.Line != 0 {
		add(search.KeyLine, strconv.Itoa(f.Line))
	}
	if f.Tag != "" {
		add(search.KeyTag, strings.ToLower(f.Tag))
	}
	return out, nil
}
