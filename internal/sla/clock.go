package sla

import (
	"time"

	"linedesk/internal/ticket"
)

// Target names one promise of a plan.
type Target string

// The targets, in the order a ticket meets them.
const (
	FirstResponse Target = "first_response" // the first public reply of an agent
	NextResponse  Target = "next_response"  // an agent's public reply after each customer reply
	Resolution    Target = "resolution"     // the ticket solved
)

// AllTargets lists every target.
var AllTargets = []Target{FirstResponse, NextResponse, Resolution}

// Valid reports whether t is a known target.
func (t Target) Valid() bool { return t == FirstResponse || t == NextResponse || t == Resolution }

// States of a Clock.
const (
	Running = "running"
	Paused  = "paused"
	Stopped = "stopped"
)

// Clock counts the working time one target of a ticket has used. Used is
// the working time before Since; while running, the time since Since
// counts too, in the calendar given to each method. Every change is
// checkpointed at its moment, so a pause, a new priority or a new
// calendar apply from then on and what was used before stays used.
type Clock struct {
	Target  Target
	Cycle   int           // next response: one cycle per customer reply
	State   string        // running, paused or stopped
	Allowed time.Duration // the working time the target allows
	Used    time.Duration // working time used before Since
	Started time.Time     // when this cycle began
	Since   *time.Time    // running since; nil while paused or stopped
	DueAt   *time.Time    // when the allowed time runs out; nil while paused
	WarnAt  *time.Time    // when the warning share is used up; nil unless running
	// Set once, by the scheduler or at the stop: what has been told.
	WarnedAt, BreachedAt, StoppedAt *time.Time
}

// startClock starts a clock of allowed working time at at.
func startClock(cal *Calendar, target Target, cycle int, allowed time.Duration, at time.Time, warnPct int) *Clock {
	c := &Clock{Target: target, Cycle: cycle, State: Running, Allowed: allowed, Started: at, Since: ptr(at)}
	c.plan(cal, warnPct)
	return c
}

// checkpoint moves the working time used so far into Used.
func (c *Clock) checkpoint(cal *Calendar, at time.Time) {
	if c.State == Running && c.Since != nil && at.After(*c.Since) {
		c.Used += cal.Between(*c.Since, at)
		c.Since = ptr(at)
	}
}

// Pause stops the clock until Resume, keeping the time left.
func (c *Clock) Pause(cal *Calendar, at time.Time) {
	if c.State != Running {
		return
	}
	c.checkpoint(cal, at)
	c.State, c.Since, c.DueAt, c.WarnAt = Paused, nil, nil, nil
}

// Resume runs a paused or stopped clock again from at with the working
// time it had left.
func (c *Clock) Resume(cal *Calendar, at time.Time, warnPct int) {
	if c.State == Running {
		return
	}
	c.State, c.Since, c.StoppedAt = Running, ptr(at), nil
	c.plan(cal, warnPct)
}

// Stop ends the clock at at: the target is met, or missed if the allowed
// time ran out first.
func (c *Clock) Stop(cal *Calendar, at time.Time) {
	if c.State == Stopped {
		return
	}
	c.checkpoint(cal, at)
	c.State, c.Since, c.WarnAt, c.StoppedAt = Stopped, nil, nil, ptr(at)
}

// Retarget changes the allowed time (a new priority or plan) or the
// calendar from at on: the working time used before at was counted in
// the calendar of before.
func (c *Clock) Retarget(before, after *Calendar, at time.Time, allowed time.Duration, warnPct int) {
	c.checkpoint(before, at)
	c.Allowed = allowed
	if c.State == Running {
		c.plan(after, warnPct)
	}
}

// plan sets the due and warning times of a running clock. Once the
// allowed time is used up the due time stays where it was passed; a clock
// that starts over its allowance (a priority raised past the time already
// used) is due at once.
func (c *Clock) plan(cal *Calendar, warnPct int) {
	since := *c.Since
	if left := c.Allowed - c.Used; left > 0 {
		c.DueAt = ptr(cal.Add(since, left))
	} else if c.DueAt == nil || c.DueAt.After(since) {
		c.DueAt = ptr(since)
	}
	warn := c.Allowed*time.Duration(warnPct)/100 - c.Used
	c.WarnAt = ptr(cal.Add(since, max(warn, 0)))
}

// Remaining is the working time left at now; negative once overdue.
func (c *Clock) Remaining(cal *Calendar, now time.Time) time.Duration {
	used := c.Used
	if c.State == Running && c.Since != nil {
		used += cal.Between(*c.Since, now)
	}
	return c.Allowed - used
}

// Missed reports whether the target was or is broken at now.
func (c *Clock) Missed(cal *Calendar, now time.Time) bool {
	if c.BreachedAt != nil {
		return true
	}
	switch c.State {
	case Running:
		return !now.Before(*c.DueAt)
	default:
		return c.Used > c.Allowed
	}
}

// Display is the target's state as a ticket shows it: running, paused,
// met or breached.
func (c *Clock) Display(cal *Calendar, now time.Time) string {
	switch {
	case c.Missed(cal, now):
		return ticket.SLABreached
	case c.State == Stopped:
		return ticket.SLAMet
	case c.State == Paused:
		return ticket.SLAPaused
	}
	return ticket.SLARunning
}

// stored is the state the ticket's row keeps, decided without a clock:
// breached once recorded, else met, paused or running.
func (c *Clock) stored() string {
	switch {
	case c.BreachedAt != nil || (c.State != Running && c.Used > c.Allowed):
		return ticket.SLABreached
	case c.State == Stopped:
		return ticket.SLAMet
	case c.State == Paused:
		return ticket.SLAPaused
	}
	return ticket.SLARunning
}

// nextCheck is when the scheduler must next look at the clock: its
// warning, its breach, or a late stop still to record. nil: never.
func (c *Clock) nextCheck() *time.Time {
	switch {
	case c.BreachedAt != nil:
		return nil
	case c.State == Running && c.WarnedAt == nil:
		return c.WarnAt
	case c.State == Running:
		return c.DueAt
	case c.State == Stopped && c.Used > c.Allowed:
		return c.StoppedAt
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
