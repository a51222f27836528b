package agent

import (
	"context"
	"net/http"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
	"linedesk/internal/view"
)

func (s *Server) queueRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /{$}", s.handleQueue)
	s.page(mux, "GET /queues/{key}", s.handleQueue)
	s.page(mux, "GET /queue-counts", s.handleQueueCounts)
	s.page(mux, "POST /tickets/bulk", s.handleBulk)
	s.page(mux, "POST /views", s.handleViewSave)
	s.page(mux, "POST /views/{id}/delete", s.handleViewDelete)
}

// row is one ticket of a list, with the names it shows.
type row struct {
	ticket.Ticket
	Group, Assignee, Company string
}

type queuePage struct {
	Page
	Queue      string
	Rows       []row
	Total      int
	Pages      int
	PageNo     int
	Filter     ticket.Filter
	Query      string // the filters, for links that keep them
	Groups     []directory.Group
	Agents     []directory.Agent
	Views      []view.View
	Counts     map[string]int // filled in by a second request
	GroupNames map[int64]string
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	key := queueKey(r)
	q, ok := findQueue(key)
	if !ok {
		return apperr.NotFoundf("no queue %q", key)
	}
	f, err := filterFromQuery(q.filter(v), r.URL.Query())
	if err != nil {
		return err
	}
	data, err := s.queueData(r.Context(), v, f)
	if err != nil {
		return err
	}
	data.Page = s.newPage(r, v.L, v, "queue")
	data.Queue = key
	data.Query = filterQuery(r.URL.Query())
	if isPartial(r) {
		s.fragment(w, r, "queue", "queue-list", data)
		return nil
	}
	if data.Views, err = s.Views.List(r.Context(), v.P); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "queue", data)
	return nil
}

func (s *Server) queueData(ctx context.Context, v *Viewer, f ticket.Filter) (queuePage, error) {
	list, total, err := s.Tickets.FindTickets(ctx, v.P, f)
	if err != nil {
		return queuePage{}, err
	}
	lk, err := s.lookups(ctx)
	if err != nil {
		return queuePage{}, err
	}
	rows, err := s.rows(ctx, lk, list)
	if err != nil {
		return queuePage{}, err
	}
	pageNo := max(f.Page, 1)
	return queuePage{Rows: rows, Total: total, PageNo: pageNo, Pages: (total + f.PerPage - 1) / f.PerPage,
		Filter: f, Groups: lk.groups, Agents: lk.agents, GroupNames: lk.groupName}, nil
}

// lookups are the groups and agents a page names and offers.
type lookups struct {
	groups    []directory.Group
	agents    []directory.Agent
	groupName map[int64]string
	agentName map[int64]string
	away      map[int64]bool // agents away now, shown to colleagues
}

func (s *Server) lookups(ctx context.Context) (lookups, error) {
	groups, _, err := s.Directory.FindGroups(ctx, directory.GroupFilter{Limit: 500})
	if err != nil {
		return lookups{}, err
	}
	agents, _, err := s.Directory.FindAgents(ctx, directory.AgentFilter{Limit: 500})
	if err != nil {
		return lookups{}, err
	}
	lk := lookups{groups: groups, groupName: map[int64]string{}, agentName: map[int64]string{}, away: map[int64]bool{}}
	if s.Assign != nil {
		if lk.away, err = s.Assign.Away(ctx); err != nil {
			return lookups{}, err
		}
	}
	for _, g := range groups {
		lk.groupName[g.ID] = g.Name
	}
	for _, a := range agents {
		lk.agentName[a.ID] = a.Name
		if a.Active {
			lk.agents = append(lk.agents, a)
		}
	}
	return lk, nil
}

func (s *Server) rows(ctx context.Context, lk lookups, list []ticket.Ticket) ([]row, error) {
	var companyIDs []int64
	for _, t := range list {
		if t.CompanyID != nil {
			companyIDs = append(companyIDs, *t.CompanyID)
		}
	}
	companies, err := s.Directory.CompanyNames(ctx, companyIDs)
	if err != nil {
		return nil, err
	}
	out := make([]row, len(list))
	for i, t := range list {
		out[i] = row{Ticket: t, Group: lk.groupName[deref(t.GroupID)], Assignee: lk.agentName[deref(t.AssigneeID)],
			Company: companies[deref(t.CompanyID)]}
	}
	return out, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// handleQueueCounts answers the number beside each queue. It is its own
// request so the list never waits for ten counts.
func (s *Server) handleQueueCounts(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	counts := make(map[string]int, len(queues))
	for _, q := range queues {
		f := q.filter(v)
		f.CountUpTo = manyTickets + 1
		n, err := s.Tickets.CountTickets(r.Context(), v.P, f)
		if err != nil {
			return err
		}
		counts[q.Key] = n
	}
	s.fragment(w, r, "queue", "queue-nav", queuePage{Page: s.newPage(r, v.L, v, "queue"), Counts: counts,
		Queue: r.URL.Query().Get("queue")})
	return nil
}

func (s *Server) handleViewSave(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	var groupID *int64
	if g := r.PostFormValue("group_id"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return apperr.Field("group_id", "group must be an id")
		}
		groupID = &id
	}
	saved, err := s.Views.Create(r.Context(), v.P, view.Input{Name: r.PostFormValue("name"),
		Queue: r.PostFormValue("queue"), Query: r.PostFormValue("query"), GroupID: groupID})
	if err != nil {
		return err
	}
	redirect(w, r, saved.URL())
	return nil
}

func (s *Server) handleViewDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("no view %s", r.PathValue("id"))
	}
	if err := s.Views.Delete(r.Context(), viewer(r).P, id); err != nil {
		return err
	}
	redirect(w, r, "/?done=deleted")
	return nil
}
