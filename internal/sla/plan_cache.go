package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"linedesk/internal/db"
)

// cachedPlan is a plan as last read: current while its two rows'
// updated_at are unchanged.
type cachedPlan struct {
	plan            Plan
	planAt, termsAt time.Time
	haveTerms       bool
}

// servedUnderSQL finds, in one statement, the plan a company's tickets
// are served under (its own, else the default; the default too for no
// company), the moments its rows last changed, its calendar's, and
// whether the scheduler's chain is idle (which a change that sets a
// deadline must know).
const servedUnderSQL = `
	SELECT p.id, p.updated_at, s.updated_at, s.calendar_id, c.updated_at,
		(SELECT idle FROM sla_scheduler WHERE id = 1)
	FROM plans p
	LEFT JOIN sla_plans s ON s.plan_id = p.id
	LEFT JOIN sla_calendars c ON c.id = s.calendar_id
	WHERE p.id = COALESCE((SELECT plan_id FROM companies WHERE id = $1), (SELECT plan_id FROM sla_plans WHERE is_default))`

// served is what a ticket change needs to know of its plan.
type served struct {
	Plan
	ok   bool      // a plan applies
	cal  *Calendar // its calendar; nil around the clock
	idle *bool     // the scheduler's chain is idle; nil when unknown (no plan)
}

// servedUnder returns the plan a company's tickets are served under and
// its calendar, from the caches while the rows are unchanged: what every
// ticket change asks, in one statement.
func (s *Service) servedUnder(ctx context.Context, q db.Queryer, companyID *int64) (served, error) {
	var id int64
	var planAt time.Time
	var termsAt, calAt *time.Time
	var calID *int64
	var idle bool
	err := q.QueryRowContext(ctx, servedUnderSQL, companyID).Scan(&id, &planAt, &termsAt, &calID, &calAt, &idle)
	if errors.Is(err, sql.ErrNoRows) {
		return served{}, nil
	}
	if err != nil {
		return served{}, fmt.Errorf("plan of company %v: %w", companyID, err)
	}
	out := served{ok: true, idle: &idle}
	if out.Plan, err = s.cachedPlan(ctx, q, id, planAt, termsAt); err != nil {
		return served{}, err
	}
	if calID != nil && calAt != nil {
		if out.cal, err = s.calendarAt(ctx, q, *calID, *calAt); err != nil {
			return served{}, err
		}
	}
	return out, nil
}

func (s *Service) cachedPlan(ctx context.Context, q db.Queryer, id int64, planAt time.Time, termsAt *time.Time) (Plan, error) {
	s.mu.Lock()
	c, ok := s.plans[id]
	s.mu.Unlock()
	if ok && c.planAt.Equal(planAt) && c.haveTerms == (termsAt != nil) && (termsAt == nil || c.termsAt.Equal(*termsAt)) {
		return c.plan, nil
	}
	p, err := s.findPlan(ctx, q, id)
	if err != nil {
		return Plan{}, err
	}
	c = cachedPlan{plan: p, planAt: planAt, haveTerms: termsAt != nil}
	if termsAt != nil {
		c.termsAt = *termsAt
	}
	s.mu.Lock()
	s.plans[id] = c
	s.mu.Unlock()
	return p, nil
}

// clone is a copy of the plan whose maps and lists the caller may change
// without touching the cached one.
func (p Plan) clone() Plan {
	p.Channels = slices.Clone(p.Channels)
	p.Targets = maps.Clone(p.Targets)
	p.Escalation.On = slices.Clone(p.Escalation.On)
	return p
}
