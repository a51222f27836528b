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
// company), the moments its rows last changed, and its calendar's.
const servedUnderSQL = `
	SELECT p.id, p.updated_at, s.updated_at, s.calendar_id, c.updated_at
	FROM plans p
	LEFT JOIN sla_plans s ON s.plan_id = p.id
	LEFT JOIN sla_calendars c ON c.id = s.calendar_id
	WHERE p.id = COALESCE((SELECT plan_id FROM companies WHERE id = $1), (SELECT plan_id FROM sla_plans WHERE is_default))`

// servedUnder returns the plan a company's tickets are served under and
// its calendar (nil: around the clock), from the caches while the rows
// are unchanged: what every ticket change asks, in one statement.
func (s *Service) servedUnder(ctx context.Context, q db.Queryer, companyID *int64) (Plan, bool, *Calendar, error) {
	var id int64
	var planAt time.Time
	var termsAt, calAt *time.Time
	var calID *int64
	err := q.QueryRowContext(ctx, servedUnderSQL, companyID).Scan(&id, &planAt, &termsAt, &calID, &calAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, false, nil, nil
	}
	if err != nil {
		return Plan{}, false, nil, fmt.Errorf("plan of company %v: %w", companyID, err)
	}
	p, err := s.cachedPlan(ctx, q, id, planAt, termsAt)
	if err != nil || calID == nil || calAt == nil {
		return p, err == nil, nil, err
	}
	cal, err := s.calendarAt(ctx, q, *calID, *calAt)
	return p, err == nil, cal, err
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
