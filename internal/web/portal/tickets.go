package portal

import (
	"context"
	"encoding/csv"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/ticket"
)

func (s *Server) ticketRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /portal/tickets", s.handleTickets)
	s.page(mux, "GET /portal/tickets.csv", s.handleTicketsCSV)
	s.page(mux, "GET /portal/tickets/new", s.handleNewForm)
	s.page(mux, "POST /portal/tickets", s.handleCreate)
	s.page(mux, "GET /portal/tickets/{number}", s.handleTicket)
	s.page(mux, "GET /portal/tickets/{number}/export", s.handleTicketExport)
	s.page(mux, "POST /portal/tickets/{number}/comments", s.handleReply)
	s.page(mux, "POST /portal/tickets/{number}/solve", s.handleStatus(ticket.StatusSolved))
	s.page(mux, "POST /portal/tickets/{number}/reopen", s.handleStatus(ticket.StatusOpen))
	s.page(mux, "GET /portal/attachments/{id}", s.handleAttachment)
	s.page(mux, "GET /portal/live", s.handleLive)
}

// Filters of the list.
var (
	listStatuses = map[string][]ticket.Status{
		"open":   {ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusOnHold},
		"solved": {ticket.StatusSolved, ticket.StatusClosed},
		"all":    nil,
	}
	listStatusKeys = []string{"open", "solved", "all"}
)

const listPerPage = 25

// listPage is the customer's tickets.
type listPage struct {
	Page
	Rows     []listRow
	Status   string // open, solved or all
	Scope    string // mine or company (a company manager's choice)
	Q        string
	Total    int
	PageNo   int
	Pages    int
	Statuses []string

	// A search (Q) through the search index.
	Searched    bool   // the rows are hits, best first
	More        bool   // more match than were counted
	SearchError string // what is wrong with the query, in the customer's language
}

// PrevPage and NextPage are the pager's pages.
func (d listPage) PrevPage() int { return d.PageNo - 1 }

// NextPage is the page after this one.
func (d listPage) NextPage() int { return d.PageNo + 1 }

// listRow is one ticket as the list shows it.
type listRow struct {
	T        ticket.Ticket
	Agent    string    // who works on it: the agent's real name
	Activity time.Time // the last thing the customer can see happen
	Mine     bool      // the viewer asked for it (a manager sees the company's too)

	// A search hit's subject and text with the words found in <mark>,
	// escaped by the search index.
	TitleHTML, Snippet template.HTML
}

// listFilter reads the list's filters; a customer who is not a manager
// has no company scope.
func listFilter(r *http.Request, v *Viewer) (ticket.Filter, listPage) {
	q := r.URL.Query()
	d := listPage{Status: q.Get("status"), Scope: q.Get("scope"), Q: strings.TrimSpace(q.Get("q")), Statuses: listStatusKeys}
	if _, ok := listStatuses[d.Status]; !ok {
		d.Status = "open"
	}
	if d.Scope != "company" || v.C.CompanyID == nil {
		d.Scope = "mine"
	}
	d.PageNo, _ = strconv.Atoi(q.Get("page"))
	d.PageNo = max(d.PageNo, 1)
	f := ticket.Filter{Statuses: listStatuses[d.Status], Query: d.Q, Sort: "-number", Page: d.PageNo, PerPage: listPerPage}
	if d.Scope == "mine" {
		f.RequesterID = &v.A.ContactID
	} else {
		f.CompanyID = v.C.CompanyID
	}
	return f, d
}

func (s *Server) handleTickets(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	f, d := listFilter(r, v)
	if s.searching(d) {
		return s.handleTicketSearch(w, r, v, f, d)
	}
	list, total, err := s.Tickets.FindCustomerTickets(r.Context(), v.C, f)
	if err != nil {
		return err
	}
	if d.Rows, err = s.listRows(r.Context(), v, list); err != nil {
		return err
	}
	d.Page, d.Total, d.Pages = s.newPage(r, v.L, "tickets"), total, (total+listPerPage-1)/listPerPage
	if d.Status == "open" && d.Scope == "mine" && d.Q == "" && d.PageNo == 1 {
		// The service worker keeps this list for when the customer is
		// offline; no other page is kept.
		w.Header().Set("X-Portal-Offline", "list")
	}
	s.render(w, r, http.StatusOK, "tickets", d)
	return nil
}

// listRows adds to each ticket who works on it and when the customer last
// saw it change.
func (s *Server) listRows(ctx context.Context, v *Viewer, list []ticket.Ticket) ([]listRow, error) {
	var ids, agents []int64
	for _, t := range list {
		ids = append(ids, t.ID)
		if t.AssigneeID != nil {
			agents = append(agents, *t.AssigneeID)
		}
	}
	names, err := s.Directory.AgentNames(ctx, agents)
	if err != nil {
		return nil, err
	}
	activity, err := s.Tickets.PublicActivity(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]listRow, len(list))
	for i, t := range list {
		rows[i] = listRow{T: t, Activity: activity[t.ID], Mine: t.Requester.ID == v.A.ContactID}
		if t.AssigneeID != nil {
			rows[i].Agent = names[*t.AssigneeID]
		}
	}
	return rows, nil
}

// handleTicketsCSV exports the list as its filters select it, every page
// of it, for a spreadsheet; a search exports what it finds.
func (s *Server) handleTicketsCSV(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	f, d := listFilter(r, v)
	pages := s.listPages
	if s.searching(d) {
		if _, _, err := s.searchTickets(r.Context(), v, ticket.Filter{Query: f.Query, PerPage: 1}); err != nil {
			return err // a query that cannot run shows its error page, not a file
		}
		pages = s.searchExport
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tickets.csv"`)
	out := csv.NewWriter(w)
	l := v.L
	out.Write([]string{l.T("portal.col.number"), l.T("portal.col.subject"), l.T("portal.col.status"),
		l.T("portal.col.requester"), l.T("portal.col.agent"), l.T("portal.col.created"), l.T("portal.col.updated")})
	err := pages(r.Context(), v, f, func(list []ticket.Ticket) error {
		rows, err := s.listRows(r.Context(), v, list)
		if err != nil {
			return err
		}
		for _, row := range rows {
			out.Write([]string{ticket.Number(row.T.Number), row.T.Subject, l.T("portal.status." + string(row.T.Status)),
				row.T.Requester.Name, row.Agent, row.T.CreatedAt.UTC().Format(time.RFC3339), row.Activity.UTC().Format(time.RFC3339)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	out.Flush()
	return out.Error()
}

// listPages calls fn with every page of the list (up to 10,000 tickets).
func (s *Server) listPages(ctx context.Context, v *Viewer, f ticket.Filter, fn func([]ticket.Ticket) error) error {
	f.PerPage = 500
	for f.Page = 1; f.Page <= 20; f.Page++ {
		list, _, err := s.Tickets.FindCustomerTickets(ctx, v.C, f)
		if err != nil {
			return err
		}
		if err := fn(list); err != nil {
			return err
		}
		if len(list) < f.PerPage {
			return nil
		}
	}
	return nil
}
