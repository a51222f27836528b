package app

import (
	"context"
	"time"

	"linedesk/internal/ticket"
)

// planPortal is the portal as the clients' plans shape it: whose plan
// includes the portal, when a customer may expect an answer, and which
// knowledge-base articles limited to plans they read.
type planPortal struct{ a *App }

// PlanOf is the plan the contact is served under (their company's, else
// the default one); nil when there is none.
func (p planPortal) PlanOf(ctx context.Context, contactID int64) (*int64, error) {
	plan, ok, err := p.a.SLA.PlanForContact(ctx, contactID)
	if err != nil || !ok {
		return nil, err
	}
	return &plan.ID, nil
}

// PortalAllowed follows the contact's plan (the company's, else the
// default one); a desk without plans lets everyone in. A contact refused
// is pointed to the address the portal's own mail leaves from.
func (p planPortal) PortalAllowed(ctx context.Context, contactID int64) (bool, string, error) {
	plan, ok, err := p.a.SLA.PlanForContact(ctx, contactID)
	if err != nil || !ok || plan.PortalAccess {
		return err == nil, "", err
	}
	return false, p.supportAddress(ctx), nil
}

func (p planPortal) supportAddress(ctx context.Context) string {
	id, err := p.a.Portal.Sender(ctx)
	if err != nil || id == 0 {
		return ""
	}
	m, err := p.a.Mailboxes.FindMailbox(ctx, id)
	if err != nil {
		return ""
	}
	return m.Address
}

// AnswerBy is the deadline of the answer the customer waits for: the
// first response, or the next one after their reply, while its clock
// runs and it has not passed.
func (planPortal) AnswerBy(_ context.Context, t ticket.Ticket) (time.Time, bool, error) {
	for _, target := range []*ticket.SLATarget{t.SLA.FirstResponse, t.SLA.NextResponse} {
		if target != nil && target.State == ticket.SLARunning && target.DueAt != nil && target.DueAt.After(time.Now()) {
			return *target.DueAt, true, nil
		}
	}
	return time.Time{}, false, nil
}
