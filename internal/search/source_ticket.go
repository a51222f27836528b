package search

import (
	"context"
	"strconv"
	"strings"

	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

// The kinds of document Linedesk itself indexes.
const (
	KindTicket  = "ticket"
	KindContact = "contact"
	KindCompany = "company"
)

// TicketSource is tickets as documents: the subject as the title, the
// number and tags as keywords, the description and public replies for
// everyone who may see the ticket, internal notes for agents only.
type TicketSource struct {
	tickets *ticket.Service
}

// NewTicketSource returns the ticket kind.
func NewTicketSource(t *ticket.Service) *TicketSource { return &TicketSource{tickets: t} }

// Kind is "ticket".
func (s *TicketSource) Kind() string { return KindTicket }

// Keys are every filter the query language has.
func (s *TicketSource) Keys() []string {
	return []string{KeyStatus, KeyPriority, KeyType, KeyChannel, KeyGroup, KeyAssignee, KeyFollower, KeyFrom, KeyCompany,
		KeyTag, KeyNumber, KeyLine, KeyParent}
}

// Load reads tickets and their conversations.
func (s *TicketSource) Load(ctx context.Context, ids []int64) ([]Document, error) {
	list, err := s.tickets.TicketsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	conv, err := s.tickets.Conversations(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Document, len(list))
	for i, t := range list {
		out[i] = ticketDoc(t, conv[t.ID])
	}
	return out, nil
}

func ticketDoc(t ticket.Ticket, conv []ticket.ConversationText) Document {
	d := Document{Kind: KindTicket, ID: t.ID, Title: t.Subject, Keywords: ticket.Number(t.Number) + " " + strings.Join(t.Tags, " "),
		Updated: t.UpdatedAt, Open: t.Status != ticket.StatusSolved && t.Status != ticket.StatusClosed,
		Number: t.Number, Status: string(t.Status)}
	d.Parts = append(d.Parts, Part{Text: t.Description})
	for _, c := range conv {
		text := c.Text
		if len(c.Files) > 0 {
			text += "\n" + strings.Join(c.Files, " ")
		}
		d.Parts = append(d.Parts, Part{Text: text, Internal: !c.Public})
	}
	d.Facets = []string{Facet(KeyStatus, string(t.Status)), Facet(KeyPriority, string(t.Priority)),
		Facet(KeyType, string(t.Type)), Facet(KeyChannel, string(t.Channel)), Facet(KeyGroup, ref(t.GroupID)),
		Facet(KeyAssignee, ref(t.AssigneeID)), Facet(KeyFrom, strconv.FormatInt(t.Requester.ID, 10)),
		Facet(KeyCompany, ref(t.CompanyID)), Facet(KeyNumber, strconv.FormatInt(t.Number, 10)),
		Facet(KeyLine, strconv.Itoa(t.Line)), Facet(KeyParent, ref(t.ParentID))}
	for _, f := range t.FollowerIDs {
		d.Facets = append(d.Facets, Facet(KeyFollower, strconv.FormatInt(f, 10)))
	}
	for _, tag := range t.Tags {
		d.Facets = append(d.Facets, Facet(KeyTag, tag))
	}
	return d
}

// ref is a reference's facet value: its id, or "none".
func ref(id *int64) string {
	if id == nil {
		return None
	}
	return strconv.FormatInt(*id, 10)
}

// IDs lists ticket ids for a rebuild.
func (s *TicketSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.tickets.IDsAfter(ctx, after, limit)
}

// Count says how many tickets there are.
func (s *TicketSource) Count(ctx context.Context) (int, error) { return s.tickets.CountAll(ctx) }

// Access follows the ticket visibility rule: administrators and
// supervisors find every ticket; an agent those of their groups, those in
// no group, those assigned to them and those they follow; a customer
// their own tickets, and their company's when they manage them.
func (s *TicketSource) Access(_ context.Context, v Viewer) (Access, error) {
	if v.Agent != nil {
		return agentAccess(*v.Agent), nil
	}
	c := v.Contact
	a := Access{Any: []string{Facet(KeyFrom, strconv.FormatInt(c.ContactID, 10))}}
	if c.CompanyWide && c.CompanyID != nil {
		a.Any = append(a.Any, Facet(KeyCompany, strconv.FormatInt(*c.CompanyID, 10)))
	}
	return a, nil
}

func agentAccess(p auth.Principal) Access {
	if p.SeesAllTickets() {
		return Access{All: true}
	}
	me := strconv.FormatInt(p.AgentID, 10)
	a := Access{Any: []string{Facet(KeyGroup, None), Facet(KeyAssignee, me), Facet(KeyFollower, me)}}
	for _, g := range p.GroupIDs {
		a.Any = append(a.Any, Facet(KeyGroup, strconv.FormatInt(g, 10)))
	}
	return a
}

// Allowed asks the ticket domain who may open the tickets now.
func (s *TicketSource) Allowed(ctx context.Context, v Viewer, ids []int64) ([]int64, error) {
	if v.Agent != nil {
		return s.tickets.VisibleIDs(ctx, *v.Agent, ids)
	}
	var company *int64
	if v.Contact.CompanyWide {
		company = v.Contact.CompanyID
	}
	return s.tickets.RequestedIDs(ctx, v.Contact.ContactID, company, ids)
}

// forRequester calls fn with the ids of a contact's tickets, a page at a
// time.
func (s *TicketSource) forRequester(ctx context.Context, contactID int64, fn func([]int64) error) error {
	for page := 1; ; page++ {
		list, _, err := s.tickets.FindTickets(ctx, auth.System(), ticket.Filter{RequesterID: &contactID, Page: page,
			PerPage: 200, Sort: "number"})
		if err != nil {
			return err
		}
		ids := make([]int64, len(list))
		for i, t := range list {
			ids[i] = t.ID
		}
		if len(ids) > 0 {
			if err := fn(ids); err != nil {
				return err
			}
		}
		if len(list) < 200 {
			return nil
		}
	}
}
