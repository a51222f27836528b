package routing

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

// DryRun is a ticket to try the rules on: an existing one (TicketID), or
// fields as a new ticket would arrive with them.
type DryRun struct {
	TicketID     int64  `json:"ticket_id"`
	Event        string `json:"event"`         // created (default) or updated, for an existing ticket
	ChangedField string `json:"changed_field"` // the field an update changed

	Subject        string          `json:"subject"`
	Body           string          `json:"body"`
	Channel        ticket.Channel  `json:"channel"`
	RequesterEmail string          `json:"requester_email"`
	CompanyID      *int64          `json:"company_id"`
	MailboxID      *int64          `json:"mailbox_id"`
	Priority       ticket.Priority `json:"priority"`
	Type           ticket.Type     `json:"type"`
	Line           int             `json:"line"`
	GroupID        *int64          `json:"group_id"`
	Tags           []string        `json:"tags"`
	CustomFields   map[string]any  `json:"custom_fields"`
	At             *time.Time      `json:"at"` // the moment the ticket arrives; now when nil
}

// DryResult is what the rules would do: each rule looked at, in order,
// and the ticket before and after.
type DryResult struct {
	Before ticket.Ticket `json:"before"`
	After  ticket.Ticket `json:"after"`
	Steps  []Step        `json:"steps"`
	At     time.Time     `json:"at"`
}

// errDryRun rolls a dry run back once its result is known.
var errDryRun = errors.New("dry run")

// Try runs the rules on a ticket exactly as a real creation or change
// would — the same hooks, the same checks, the assignment after them —
// inside a transaction that is rolled back: nothing is saved, no reply
// is sent, no counter moves.
func (s *Service) Try(ctx context.Context, in DryRun) (DryResult, error) {
	tr := &trace{}
	at := s.now()
	if in.At != nil {
		at = *in.At
	}
	ctx = context.WithValue(context.WithValue(ctx, traceKey{}, tr), clockKey{}, at)
	res := DryResult{At: at}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if in.TicketID != 0 {
			err = s.tryExisting(ctx, tx, in, &res)
		} else {
			err = s.tryNew(ctx, tx, in, &res)
		}
		if err != nil {
			return err
		}
		if res.After, err = s.tickets.FindTicketTx(ctx, tx, auth.System(), res.Before.ID); err != nil {
			return err
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return DryResult{}, err
	}
	res.Steps = tr.steps
	if res.Steps == nil {
		res.Steps = []Step{}
	}
	return res, nil
}

func (s *Service) tryNew(ctx context.Context, tx *sql.Tx, in DryRun, res *DryResult) error {
	if strings.TrimSpace(in.RequesterEmail) == "" {
		return apperr.Field("requester_email", "the requester's e-mail is needed (a new address is fine)")
	}
	if in.Subject == "" {
		in.Subject = "(no subject)"
	}
	nt := ticket.NewTicket{Subject: in.Subject, Description: in.Body, Channel: in.Channel,
		Requester: ticket.RequesterRef{Email: in.RequesterEmail}, CompanyID: in.CompanyID, MailboxID: in.MailboxID,
		Priority: in.Priority, Type: in.Type, Line: in.Line, GroupID: in.GroupID, Tags: in.Tags, CustomFields: in.CustomFields}
	// CreateTicketTx answers the ticket as it was written, before the
	// hooks (the rules among them) changed it.
	t, err := s.tickets.CreateTicketTx(ctx, tx, auth.System(), nt)
	res.Before = t
	return err
}

func (s *Service) tryExisting(ctx context.Context, tx *sql.Tx, in DryRun, res *DryResult) error {
	t, err := s.tickets.FindTicketTx(ctx, tx, auth.System(), in.TicketID)
	if err != nil {
		return apperr.Field("ticket_id", "no ticket %d", in.TicketID)
	}
	res.Before = t
	rules, err := s.enabledRules(ctx, tx)
	if err != nil {
		return err
	}
	ev := event{kind: OnCreate, changed: map[string]bool{}}
	if in.Event == OnUpdate {
		ev.kind = OnUpdate
		if in.ChangedField != "" {
			ev.changed[in.ChangedField] = true
		}
	}
	_, err = s.run(ctx, tx, t, rules, ev)
	return err
}
