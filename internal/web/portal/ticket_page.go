package portal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// ticketPage is a ticket as its customer sees it: the public conversation,
// what its status means, who works on it, its sub-tickets, the rating.
type ticketPage struct {
	Page
	T         ticket.Ticket
	Items     []item
	Files     []attachment.Attachment // sent with the ticket
	Agent     string
	Parent    *ticket.Ticket
	Children  []listRow
	Fields    []fieldValue
	Promise   *time.Time // "we will answer by …"
	Rating    *portal.Rating
	CanRate   bool // the requester may rate it now (or change their rating)
	CanReply  bool
	CanSolve  bool
	CanReopen bool
	Stamp     string // what the page shows, for live updates
	Error     string
	Draft     string
}

// item is one entry of the conversation: a public comment or a change of
// status, in order.
type item struct {
	At      time.Time
	Comment *ticket.Comment
	Status  *ticket.Event
}

// fieldValue is a custom field the customer filled in, as shown.
type fieldValue struct {
	Label string
	Value any
}

// ticketNumber reads the ticket number of the path: /portal/tickets/1042.
func ticketNumber(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("number"), "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundf("ticket %q not found", r.PathValue("number"))
	}
	return n, nil
}

// findTicket is the ticket of the path, if the viewer may see it.
func (s *Server) findTicket(r *http.Request) (ticket.Ticket, error) {
	n, err := ticketNumber(r)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return s.Tickets.FindCustomerTicket(r.Context(), viewer(r).C, n)
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.findTicket(r)
	if err != nil {
		return err
	}
	d, err := s.ticketData(r.Context(), v, t)
	if err != nil {
		return err
	}
	d.Page = s.newPage(r, v.L, "ticket")
	if r.URL.Query().Get("part") == "conversation" {
		s.fragment(w, r, "ticket", "current", d)
		return nil
	}
	s.render(w, r, http.StatusOK, "ticket", d)
	return nil
}

func (s *Server) ticketData(ctx context.Context, v *Viewer, t ticket.Ticket) (ticketPage, error) {
	d := ticketPage{T: t}
	var err error
	if d.Items, err = s.conversation(ctx, v, t); err != nil {
		return d, err
	}
	if d.Files, err = s.Tickets.CustomerFiles(ctx, v.C, t.ID); err != nil {
		return d, err
	}
	if t.AssigneeID != nil {
		names, err := s.Directory.AgentNames(ctx, []int64{*t.AssigneeID})
		if err != nil {
			return d, err
		}
		d.Agent = names[*t.AssigneeID]
	}
	if err := s.related(ctx, v, &d); err != nil {
		return d, err
	}
	if d.Fields, err = s.fieldValues(ctx, t); err != nil {
		return d, err
	}
	if err := s.ratingOf(ctx, v, &d); err != nil {
		return d, err
	}
	open := t.Status != ticket.StatusSolved && t.Status != ticket.StatusClosed
	if at, ok, err := s.Promise.AnswerBy(ctx, t); err != nil {
		return d, err
	} else if ok && open {
		d.Promise = &at
	}
	d.CanReply = t.Status != ticket.StatusClosed && t.MergedIntoID == nil
	d.CanSolve = ticket.CustomerMay(t.Status, ticket.StatusSolved) && t.MergedIntoID == nil
	d.CanReopen = ticket.CustomerMay(t.Status, ticket.StatusOpen) && t.MergedIntoID == nil
	d.Stamp, err = s.Tickets.PublicStamp(ctx, t.ID)
	return d, err
}

// conversation merges the public comments and the status changes in the
// order they happened.
func (s *Server) conversation(ctx context.Context, v *Viewer, t ticket.Ticket) ([]item, error) {
	comments, err := s.Tickets.CustomerComments(ctx, v.C, t.ID)
	if err != nil {
		return nil, err
	}
	events, err := s.Tickets.StatusEvents(ctx, v.C, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]item, 0, len(comments)+len(events))
	for i := range comments {
		out = append(out, item{At: comments[i].CreatedAt, Comment: &comments[i]})
	}
	for i := range events {
		if events[i].To == string(ticket.StatusNew) {
			continue
		}
		out = append(out, item{At: events[i].CreatedAt, Status: &events[i]})
	}
	slices.SortStableFunc(out, func(a, b item) int { return a.At.Compare(b.At) })
	return out, nil
}

// related finds the parent and the sub-tickets the viewer may see.
func (s *Server) related(ctx context.Context, v *Viewer, d *ticketPage) error {
	if d.T.ParentID != nil {
		if err := s.Tickets.CanCustomerView(ctx, v.C, *d.T.ParentID); err == nil {
			p, err := s.Tickets.FindTicket(ctx, systemPrincipal, *d.T.ParentID)
			if err != nil {
				return err
			}
			d.Parent = &p
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	children, _, err := s.Tickets.FindCustomerTickets(ctx, v.C, ticket.Filter{ParentID: &d.T.ID, Sort: "number", PerPage: 50})
	if err != nil {
		return err
	}
	d.Children, err = s.listRows(ctx, v, children)
	return err
}

// fieldValues are the values of the custom fields shown in the portal.
func (s *Server) fieldValues(ctx context.Context, t ticket.Ticket) ([]fieldValue, error) {
	fields, err := s.Portal.PortalFields(ctx)
	if err != nil {
		return nil, err
	}
	var out []fieldValue
	for _, f := range fields {
		if val, ok := t.CustomFields[f.Key]; ok && val != nil && val != "" {
			out = append(out, fieldValue{Label: f.Label, Value: val})
		}
	}
	return out, nil
}

// ratingOf fills in the ticket's rating and whether the viewer may give
// or change it: the requester, once the ticket is solved, for a week
// after their first rating.
func (s *Server) ratingOf(ctx context.Context, v *Viewer, d *ticketPage) error {
	r, found, err := s.Portal.FindRating(ctx, d.T.ID)
	if err != nil {
		return err
	}
	if found {
		d.Rating = &r
	}
	d.CanRate = portal.Rateable(d.T) && d.T.Requester.ID == v.A.ContactID && (!found || time.Now().Before(r.ChangeableUntil()))
	return nil
}

// handleTicketExport gives the public conversation of a ticket as text,
// to keep or pass on.
func (s *Server) handleTicketExport(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.findTicket(r)
	if err != nil {
		return err
	}
	items, err := s.conversation(r.Context(), v, t)
	if err != nil {
		return err
	}
	l := v.L
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n%s: %s\n\n", ticket.Number(t.Number), t.Subject, l.T("portal.col.status"),
		l.T("portal.status."+string(t.Status)))
	fmt.Fprintf(&b, "— %s, %s\n%s\n\n", t.Requester.Name, l.DateTime(t.CreatedAt), t.Description)
	for _, it := range items {
		switch {
		case it.Comment != nil:
			fmt.Fprintf(&b, "— %s, %s\n%s\n\n", it.Comment.AuthorName, l.DateTime(it.At), it.Comment.Body)
		case it.Status != nil:
			fmt.Fprintf(&b, "· %s, %s\n\n", l.T(eventKey(*it.Status), "Name", it.Status.ActorName), l.DateTime(it.At))
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ticket-%d.txt"`, t.Number))
	_, err = io.WriteString(w, b.String())
	return err
}
