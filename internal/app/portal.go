package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"

	"linedesk/internal/portal"
	webportal "linedesk/internal/web/portal"
)

// Option changes how Open builds Linedesk.
type Option func(*options)

type options struct {
	policy  portal.PlanPolicy
	promise portal.Promise
}

// WithPortalPolicy decides which contacts' plans include the customer
// portal; without it, the plans' portal access does.
func WithPortalPolicy(p portal.PlanPolicy) Option { return func(o *options) { o.policy = p } }

// WithPromise tells customers in the portal when to expect an answer;
// without it, the ticket's first- or next-response deadline does.
func WithPromise(p portal.Promise) Option { return func(o *options) { o.promise = p } }

// openPortal builds the customers' side: accounts, links, ratings and
// web forms. Its mail goes out through outbound as letters; the "solved"
// mail carries the ticket's rating link.
func (a *App) openPortal(secret string, o options) {
	if o.policy == nil {
		o.policy = planPortal{a}
	}
	if o.promise == nil {
		o.promise = planPortal{a}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("linedesk portal key"))
	a.Portal = portal.NewService(portal.Deps{DB: a.DB, Log: a.Log, Directory: a.Directory, Tickets: a.Tickets,
		Files: a.Attachments, Auth: a.Auth, Jobs: a.Jobs, Blocked: a.Mailboxes, Senders: a.Mailboxes, Policy: o.policy},
		portal.Config{Key: mac.Sum(nil), BaseURL: a.Config.BaseURL})
	a.promise = o.promise
	a.outbound.RegisterLetter(portal.LetterLink, a.Portal.LinkLetter)
}

// rateURL is the rating link of a solved ticket, for its mail.
func (a *App) rateURL(ctx context.Context, ticketID int64) (string, error) {
	return a.Portal.RateURL(ctx, ticketID)
}

// PortalPromise is what the portal tells customers of answer times.
func (a *App) PortalPromise() portal.Promise { return a.promise }

// PortalPlans tells the portal which plan each contact is under, for the
// knowledge-base articles limited to plans.
func (a *App) PortalPlans() webportal.PlanFinder { return planPortal{a} }
