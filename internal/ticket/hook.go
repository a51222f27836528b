package ticket

import (
	"context"
	"database/sql"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Kinds of Change.
const (
	ChangeCreated       = "created"        // a ticket was opened
	ChangeUpdated       = "updated"        // fields changed: an edit, escalation, bulk change, merge, split
	ChangeCommented     = "commented"      // a comment was added (and maybe the status moved with it)
	ChangeCommentEdited = "comment_edited" // a comment's text was replaced
)

// Change is what happened to a ticket, as hooks hear of it.
type Change struct {
	Kind    string
	Before  Ticket // the ticket before the change; zero for ChangeCreated
	After   Ticket // the ticket as written
	Comment *ChangedComment
	By      auth.Principal // who made the change; auth.System() for Linedesk itself
	Source  string         // "" for a person's change; the automation that made it otherwise (see ApplyTx)
	Events  []Event        // the history written with the change
}

// ChangedComment is the comment a change added or edited.
type ChangedComment struct {
	ID         int64
	Body       string
	Public     bool
	AuthorType string // agent, contact or system
	Channel    Channel
	Automatic  bool // automatic mail (an auto-reply): recorded, but no one's words to answer
}

// Hook hears of every change to a ticket inside the change's transaction,
// after the change is written: what it writes commits or rolls back with
// the change, and an error it returns undoes the change. Hooks keep their
// own tables (deadlines, the search index's queue) and may change the
// ticket further through ApplyTx.
type Hook interface {
	TicketChanged(ctx context.Context, tx *sql.Tx, c Change) error
}

// HookFunc is a function as a Hook.
type HookFunc func(ctx context.Context, tx *sql.Tx, c Change) error

// TicketChanged calls f.
func (f HookFunc) TicketChanged(ctx context.Context, tx *sql.Tx, c Change) error {
	return f(ctx, tx, c)
}

// AddHook adds a hook, called after those added before it. Hooks are
// added while the application is wired, before any request is served.
func (s *Service) AddHook(h Hook) {
	s.hooks = append(s.hooks, h)
}

// maxHookDepth bounds how deep hooks may change a ticket that a hook's
// change told them of: automations that keep answering each other are a
// configuration loop, refused rather than run forever.
const maxHookDepth = 4

type hookDepthKey struct{}

func (s *Service) notify(ctx context.Context, tx *sql.Tx, c Change) error {
	if len(s.hooks) == 0 {
		return nil
	}
	depth, _ := ctx.Value(hookDepthKey{}).(int)
	if depth >= maxHookDepth {
		return apperr.Errorf(apperr.Conflict, "automatic changes to ticket %s keep triggering each other; check the rules",
			Number(c.After.Number))
	}
	ctx = context.WithValue(ctx, hookDepthKey{}, depth+1)
	for _, h := range s.hooks {
		if err := h.TicketChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// changeOf is the Change a history describes.
func (h *history) changeOf(before, after Ticket, by auth.Principal) Change {
	c := Change{Kind: ChangeUpdated, Before: before, After: after, By: by, Source: h.source, Comment: h.comment,
		Events: h.events}
	if h.comment != nil {
		c.Kind = ChangeCommented
	}
	return c
}

// ApplyTx changes a ticket on Linedesk's own behalf inside the caller's
// transaction, whatever its version: a routing rule, an SLA breach, a
// macro. source names the automation ("routing", "sla", …) for hooks
// that must not answer their own changes; reason goes into every history
// entry ("rule 'VIP clients'"). It returns the ticket as written; nothing
// changes, and nothing is recorded, when u changes nothing.
func (s *Service) ApplyTx(ctx context.Context, tx *sql.Tx, id int64, u Update, source, reason string) (Ticket, error) {
	t, err := s.load(ctx, tx, id, true)
	if err != nil {
		return Ticket{}, err
	}
	h := history{ticketID: id, by: actor{typ: "system"}, at: db.Now(), source: source, p: auth.System()}
	return s.change(ctx, tx, t, u, &h, reason)
}

// Step is one automation's change to a ticket with its own reason, for
// ApplyStepsTx.
type Step struct {
	Update Update
	Reason string
}

// ApplyStepsTx applies several automations' changes to a ticket at once,
// in order, as one change on Linedesk's behalf (like ApplyTx): each
// history entry carries the reason of the step that made it ("rule
// 'VIP clients'"), the ticket is read and written once, and hooks hear
// of one change. A step whose change is refused (a group deleted since,
// a value the ticket no longer takes) is left out and its error is in
// refused at its index; the others apply. An error of the write itself
// (or of a hook) undoes every step.
func (s *Service) ApplyStepsTx(ctx context.Context, tx *sql.Tx, id int64, steps []Step, source string) (
	t Ticket, refused []error, err error) {
	t, err = s.load(ctx, tx, id, true)
	if err != nil {
		return Ticket{}, nil, err
	}
	h := history{ticketID: id, by: actor{typ: "system"}, at: db.Now(), source: source, p: auth.System()}
	refused = make([]error, len(steps))
	cur := t
	for i, st := range steps {
		next, err := s.apply(ctx, tx, cur, st.Update)
		if err != nil {
			refused[i] = err
			continue
		}
		n := len(h.events)
		diff(&h, cur, next)
		for j := n; j < len(h.events); j++ {
			h.events[j].Reason = st.Reason
		}
		cur = next
	}
	if len(h.events) == 0 {
		return t, refused, nil
	}
	if err := s.save(ctx, tx, t, cur, &h); err != nil {
		return Ticket{}, refused, err
	}
	t, err = s.load(ctx, tx, id, false)
	return t, refused, err
}
