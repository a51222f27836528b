// Package portal is the customers' side of Linedesk: their accounts and
// how they get one (invitation, self-registration under the
// administrator's policy, approval), sign-in by password or one-time
// link, the tickets they open and answer, their ratings of solved
// tickets, and the web forms that client sites embed. It knows nothing of
// HTTP.
package portal

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// PlanPolicy says whether a contact's plan includes the portal. A contact
// it refuses is told whom to contact instead (contactInstead; empty for
// the usual support channels).
type PlanPolicy interface {
	PortalAllowed(ctx context.Context, contactID int64) (allowed bool, contactInstead string, err error)
}

// AllowAll is the PlanPolicy of a desk whose plans do not limit the
// portal: everyone may use it.
type AllowAll struct{}

// PortalAllowed lets every contact in.
func (AllowAll) PortalAllowed(context.Context, int64) (bool, string, error) { return true, "", nil }

// Promise tells a customer when to expect an answer on their ticket ("we
// will answer by …"); ok is false when there is nothing to promise.
type Promise interface {
	AnswerBy(ctx context.Context, t ticket.Ticket) (at time.Time, ok bool, err error)
}

// NoPromise promises nothing: no deadline is shown.
type NoPromise struct{}

// AnswerBy promises nothing.
func (NoPromise) AnswerBy(context.Context, ticket.Ticket) (time.Time, bool, error) {
	return time.Time{}, false, nil
}

// Blocklist tells blocked sender domains; *mailbox.Service is one.
type Blocklist interface {
	IsBlockedDomain(ctx context.Context, domain string) (bool, error)
}

// Senders names the mailbox the portal's mail leaves from when the
// settings name none; *mailbox.Service is one.
type Senders interface {
	FirstSender(ctx context.Context) (int64, error)
}

// Deps are the services the portal builds on.
type Deps struct {
	DB        *db.DB
	Log       *slog.Logger
	Directory *directory.Service
	Tickets   *ticket.Service
	Files     *attachment.Service
	Auth      *auth.Service // sign-in limits
	Jobs      *job.Queue
	Blocked   Blocklist
	Senders   Senders
	Policy    PlanPolicy // nil: AllowAll
}

// Config tunes the portal.
type Config struct {
	// Key signs links, rating tokens and form timestamps; at least 32
	// bytes, kept secret (derived from LINEDESK_SECRET_KEY).
	Key []byte
	// BaseURL starts the links in mail, e.g. https://help.example.
	BaseURL string
	// MinFillTime is how long a person needs at least to fill in a web
	// form; a faster submission is a robot's. Default 3 s.
	MinFillTime time.Duration
}

// Service is the portal's domain.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	dir     *directory.Service
	tickets *ticket.Service
	files   *attachment.Service
	auth    *auth.Service
	jobs    *job.Queue
	blocked Blocklist
	senders Senders
	policy  PlanPolicy
	cfg     Config
	now     func() time.Time
	dummy   func() string // a password hash to check when there is no real one
}

// NewService returns the portal's domain service.
func NewService(d Deps, cfg Config) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.Policy == nil {
		d.Policy = AllowAll{}
	}
	if cfg.MinFillTime <= 0 {
		cfg.MinFillTime = 3 * time.Second
	}
	return &Service{db: d.DB, log: d.Log, dir: d.Directory, tickets: d.Tickets, files: d.Files, auth: d.Auth,
		jobs: d.Jobs, blocked: d.Blocked, senders: d.Senders, policy: d.Policy, cfg: cfg, now: db.Now,
		dummy: sync.OnceValue(func() string { h, _ := auth.HashPassword(auth.RandomPassword()); return h })}
}

// Refusal is the portal saying no to a person, with the reason a page
// explains in their language.
type Refusal struct {
	Why     string // one of the Refused… reasons
	Instead string // whom to contact instead, when the plan says
}

// Reasons of a Refusal.
const (
	RefusedBlocked   = "blocked"    // the contact or their domain is blocked
	RefusedPending   = "pending"    // the account awaits an administrator's approval
	RefusedRevoked   = "revoked"    // the account was closed
	RefusedPlan      = "plan"       // the plan does not include the portal
	RefusedClosed    = "closed"     // self-registration is switched off
	RefusedDomain    = "domain"     // self-registration is open to clients' domains only
	RefusedSpam      = "spam"       // a form's hidden field was filled in
	RefusedTooFast   = "too_fast"   // a form was sent faster than a person can
	RefusedStale     = "stale"      // a form was opened too long ago
	RefusedTooMany   = "too_many"   // too many submissions in a few minutes
	RefusedOrigin    = "origin"     // a form was posted from a site it is not allowed on
	RefusedLinkBad   = "link_bad"   // a link that never was valid
	RefusedLinkUsed  = "link_used"  // a one-time link used already
	RefusedLinkStale = "link_stale" // a link past its lifetime
)

func (r *Refusal) Error() string { return "portal refused: " + r.Why }

func refuse(why string) error { return &Refusal{Why: why} }
