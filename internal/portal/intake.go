package portal

import (
	"context"
	"database/sql"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

// NewTicket is a request a customer opens in the portal.
type NewTicket struct {
	Subject     string
	Description string
	Fields      map[string]any // values of the custom fields shown in the portal, by key
	Files       []ticket.Upload
}

// PortalFields are the active custom fields the administrator chose to
// show in the portal, in display order.
func (s *Service) PortalFields(ctx context.Context) ([]ticket.Field, error) {
	all, err := s.tickets.FindFields(ctx)
	if err != nil {
		return nil, err
	}
	out := []ticket.Field{}
	for _, f := range all {
		if f.Active && f.Portal {
			out = append(out, f)
		}
	}
	return out, nil
}

// OpenTicket opens a ticket for the customer, from the portal, with the
// "ticket received" mail. Only custom fields shown in the portal are
// taken; a required one must be filled in.
func (s *Service) OpenTicket(ctx context.Context, a Account, in NewTicket) (ticket.Ticket, error) {
	if strings.TrimSpace(in.Description) == "" {
		return ticket.Ticket{}, apperr.Field("description", "is required: describe what happened")
	}
	fields, err := s.portalValues(ctx, in.Fields)
	if err != nil {
		return ticket.Ticket{}, err
	}
	mailbox, err := s.Sender(ctx)
	if err != nil {
		return ticket.Ticket{}, err
	}
	nt := ticket.NewTicket{Subject: in.Subject, Description: in.Description, Requester: ticket.RequesterRef{ID: &a.ContactID},
		Channel: ticket.ChannelPortal, CustomFields: fields, Files: in.Files, ByRequester: true}
	if mailbox != 0 {
		nt.MailboxID = &mailbox
	}
	var t ticket.Ticket
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = s.tickets.CreateTicketTx(ctx, tx, auth.System(), nt); err != nil {
			return err
		}
		return s.received(ctx, tx, t)
	})
	if err != nil {
		return ticket.Ticket{}, err
	}
	s.jobs.Wake()
	return t, nil
}

// portalValues keeps the values of the portal's fields and refuses a
// required one left empty.
func (s *Service) portalValues(ctx context.Context, values map[string]any) (map[string]any, error) {
	fields, err := s.PortalFields(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range fields {
		v, ok := values[f.Key]
		if ok && v != nil && v != "" {
			out[f.Key] = v
		} else if f.Required {
			return nil, apperr.Field("custom_fields."+f.Key, "%s is required", f.Label)
		}
	}
	return out, nil
}

// Reply adds the customer's words (and files) to the public conversation
// of a ticket they may see; a solved ticket opens again.
func (s *Service) Reply(ctx context.Context, a Account, ticketID int64, body string, files []ticket.Upload) error {
	if err := s.tickets.CanCustomerView(ctx, a.Customer(), ticketID); err != nil {
		return err
	}
	_, err := s.tickets.AddComment(ctx, auth.System(), ticketID, ticket.NewComment{Body: body, Public: true,
		AuthorContactID: &a.ContactID, Channel: ticket.ChannelPortal, Files: files})
	return err
}

// SetStatus applies the customer's "my problem is solved" (solved) or
// "reopen" (open).
func (s *Service) SetStatus(ctx context.Context, a Account, ticketID int64, to ticket.Status) (ticket.Ticket, error) {
	return s.tickets.CustomerSetStatus(ctx, a.Customer(), ticketID, to)
}
