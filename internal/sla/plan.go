package sla

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Plan is a client's contract: directory's plan (its name, which
// companies point at) with the terms this package keeps beside it.
type Plan struct {
	directory.Plan
	Terms
}

// Terms are what a plan promises and allows.
type Terms struct {
	IsDefault  bool   `json:"is_default"`  // contacts without a company, and companies without a plan, get it
	CalendarID *int64 `json:"calendar_id"` // the working hours deadlines count in; null: around the clock (UTC)
	// Channels are the channels the plan's clients may use.
	Channels     []ticket.Channel `json:"channels"`
	PortalAccess bool             `json:"portal_access"` // the plan's contacts may use the customer portal
	PauseOnHold  bool             `json:"pause_on_hold"` // on_hold stops the resolution clock, as pending always does
	WarnPercent  int              `json:"warn_percent"`  // share of a target after which the assignee and group are warned
	// IncludedHours of work a month are in the subscription; work beyond
	// them is billed at HourlyRateCents (minor units of Currency).
	IncludedHours   float64                     `json:"included_hours"`
	HourlyRateCents int64                       `json:"hourly_rate_cents"`
	Currency        string                      `json:"currency"` // ISO 4217, e.g. EUR
	Targets         map[ticket.Priority]Targets `json:"targets"`
	Escalation      Escalation                  `json:"escalation"`
}

// Targets are one priority's deadlines in working minutes; nil is no
// target.
type Targets struct {
	FirstResponse *int `json:"first_response_minutes"`
	NextResponse  *int `json:"next_response_minutes"`
	Resolution    *int `json:"resolution_minutes"`
}

// Minutes returns the target's working minutes, 0 when none is set.
func (t Targets) Minutes(target Target) int {
	var p *int
	switch target {
	case FirstResponse:
		p = t.FirstResponse
	case NextResponse:
		p = t.NextResponse
	case Resolution:
		p = t.Resolution
	}
	if p == nil {
		return 0
	}
	return *p
}

// Escalation is what the scheduler does when a target in On is missed,
// in any combination: move the ticket to the next line and/or a named
// group, raise its priority one step, tell a supervisor.
type Escalation struct {
	On            []Target `json:"on"`
	NextLine      bool     `json:"next_line"`
	GroupID       *int64   `json:"group_id"`
	RaisePriority bool     `json:"raise_priority"`
	NotifyAgentID *int64   `json:"notify_agent_id"`
}

// Acts reports whether a breach of target escalates.
func (e Escalation) Acts(target Target) bool { return slices.Contains(e.On, target) }

// Limits of a plan's terms.
const (
	defaultWarnPercent = 75
	maxTargetMinutes   = 366 * 24 * 60
	maxIncludedHours   = 10_000
)

// DefaultTerms are the terms of a plan nobody has set any for.
func DefaultTerms() Terms {
	return Terms{Channels: slices.Clone(ticket.Channels), PortalAccess: true, WarnPercent: defaultWarnPercent,
		Targets: map[ticket.Priority]Targets{}, Escalation: Escalation{On: []Target{}}}
}

// AllowsChannel reports whether the plan's clients may use a channel.
func (t Terms) AllowsChannel(c ticket.Channel) bool { return slices.Contains(t.Channels, c) }

// Allowed returns the working time a target allows at a priority; 0 is
// no target.
func (t Terms) Allowed(p ticket.Priority, target Target) time.Duration {
	return time.Duration(t.Targets[p].Minutes(target)) * time.Minute
}

// normalize checks terms that need no database and puts them in order.
func (t *Terms) normalize() error {
	if t.WarnPercent < 1 || t.WarnPercent > 99 {
		return apperr.Field("warn_percent", "must be 1 to 99 (per cent of a target after which agents are warned)")
	}
	if err := t.normalizeChannels(); err != nil {
		return err
	}
	if math.IsNaN(t.IncludedHours) || t.IncludedHours < 0 || t.IncludedHours > maxIncludedHours {
		return apperr.Field("included_hours", "must be 0 to %d hours a month", maxIncludedHours)
	}
	t.IncludedHours = math.Round(t.IncludedHours*60) / 60
	if t.HourlyRateCents < 0 {
		return apperr.Field("hourly_rate_cents", "must not be negative")
	}
	t.Currency = strings.ToUpper(strings.TrimSpace(t.Currency))
	if t.Currency != "" && !isCurrency(t.Currency) {
		return apperr.Field("currency", "%q is not an ISO 4217 currency code (three letters, e.g. EUR)", t.Currency)
	}
	if t.HourlyRateCents > 0 && t.Currency == "" {
		return apperr.Field("currency", "is required with an hourly rate")
	}
	if err := t.normalizeTargets(); err != nil {
		return err
	}
	return t.Escalation.normalize()
}

func (t *Terms) normalizeChannels() error {
	if len(t.Channels) == 0 {
		return apperr.Field("channels", "name at least one channel the plan's clients may use")
	}
	var out []ticket.Channel
	for _, c := range t.Channels {
		if !c.Valid() {
			return apperr.Field("channels", "%q is not a channel (email, web_form, portal, api, telegram, phone, monitor)", c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b ticket.Channel) int {
		return slices.Index(ticket.Channels, a) - slices.Index(ticket.Channels, b)
	})
	t.Channels = out
	return nil
}

func (t *Terms) normalizeTargets() error {
	if t.Targets == nil {
		t.Targets = map[ticket.Priority]Targets{}
	}
	for p, tg := range t.Targets {
		if !p.Valid() {
			return apperr.Field("targets", "%q is not a priority (low, normal, high, urgent)", p)
		}
		for _, f := range []struct {
			name string
			v    *int
		}{{"first_response_minutes", tg.FirstResponse}, {"next_response_minutes", tg.NextResponse},
			{"resolution_minutes", tg.Resolution}} {
			if f.v != nil && (*f.v <= 0 || *f.v > maxTargetMinutes) {
				return apperr.Field(fmt.Sprintf("targets.%s.%s", p, f.name),
					"must be a positive number of working minutes (at most %d), or left out for no target", maxTargetMinutes)
			}
		}
		if tg == (Targets{}) {
			delete(t.Targets, p)
		}
	}
	return nil
}

func (e *Escalation) normalize() error {
	var on []Target
	for _, tg := range e.On {
		if !tg.Valid() {
			return apperr.Field("escalation.on", "%q is not a target (first_response, next_response, resolution)", tg)
		}
		if !slices.Contains(on, tg) {
			on = append(on, tg)
		}
	}
	slices.SortFunc(on, func(a, b Target) int { return slices.Index(AllTargets, a) - slices.Index(AllTargets, b) })
	if on == nil {
		on = []Target{}
	}
	e.On = on
	return nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
