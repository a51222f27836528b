package sla

import (
	"context"
	"database/sql"
	"time"

	"linedesk/internal/ticket"
)

// TicketChanged is the ticket hook: every change to a ticket moves its
// clocks, in the change's transaction. Changes the package makes itself
// (Source) are followed up where they are made.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	if c.Source == Source || !relevant(c) {
		return nil
	}
	r := newRecord(c.After.ID) // a new ticket has none yet
	if c.Kind != ticket.ChangeCreated {
		var err error
		if r, err = loadRecord(ctx, tx, c.After.ID); err != nil {
			return err
		}
	}
	if err := s.apply(ctx, tx, r, c, s.now()); err != nil {
		return err
	}
	if c.Kind == ticket.ChangeCreated && len(r.clocks) == 0 && !r.promised {
		// No deadline to keep, and none to come from a change of the plan:
		// a ticket without a record has never been answered.
		return nil
	}
	return s.save(ctx, tx, r)
}

// relevant reports whether a change can move a clock or a line: a new
// ticket, a comment, or a change of status, priority, company, line or
// group. Tags, subjects and assignees do not.
func relevant(c ticket.Change) bool {
	b, a := c.Before, c.After
	switch c.Kind {
	case ticket.ChangeCreated:
		return true
	case ticket.ChangeCommentEdited:
		return false
	}
	return c.Comment != nil || b.Status != a.Status || b.Priority != a.Priority || !sameID(b.CompanyID, a.CompanyID) ||
		b.Line != a.Line || !sameID(b.GroupID, a.GroupID)
}

// apply brings a ticket's record in line with a change made at now: the
// targets of its plan and priority, what a comment meets or starts, what
// its status pauses or stops, and the line it is at.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, r *record, c ticket.Change, now time.Time) error {
	t := c.After
	sv, err := s.servedUnder(ctx, tx, t.CompanyID)
	if err != nil {
		return err
	}
	cal := sv.cal
	terms := Terms{WarnPercent: defaultWarnPercent}
	r.PlanID, r.PlanName, r.idle = nil, "", sv.idle
	if sv.ok {
		terms, r.PlanID, r.PlanName = sv.Terms, &sv.ID, sv.Name
		// A ticket its plan sets no deadline for now is kept too, so that a
		// change of the plan's targets or channels can give it some.
		r.promised = len(terms.Targets) > 0
		if !terms.AllowsChannel(t.Channel) {
			// The plan does not include the channel the ticket came by:
			// it promises no deadlines for it.
			terms.Targets = nil
		}
	}
	before := cal
	if !sameID(r.CalendarID, terms.CalendarID) {
		if before, err = s.calendar(ctx, tx, r.CalendarID); err != nil {
			return err
		}
	}
	if c.Kind == ticket.ChangeCreated {
		r.OpenedAt = &now
	}
	if !r.exists && c.Kind != ticket.ChangeCreated && t.Status != ticket.StatusNew {
		r.RepliedAt = &t.CreatedAt // a ticket from before deadlines were kept: new no longer, so answered
	}
	r.CalendarID, r.Priority, r.WarnPercent = terms.CalendarID, t.Priority, terms.WarnPercent
	s.retarget(r, before, cal, terms, t, now)
	s.meet(r, cal, terms, c, now)
	settle(r, cal, terms, t.Status, now)
	return s.trackLine(ctx, tx, r, c, cal, now)
}

// retarget sets each target from the plan at the ticket's priority: a
// clock starts when a target begins to apply, goes when the plan drops
// it, and otherwise counts on from now with the new allowance and
// calendar. A stopped clock is history: a target met stays met.
func (s *Service) retarget(r *record, before, cal *Calendar, terms Terms, t ticket.Ticket, now time.Time) {
	for _, target := range AllTargets {
		allowed := terms.Allowed(t.Priority, target)
		c := r.clocks[target]
		switch {
		case c == nil && allowed > 0 && startsNow(r, target, t.Status):
			r.clocks[target] = startClock(cal, target, 1, allowed, now, terms.WarnPercent)
		case c == nil || c.State == Stopped:
		case allowed == 0:
			delete(r.clocks, target)
		default:
			c.Retarget(before, cal, now, allowed, terms.WarnPercent)
		}
	}
}

// startsNow reports whether a target that has no clock yet has something
// to count: a first response not given, a customer's reply not answered,
// a ticket not solved.
func startsNow(r *record, target Target, st ticket.Status) bool {
	if done(st) {
		return false
	}
	switch target {
	case FirstResponse:
		return r.RepliedAt == nil
	case NextResponse:
		return r.RepliedAt != nil && r.AwaitingSince != nil
	}
	return true
}

// meet applies a comment: an agent's public reply meets the first and
// next response; a customer's reply (not an automatic one) starts a
// next-response clock unless one already runs.
func (s *Service) meet(r *record, cal *Calendar, terms Terms, c ticket.Change, now time.Time) {
	cm := c.Comment
	if cm == nil || c.Kind != ticket.ChangeCommented {
		return
	}
	switch {
	case cm.AuthorType == "agent" && cm.Public:
		if r.RepliedAt == nil {
			r.RepliedAt = &now
		}
		r.AwaitingSince = nil
		for _, target := range []Target{FirstResponse, NextResponse} {
			if cl := r.clocks[target]; cl != nil {
				cl.Stop(cal, now)
			}
		}
	case cm.AuthorType == "contact" && !cm.Automatic:
		if r.AwaitingSince == nil {
			r.AwaitingSince = &now
		}
		allowed := terms.Allowed(r.Priority, NextResponse)
		nr := r.clocks[NextResponse]
		if r.RepliedAt == nil || allowed == 0 || (nr != nil && nr.State != Stopped) {
			return
		}
		cycle := 1
		if nr != nil {
			cycle = nr.Cycle + 1
		}
		r.clocks[NextResponse] = startClock(cal, NextResponse, cycle, allowed, now, terms.WarnPercent)
	}
}

// settle puts the clocks in the state the ticket's status asks for: a
// solved or closed ticket stops them all; a waiting one (pending, and
// on_hold when the plan says so) pauses the resolution clock, which runs
// again with the time it had left when the ticket is worked on again.
func settle(r *record, cal *Calendar, terms Terms, st ticket.Status, now time.Time) {
	if done(st) {
		for _, c := range r.clocks {
			c.Stop(cal, now)
		}
		return
	}
	res := r.clocks[Resolution]
	if res == nil {
		return
	}
	waiting := st == ticket.StatusPending || (st == ticket.StatusOnHold && terms.PauseOnHold)
	switch {
	case waiting && res.State != Paused:
		res.Resume(cal, now, terms.WarnPercent) // a reopened clock first runs again, then pauses
		res.Pause(cal, now)
	case !waiting && res.State != Running:
		res.Resume(cal, now, terms.WarnPercent)
	}
	if allowed := terms.Allowed(r.Priority, Resolution); allowed > 0 && allowed != res.Allowed {
		res.Retarget(cal, cal, now, allowed, terms.WarnPercent) // the priority changed while the ticket was solved
	}
}

func done(st ticket.Status) bool { return st == ticket.StatusSolved || st == ticket.StatusClosed }

func sameID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }
