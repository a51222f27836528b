package routing

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// History entries routing writes besides the changes themselves.
const (
	// EventRuleFailed: Field is the rule's name, To why it could not
	// apply. The ticket keeps going through the rules after it.
	EventRuleFailed = "rule_failed"
	// EventRuleReplied: Field is the rule's name, To the canned
	// response's name (or why the reply was not sent, in Reason).
	EventRuleReplied = "rule_replied"
)

// Reason is the reason a rule's changes carry in the history.
func Reason(ruleName string) string { return "rule '" + ruleName + "'" }

// RuleOfReason returns the rule's name from a history entry's reason.
func RuleOfReason(reason string) (string, bool) {
	name, ok := strings.CutPrefix(reason, "rule '")
	if !ok || !strings.HasSuffix(name, "'") {
		return "", false
	}
	return strings.TrimSuffix(name, "'"), true
}

// TicketChanged runs the rules on a ticket change, inside its
// transaction. Routing's own changes are not looked at (nor are
// Linedesk's own comments, which include the rules' replies); a rule
// that fails is recorded on the ticket and the next rules still run.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	if c.Source == Source || c.Kind == ticket.ChangeCommentEdited {
		return nil
	}
	automatic := c.Comment != nil && c.Comment.Automatic
	if automatic {
		if err := cancelReplies(ctx, tx, c.After.ID); err != nil {
			return err
		}
	}
	if c.Comment != nil && c.Comment.AuthorType == "system" {
		return nil
	}
	rules, err := s.enabledRules(ctx, tx)
	if err != nil || len(rules) == 0 {
		return err
	}
	ev := event{kind: OnUpdate, changed: changedFields(c), automatic: automatic}
	if c.Kind == ticket.ChangeCreated {
		ev.kind = OnCreate
	}
	_, err = s.run(ctx, tx, c.After, rules, ev)
	return err
}

// event is what a run looks at rules for.
type event struct {
	kind      string // created or updated
	changed   map[string]bool
	automatic bool // the change is automatic mail: no reply answers it
}

func changedFields(c ticket.Change) map[string]bool {
	out := map[string]bool{}
	for _, e := range c.Events {
		switch {
		case e.Kind == ticket.EventCommented:
			out["comment"] = true
		case strings.HasPrefix(e.Field, "custom_fields."):
			out["custom_fields"] = true
		case e.Field != "":
			out[e.Field] = true
		}
	}
	return out
}

func (r *compiled) wants(ev event) bool {
	if ev.kind == OnCreate {
		return r.OnCreate()
	}
	return r.OnUpdate() && (r.ChangedField == "" || ev.changed[r.ChangedField])
}

// run looks at the rules in order for ticket t: each rule that holds
// changes the ticket before the next is looked at, so later rules see
// what earlier ones set. The rules are worked out in memory first and
// their changes written together, each history entry in its own rule's
// name; when one of them is refused (or a hook fails), the run is undone
// and made again rule by rule, each rule in a savepoint of its own, so
// that only the failing rule is left out and recorded.
func (s *Service) run(ctx context.Context, tx *sql.Tx, t ticket.Ticket, rules []*compiled, ev event) (ticket.Ticket, error) {
	if failedOf(ctx) == nil {
		ctx = context.WithValue(ctx, failedKey{}, map[int64]bool{})
	}
	steps, fired := s.evaluate(ctx, tx, t, rules, ev)
	if len(fired) == 0 {
		traceOf(ctx).add(steps...)
		return t, nil
	}
	var next ticket.Ticket
	err := db.Savepoint(ctx, tx, "routing_run", func() error {
		var err error
		next, err = s.applyAll(ctx, tx, t, fired, ev)
		return err
	})
	switch {
	case err == nil:
		traceOf(ctx).add(steps...)
		return next, nil
	case errors.Is(err, db.ErrSavepoint):
		return t, err
	}
	return s.runEach(ctx, tx, t, rules, ev)
}

// firing is a rule that holds, with what it changes.
type firing struct {
	rule    *compiled
	update  ticket.Update
	replyID *int64
}

// evaluate looks at the rules in memory, as they would apply.
func (s *Service) evaluate(ctx context.Context, tx *sql.Tx, t ticket.Ticket, rules []*compiled, ev event) ([]Step, []firing) {
	f := &facts{s: s, ctx: ctx, q: tx, t: t, now: s.clock(ctx)}
	var steps []Step
	var fired []firing
	for _, r := range rules {
		if !r.wants(ev) {
			continue
		}
		ok, failed, err := f.holds(r)
		step := Step{Rule: r.Rule, Matched: ok && err == nil, FailedCondition: failed}
		if err != nil {
			step.Error = safeMessage(err)
		}
		if !step.Matched {
			steps = append(steps, step)
			continue
		}
		u, changes, replyID := s.plan(r, f.t)
		step.Changes, step.ReplyID, step.Stopped = changes, replyID, r.Stop
		steps = append(steps, step)
		fired = append(fired, firing{rule: r, update: u, replyID: replyID})
		f.t = simulate(f.t, u)
		if r.Stop {
			break
		}
	}
	return steps, fired
}

// errRefused undoes a run one of whose rules was refused.
var errRefused = errors.New("a rule was refused")

