package portal

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"linedesk/internal/i18n"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// searchFields are the query language's filters a customer may use; the
// others name the team's own organisation and are refused in the portal.
var searchFields = []string{"status", "priority", "type", "channel", "number"}

// searchMax is the most a search lists, in pages of the list.
const searchMax = 1000

// searching reports whether the list answers from the search index: a
// query, and a search service to ask.
func (s *Server) searching(d listPage) bool { return d.Q != "" && s.Search != nil }

// searchViewer is the customer as the search index knows them: their own
// tickets, and their company's when they manage it.
func searchViewer(v *Viewer) search.Viewer {
	return search.ContactViewer(search.ContactScope{ContactID: v.A.ContactID, CompanyID: v.A.CompanyID,
		CompanyWide: v.C.CompanyID != nil})
}

// searchConditions keeps a search to what the list shows: the status
// filter and the scope (the customer's own, or the company's).
func searchConditions(f ticket.Filter) []search.Condition {
	var out []search.Condition
	if len(f.Statuses) > 0 {
		c := search.Condition{Key: search.KeyStatus}
		for _, st := range f.Statuses {
			c.Any = append(c.Any, string(st))
		}
		out = append(out, c)
	}
	if f.RequesterID != nil {
		out = append(out, search.Condition{Key: search.KeyFrom, Any: []string{strconv.FormatInt(*f.RequesterID, 10)}})
	}
	if f.CompanyID != nil {
		out = append(out, search.Condition{Key: search.KeyCompany, Any: []string{strconv.FormatInt(*f.CompanyID, 10)}})
	}
	return out
}

// searchTickets is one page of the list's search, best match first: the
// tickets with their highlighted subject and snippet. A query that cannot
// run is a *search.QueryError.
func (s *Server) searchTickets(ctx context.Context, v *Viewer, f ticket.Filter) ([]ticket.Ticket, search.Result, error) {
	res, err := s.Search.Search(ctx, searchViewer(v), search.Request{Query: f.Query, Kinds: []string{search.KindTicket},
		Filters: searchConditions(f), Page: f.Page, PerPage: f.PerPage})
	if err != nil {
		return nil, res, err
	}
	ids := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	list, err := s.Tickets.TicketsByID(ctx, ids)
	if err != nil {
		return nil, res, err
	}
	byID := map[int64]ticket.Ticket{}
	for _, t := range list {
		byID[t.ID] = t
	}
	out := make([]ticket.Ticket, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, res, nil
}

// handleTicketSearch shows the list's search: the hits in the list's
// columns with the words found marked, or what is wrong with the query.
func (s *Server) handleTicketSearch(w http.ResponseWriter, r *http.Request, v *Viewer, f ticket.Filter, d listPage) error {
	list, res, err := s.searchTickets(r.Context(), v, f)
	var qe *search.QueryError
	if errors.As(err, &qe) {
		d.Page, d.SearchError = s.newPage(r, v.L, "tickets"), searchMessage(v.L, qe)
		d.Searched = true
		s.render(w, r, http.StatusUnprocessableEntity, "tickets", d)
		return nil
	}
	if err != nil {
		return err
	}
	if d.Rows, err = s.listRows(r.Context(), v, list); err != nil {
		return err
	}
	marks := map[int64]search.Hit{}
	for _, h := range res.Hits {
		marks[h.ID] = h
	}
	for i := range d.Rows {
		h := marks[d.Rows[i].T.ID]
		d.Rows[i].TitleHTML, d.Rows[i].Snippet = template.HTML(h.TitleHTML), template.HTML(h.Snippet)
	}
	total := min(res.Total, searchMax)
	d.Page, d.Total, d.More, d.Searched = s.newPage(r, v.L, "tickets"), res.Total, res.More, true
	d.Pages = (total + listPerPage - 1) / listPerPage
	s.render(w, r, http.StatusOK, "tickets", d)
	return nil
}

// searchExport calls fn with every page of the search, as the list shows
// it, for the list's export.
func (s *Server) searchExport(ctx context.Context, v *Viewer, f ticket.Filter, fn func([]ticket.Ticket) error) error {
	f.PerPage = 100
	for f.Page = 1; f.Page <= searchMax/f.PerPage; f.Page++ {
		list, res, err := s.searchTickets(ctx, v, f)
		if err != nil {
			return err
		}
		if err := fn(list); err != nil {
			return err
		}
		if f.Page*f.PerPage >= res.Total {
			return nil
		}
	}
	return nil
}

// searchMessage says what is wrong with a query in the customer's
// language.
func searchMessage(l *i18n.Localizer, e *search.QueryError) string {
	arg := e.Arg
	switch e.Code {
	case "unterminated_quote":
		return l.T("portal.search.error.unterminated_quote")
	case "empty_value":
		return l.T("portal.search.error.empty_value", "Field", arg(0))
	case "unknown_field", "not_available":
		if s := arg(1); e.Code == "unknown_field" && slices.Contains(searchFields, s) {
			return l.T("portal.search.error.did_you_mean", "Field", arg(0), "Suggestion", s)
		}
		return l.T("portal.search.error.no_filter", "Field", arg(0))
	case "bad_value":
		return l.T("portal.search.error.bad_value", "Value", arg(0), "Allowed", arg(2))
	case "bad_number":
		return l.T("portal.search.error.bad_number", "Value", arg(0))
	case "too_long":
		return l.T("portal.search.error.too_long", "Max", arg(0))
	case "too_many":
		return l.T("portal.search.error.too_many", "Max", arg(0))
	case "no_terms":
		return l.T("portal.search.error.no_terms")
	case "empty":
		return l.T("portal.search.error.empty")
	}
	return l.T("portal.search.error.other")
}
