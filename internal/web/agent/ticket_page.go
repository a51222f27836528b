package agent

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/live"
	"linedesk/internal/portal"
	"linedesk/internal/reply"
	"linedesk/internal/script"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

func (s *Server) ticketRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /tickets/{id}", s.handleTicket)
	s.page(mux, "POST /tickets/{id}", s.handleTicketSave)
	s.page(mux, "POST /tickets/{id}/comments", s.handleComment)
	s.page(mux, "POST /tickets/{id}/escalate", s.handleEscalate)
	s.page(mux, "POST /tickets/{id}/requester", s.handleRequester)
	s.page(mux, "POST /tickets/{id}/merge", s.handleMerge)
	s.page(mux, "POST /tickets/{id}/comments/{comment}/split", s.handleSplit)
	s.page(mux, "POST /tickets/{id}/links", s.handleLink)
	s.page(mux, "POST /tickets/{id}/links/{other}/delete", s.handleUnlink)
	s.page(mux, "POST /tickets/{id}/typing", s.handleTyping)
	s.page(mux, "GET /tickets/{id}/presence", s.handlePresence)
	s.page(mux, "GET /attachments/{id}/content", s.handleAttachment)
}

// ticketPage is everything the ticket page shows.
type ticketPage struct {
	Page
	T         ticket.Ticket
	Comments  []comment
	Events    []ticket.Event
	Requester directory.Contact
	Company   *directory.Company
	Plan      *directory.Plan
	Others    []row // other open tickets of the requester
	Company2  []row // other open tickets of the company
	Children  []row
	Parent    *ticket.Ticket
	Links     []ticket.LinkedTicket
	Groups    []directory.Group
	Agents    []directory.Agent
	Fields    []ticket.Field
	Viewers   []live.Viewer
	Deadlines sla.Status    // the plan's targets and where each stands
	LineTimes sla.LineTimes // the time spent at each support line
	Names     lookups
	// The first line's tools: scripts to run, macros to apply, and the
	// categories of the article picker.
	Scripts      []script.Offer
	Macros       []reply.Reply
	KBCategories []kb.Category
	SuggestKB    bool                    // the search engine suggests articles for the ticket
	Error        string                  // a save that failed, e.g. a colleague's change
	Draft        draft                   // what the agent had typed, kept through an error
	Form         ticket.Ticket           // the side panel's values: the ticket, with the agent's unsaved choices after an error
	Files        []attachment.Attachment // sent with the ticket by the customer
	Rating       *portal.Rating          // the customer's rating, once given
	Access       *portal.Account         // the requester's portal access; nil when none
}

// comment is a comment as the page shows it.
type comment struct {
	ticket.Comment
	Folded string // quoted history and signature, shown on demand
	// HTML is the e-mail's own formatting for a sandboxed frame's srcdoc:
	// a plain string, which html/template escapes into the attribute (a
	// template.HTML would have its tags stripped there).
	HTML string
}

// draft keeps what a failed save carried, so no typing is lost.
type draft struct {
	Body   string
	Public bool
	Reason string
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	data, err := s.ticketData(r.Context(), v, id)
	if err != nil {
		return err
	}
	data.Page = s.newPage(r, v.L, v, "ticket")
	if isPartial(r) {
		s.fragment(w, r, "ticket", r.URL.Query().Get("part"), data)
		return nil
	}
	s.render(w, r, http.StatusOK, "ticket", data)
	return nil
}

// ticketID reads the ticket id of the path; /tickets/1042 is the ticket
// with id 1042.
func ticketID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("ticket %q not found", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) ticketData(ctx context.Context, v *Viewer, id int64) (ticketPage, error) {
	t, err := s.Tickets.FindTicket(ctx, v.P, id)
	if err != nil {
		return ticketPage{}, err
	}
	d := ticketPage{T: t, Form: t}
	if d.Comments, err = s.comments(ctx, v, id); err != nil {
		return d, err
	}
	if d.Events, err = s.Tickets.Events(ctx, v.P, id); err != nil {
		return d, err
	}
	if d.Names, err = s.lookups(ctx); err != nil {
		return d, err
	}
	d.Groups, d.Agents = d.Names.groups, d.Names.agents
	if d.Fields, err = s.Tickets.FindFields(ctx); err != nil {
		return d, err
	}
	if err := s.sidePanel(ctx, v, &d); err != nil {
		return d, err
	}
	if d.Deadlines, err = s.SLA.StatusOf(ctx, d.T); err != nil {
		return d, err
	}
	if d.LineTimes, err = s.SLA.LineTimes(ctx, v.P, id); err != nil {
		return d, err
	}
	d.Viewers = s.Presence.Viewers(id)
	if err := s.firstLineTools(ctx, v, &d); err != nil {
		return d, err
	}
	return d, s.customerSide(ctx, v, &d)
}

