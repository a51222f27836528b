package sla

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

// fire tells what is due on one ticket, once each: the warning of a
// running target past its warning share, the breach of a target missed
// (then the plan's escalation), and the breach of a target met late. The
// moment each is told is kept on its clock, so neither another run nor a
// recomputed deadline tells it again.
func (s *Service) fire(ctx context.Context, tx *sql.Tx, t ticket.Ticket, r *record, now time.Time) error {
	sv, err := s.servedUnder(ctx, tx, t.CompanyID)
	if err != nil {
		return err
	}
	plan, havePlan, cal := sv.Plan, sv.ok, sv.cal
	if !sameID(r.CalendarID, plan.CalendarID) || !havePlan {
		if cal, err = s.calendar(ctx, tx, r.CalendarID); err != nil {
			return err
		}
	}
	var escalateFor []Target
	for _, target := range AllTargets {
		c := r.clocks[target]
		if c == nil {
			continue
		}
		switch {
		case c.BreachedAt == nil && c.Missed(cal, now):
			c.BreachedAt = &now
			if c.WarnedAt == nil {
				c.WarnedAt = &now // past warning: the breach says it all
			}
			acts := havePlan && c.State == Running && plan.Escalation.Acts(target)
			if err := s.tellBreach(ctx, tx, t, r, c, plan, acts); err != nil {
				return err
			}
			if acts {
				escalateFor = append(escalateFor, target)
			}
		case c.State == Running && c.WarnedAt == nil && !now.Before(*c.WarnAt):
			c.WarnedAt = &now
			if err := s.tellWarning(ctx, tx, t, r, c, cal, now); err != nil {
				return err
			}
		}
	}
	if len(escalateFor) > 0 {
		if err := s.escalate(ctx, tx, t, r, plan, escalateFor, now); err != nil {
			return err
		}
	}
	return s.save(ctx, tx, r)
}

func (s *Service) tellWarning(ctx context.Context, tx *sql.Tx, t ticket.Ticket, r *record, c *Clock, cal *Calendar, now time.Time) error {
	reason := fmt.Sprintf("%s target at risk (plan %s): %d%% of %s used, %s left, due %s", targetName(c.Target), r.PlanName,
		r.WarnPercent, hours(c.Allowed), hours(c.Remaining(cal, now)), c.DueAt.UTC().Format("2006-01-02 15:04 UTC"))
	return s.tickets.RecordTx(ctx, tx, auth.System(), t.ID, ticket.AutoEvent{Kind: ticket.EventSLAWarning, Field: string(c.Target),
		To: c.DueAt.UTC().Format(time.RFC3339), Reason: reason})
}

func (s *Service) tellBreach(ctx context.Context, tx *sql.Tx, t ticket.Ticket, r *record, c *Clock, plan Plan, acts bool) error {
	reason := fmt.Sprintf("%s target breached (plan %s)", targetName(c.Target), r.PlanName)
	if c.State == Stopped {
		reason = fmt.Sprintf("%s target met late (plan %s): %s used of %s", targetName(c.Target), r.PlanName,
			hours(c.Used), hours(c.Allowed))
	}
	e := ticket.AutoEvent{Kind: ticket.EventSLABreached, Field: string(c.Target), Reason: reason}
	if c.DueAt != nil {
		e.To = c.DueAt.UTC().Format(time.RFC3339)
	}
	if acts {
		e.NotifyAgentID = plan.Escalation.NotifyAgentID
	}
	return s.tickets.RecordTx(ctx, tx, auth.System(), t.ID, e)
}

// escalate applies the plan's escalation once for the targets just
// breached: the next line and/or the named group, a priority one step
// higher. Each change is in the history with the reason. The changes
// move the clocks too (a new priority's targets, a new line's stay).
func (s *Service) escalate(ctx context.Context, tx *sql.Tx, t ticket.Ticket, r *record, plan Plan, targets []Target, now time.Time) error {
	e := plan.Escalation
	var names []string
	for _, tg := range targets {
		names = append(names, targetName(tg))
	}
	why := fmt.Sprintf("%s target breached (plan %s)", strings.Join(names, " and "), plan.Name)
	after := t
	move := ticket.Escalation{GroupID: e.GroupID}
	if e.NextLine && t.Line < 4 {
		move.Line = t.Line + 1
		if move.GroupID == nil {
			g, err := lineGroup(ctx, tx, move.Line, t.GroupID)
			if err != nil {
				return err
			}
			move.GroupID = g
		}
	}
	if move.GroupID != nil && t.GroupID != nil && *move.GroupID == *t.GroupID {
		move.GroupID = nil
	}
	if move.Line != 0 || move.GroupID != nil {
		move.Reason = why + ": " + s.moveText(ctx, move)
		moved, err := s.tickets.EscalateTx(ctx, tx, auth.System(), t.ID, move, Source)
		if err = skippable(err, s, t, "escalation"); err != nil {
			return err
		}
		if moved.ID != 0 {
			after = moved
		}
	}
	if e.RaisePriority && after.Priority.Rank() < ticket.PriorityUrgent.Rank() {
		next := ticket.Priorities[after.Priority.Rank()+1]
		raised, err := s.tickets.ApplyTx(ctx, tx, t.ID, ticket.Update{Priority: &next}, Source,
			why+": priority raised to "+string(next))
		if err = skippable(err, s, t, "priority"); err != nil {
			return err
		}
		if raised.ID != 0 {
			after = raised
		}
	}
	if after.Version == t.Version {
		return nil
	}
	return s.apply(ctx, tx, r, ticket.Change{Kind: ticket.ChangeUpdated, Before: t, After: after}, now)
}

// skippable lets a breach be recorded when its escalation cannot be
// applied (the ticket is already where the plan would send it): the
// ticket service checks before it writes, so nothing was changed.
func skippable(err error, s *Service, t ticket.Ticket, what string) error {
	if err == nil {
		return nil
	}
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		s.log.Warn("SLA escalation skipped", "ticket", t.Number, "step", what, "err", err)
		return nil
	}
	return err
}

// moveText says where an escalation sends a ticket, for its reason.
func (s *Service) moveText(ctx context.Context, m ticket.Escalation) string {
	var parts []string
	if m.Line != 0 {
		parts = append(parts, fmt.Sprintf("escalated to line %d", m.Line))
	}
	if m.GroupID != nil {
		name := fmt.Sprintf("group %d", *m.GroupID)
		if g, err := s.dir.FindGroup(ctx, *m.GroupID); err == nil {
			name = g.Name
		}
		parts = append(parts, "moved to "+name)
	}
	return strings.Join(parts, ", ")
}

func targetName(t Target) string { return strings.ReplaceAll(string(t), "_", " ") }

// hours writes a duration as "2 h 30 min" for history entries.
func hours(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%s%d min", sign, m)
	case m == 0:
		return fmt.Sprintf("%s%d h", sign, h)
	}
	return fmt.Sprintf("%s%d h %d min", sign, h, m)
}