// applyAll writes every firing rule's changes in one ticket change, then
// their replies and counters.
func (s *Service) applyAll(ctx context.Context, tx *sql.Tx, t ticket.Ticket, fired []firing, ev event) (ticket.Ticket, error) {
	var steps []ticket.Step
	for _, fr := range fired {
		if !emptyUpdate(fr.update) {
			steps = append(steps, ticket.Step{Update: fr.update, Reason: Reason(fr.rule.Name)})
		}
	}
	next := t
	if len(steps) > 0 {
		var refused []error
		var err error
		next, refused, err = s.tickets.ApplyStepsTx(ctx, tx, t.ID, steps, Source)
		if err != nil {
			return t, err
		}
		for _, e := range refused {
			if e != nil {
				return t, errRefused
			}
		}
	}
	for _, fr := range fired {
		if fr.replyID != nil {
			if err := s.queueReply(ctx, tx, fr.rule.Rule, t.ID, *fr.replyID, ev.automatic); err != nil {
				return t, err
			}
		}
		if err := recordApplied(ctx, tx, fr.rule.ID, !failedOf(ctx)[fr.rule.ID]); err != nil {
			return t, err
		}
	}
	return next, nil
}

// runEach applies the rules one at a time, each in its own savepoint: a
// rule that fails is recorded on the ticket and the rule, and the next
// rules still run on the ticket as the rules before left it.
func (s *Service) runEach(ctx context.Context, tx *sql.Tx, t ticket.Ticket, rules []*compiled, ev event) (ticket.Ticket, error) {
	tr := traceOf(ctx)
	f := &facts{s: s, ctx: ctx, q: tx, t: t, now: s.clock(ctx)}
	for _, r := range rules {
		if !r.wants(ev) {
			continue
		}
		ok, failed, err := f.holds(r)
		if err != nil {
			return f.t, err
		}
		step := Step{Rule: r.Rule, Matched: ok, FailedCondition: failed}
		if !ok {
			tr.add(step)
			continue
		}
		u, changes, replyID := s.plan(r, f.t)
		step.Changes, step.ReplyID = changes, replyID
		next, err := s.apply(ctx, tx, r, f.t, u, replyID, ev)
		if err != nil {
			if errors.Is(err, db.ErrSavepoint) {
				return f.t, err
			}
			step.Error = safeMessage(err)
			tr.add(step)
			if err := s.recordFailure(ctx, tx, r, f.t.ID, err); err != nil {
				return f.t, err
			}
			continue
		}
		f.t = next
		step.Stopped = r.Stop
		tr.add(step)
		if r.Stop {
			break
		}
	}
	return f.t, nil
}

// apply makes one rule's changes and counts them, all undone together if
// any part fails.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, r *compiled, t ticket.Ticket, u ticket.Update, replyID *int64,
	ev event) (ticket.Ticket, error) {
	next := t
	err := db.Savepoint(ctx, tx, "routing_rule", func() error {
		var err error
		if !emptyUpdate(u) {
			if next, err = s.tickets.ApplyTx(ctx, tx, t.ID, u, Source, Reason(r.Name)); err != nil {
				return err
			}
		}
		if replyID != nil {
			if err := s.queueReply(ctx, tx, r.Rule, t.ID, *replyID, ev.automatic); err != nil {
				return err
			}
		}
		// A rule that failed deeper in this same change (a loop) stays
		// broken though its outer application went through.
		return recordApplied(ctx, tx, r.ID, !failedOf(ctx)[r.ID])
	})
	return next, err
}

// recordFailure writes why a rule could not apply into the ticket's
// history and onto the rule, which shows as broken.
func (s *Service) recordFailure(ctx context.Context, tx *sql.Tx, r *compiled, ticketID int64, cause error) error {
	msg := safeMessage(cause)
	if failed := failedOf(ctx); failed != nil {
		failed[r.ID] = true
	}
	if apperr.CodeOf(cause) == apperr.Internal {
		s.log.ErrorContext(ctx, "routing rule failed", "rule", r.Name, "ticket", ticketID, "err", cause)
	}
	if err := recordFailed(ctx, tx, r.ID, msg); err != nil {
		return err
	}
	return s.tickets.RecordTx(ctx, tx, auth.System(), ticketID, ticket.AutoEvent{Kind: EventRuleFailed, Field: r.Name,
		To: msg, Reason: Reason(r.Name)})
}

func safeMessage(err error) string {
	if e := apperr.As(err); e != nil {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}

func emptyUpdate(u ticket.Update) bool {
	return u.Priority == nil && u.Type == nil && u.Line == nil && !u.GroupID.Set && !u.AssigneeID.Set &&
		u.Tags == nil && len(u.CustomFields) == 0
}

// failedKey holds the rules that failed in one change and the changes
// it caused, in the hooks' context.
type failedKey struct{}

func failedOf(ctx context.Context) map[int64]bool {
	m, _ := ctx.Value(failedKey{}).(map[int64]bool)
	return m
}

type clockKey struct{}

// clock is the moment rules look at: now, or the moment a dry run asks
// about.
func (s *Service) clock(ctx context.Context) time.Time {
	if t, ok := ctx.Value(clockKey{}).(time.Time); ok {
		return t
	}
	return s.now()
}