// firstLineTools are what the ticket page offers to answer from.
func (s *Server) firstLineTools(ctx context.Context, v *Viewer, d *ticketPage) error {
	var err error
	if d.Scripts, err = s.Scripts.Offers(ctx); err != nil {
		return err
	}
	if d.Macros, err = s.Replies.List(ctx, v.P, reply.Filter{Kind: reply.Macro}); err != nil {
		return err
	}
	d.SuggestKB = s.KB.HasFinder()
	d.KBCategories, err = s.KB.Categories(ctx)
	return err
}

// customerSide fills in what the customer sent and said: the files of a
// portal or form ticket, their rating, their portal access.
func (s *Server) customerSide(ctx context.Context, v *Viewer, d *ticketPage) error {
	var err error
	if d.Files, err = s.Tickets.TicketFiles(ctx, v.P, d.T.ID); err != nil {
		return err
	}
	if r, found, err := s.Portal.FindRating(ctx, d.T.ID); err != nil {
		return err
	} else if found {
		d.Rating = &r
	}
	a, err := s.Portal.FindAccount(ctx, d.T.Requester.ID)
	if err == nil {
		d.Access = &a
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}

func (s *Server) comments(ctx context.Context, v *Viewer, id int64) ([]comment, error) {
	list, err := s.Tickets.Comments(ctx, v.P, id)
	if err != nil {
		return nil, err
	}
	out := make([]comment, len(list))
	for i, c := range list {
		out[i] = comment{Comment: c}
		if c.BodyVisible != "" && len(c.BodyVisible) < len(c.Body) {
			out[i].Folded = strings.TrimSpace(c.Body[len(c.BodyVisible):])
			out[i].Body = c.BodyVisible
		}
		if c.HTML != "" {
			// The HTML was sanitised on intake; it is shown inside a
			// sandboxed frame that runs no script, with inline images
			// served by the workspace.
			out[i].HTML = strings.ReplaceAll(c.HTML, "/api/v1/attachments/", "/attachments/")
		}
	}
	return out, nil
}

// sidePanel fills in who the ticket is for and what it is connected to.
func (s *Server) sidePanel(ctx context.Context, v *Viewer, d *ticketPage) error {
	t := d.T
	var err error
	if d.Requester, err = s.Directory.FindContact(ctx, t.Requester.ID); err != nil {
		return err
	}
	if t.CompanyID != nil {
		c, err := s.Directory.FindCompany(ctx, *t.CompanyID)
		if err != nil {
			return err
		}
		d.Company = &c
		if c.PlanID != nil {
			if p, err := s.Directory.FindPlan(ctx, *c.PlanID); err == nil {
				d.Plan = &p
			}
		}
		if d.Company2, err = s.related(ctx, v, d.Names, ticket.Filter{CompanyID: t.CompanyID}, t.ID); err != nil {
			return err
		}
	}
	if d.Others, err = s.related(ctx, v, d.Names, ticket.Filter{RequesterID: &t.Requester.ID}, t.ID); err != nil {
		return err
	}
	if d.Children, err = s.related(ctx, v, d.Names, ticket.Filter{ParentID: &t.ID, Statuses: ticket.Statuses}, t.ID); err != nil {
		return err
	}
	if t.ParentID != nil {
		if p, err := s.Tickets.FindTicket(ctx, v.P, *t.ParentID); err == nil {
			d.Parent = &p
		}
	}
	d.Links, err = s.Tickets.Links(ctx, v.P, t.ID)
	return err
}

// related lists up to five other tickets matching f, open ones unless f
// says otherwise.
func (s *Server) related(ctx context.Context, v *Viewer, lk lookups, f ticket.Filter, except int64) ([]row, error) {
	if f.Statuses == nil {
		f.Statuses = openStatuses
	}
	f.PerPage, f.Sort = 6, "-updated_at"
	list, _, err := s.Tickets.FindTickets(ctx, v.P, f)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, t := range list {
		if t.ID != except && len(out) < 5 {
			out = append(out, t)
		}
	}
	return s.rows(ctx, lk, out)
}
