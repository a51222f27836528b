package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// PlanInput is a whole plan as an administrator sets it: its name and
// description, and its terms.
type PlanInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Terms
}

// NewPlanInput is a plan input with the default terms, for decoding a
// request over it.
func NewPlanInput() PlanInput { return PlanInput{Terms: DefaultTerms()} }

// CreatePlan adds a plan with its terms, in one transaction with
// directory's row: a term that does not pass leaves no plan behind.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (Plan, error) {
	if err := in.Terms.normalize(); err != nil {
		return Plan{}, err
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		p, err := s.dir.CreatePlanTx(ctx, tx, directory.PlanInput{Name: in.Name, Description: in.Description})
		if err != nil {
			return err
		}
		id = p.ID
		return s.writeTerms(ctx, tx, id, in.Terms)
	})
	if err != nil {
		return Plan{}, err
	}
	return s.FindPlan(ctx, id)
}

// UpdatePlan replaces a plan's name, description and terms. Open tickets
// on the plan get their deadlines computed again.
func (s *Service) UpdatePlan(ctx context.Context, id int64, in PlanInput) (Plan, error) {
	if err := in.Terms.normalize(); err != nil {
		return Plan{}, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.dir.UpdatePlanTx(ctx, tx, id, directory.PlanUpdate{Name: &in.Name, Description: &in.Description}); err != nil {
			return err
		}
		if err := s.writeTerms(ctx, tx, id, in.Terms); err != nil {
			return err
		}
		return s.enqueueResync(ctx, tx, "plan_id", id)
	})
	if err != nil {
		return Plan{}, err
	}
	return s.FindPlan(ctx, id)
}

// DeletePlan deletes a plan no company uses; its terms go with it.
func (s *Service) DeletePlan(ctx context.Context, id int64) error {
	return s.dir.DeletePlan(ctx, id)
}

func (s *Service) writeTerms(ctx context.Context, tx *sql.Tx, id int64, t Terms) error {
	if err := s.checkTermRefs(ctx, tx, t); err != nil {
		return err
	}
	if t.IsDefault {
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT is_default FROM sla_plans WHERE plan_id = $1`, id).Scan(&was)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("default plan: %w", err)
		}
		if !was {
			// The clients without a plan of their own, whom the old default
			// (or no plan) served, now get this one.
			if err := s.enqueueResync(ctx, tx, "unplanned", 1); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sla_plans SET is_default = FALSE WHERE is_default AND plan_id <> $1`, id); err != nil {
			return fmt.Errorf("default plan: %w", err)
		}
	}
	updated := db.Now()
	var prev time.Time
	if err := tx.QueryRowContext(ctx, `SELECT updated_at FROM sla_plans WHERE plan_id = $1`, id).Scan(&prev); err == nil &&
		!updated.After(prev) {
		updated = prev.Add(time.Microsecond) // cached copies compare it: it must move on
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sla_plans (plan_id, calendar_id, is_default, channels, portal_access, pause_on_hold, warn_percent,
			included_minutes, hourly_rate_cents, currency, escalate_on, escalate_next_line, escalate_group_id,
			raise_priority, notify_agent_id, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (plan_id) DO UPDATE SET calendar_id = excluded.calendar_id, is_default = excluded.is_default,
			channels = excluded.channels, portal_access = excluded.portal_access, pause_on_hold = excluded.pause_on_hold,
			warn_percent = excluded.warn_percent, included_minutes = excluded.included_minutes,
			hourly_rate_cents = excluded.hourly_rate_cents, currency = excluded.currency, escalate_on = excluded.escalate_on,
			escalate_next_line = excluded.escalate_next_line, escalate_group_id = excluded.escalate_group_id,
			raise_priority = excluded.raise_priority, notify_agent_id = excluded.notify_agent_id, updated_at = excluded.updated_at`,
		id, t.CalendarID, t.IsDefault, joinList(t.Channels), t.PortalAccess, t.PauseOnHold, t.WarnPercent,
		int(math.Round(t.IncludedHours*60)), t.HourlyRateCents, t.Currency, joinList(t.Escalation.On), t.Escalation.NextLine,
		t.Escalation.GroupID, t.Escalation.RaisePriority, t.Escalation.NotifyAgentID, updated)
	if err != nil {
		return fmt.Errorf("save terms of plan %d: %w", id, err)
	}
	return writeTargets(ctx, tx, id, t.Targets)
}

func writeTargets(ctx context.Context, tx *sql.Tx, id int64, targets map[ticket.Priority]Targets) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sla_targets WHERE plan_id = $1`, id); err != nil {
		return fmt.Errorf("save targets of plan %d: %w", id, err)
	}
	for _, p := range ticket.Priorities {
		tg, ok := targets[p]
		if !ok {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sla_targets (plan_id, priority, first_response_min, next_response_min, resolution_min)
			VALUES ($1, $2, $3, $4, $5)`, id, p, tg.FirstResponse, tg.NextResponse, tg.Resolution)
		if err != nil {
			return fmt.Errorf("save targets of plan %d: %w", id, err)
		}
	}
	return nil
}

// checkTermRefs checks what the terms name exists: the calendar, the
// escalation's group and supervisor.
func (s *Service) checkTermRefs(ctx context.Context, q db.Queryer, t Terms) error {
	if t.CalendarID != nil {
		if ok, err := exists(ctx, q, `SELECT 1 FROM sla_calendars WHERE id = $1`, *t.CalendarID); err != nil || !ok {
			return orField(err, "calendar_id", "calendar %d does not exist", *t.CalendarID)
		}
	}
	if g := t.Escalation.GroupID; g != nil {
		if ok, err := exists(ctx, q, `SELECT 1 FROM groups WHERE id = $1`, *g); err != nil || !ok {
			return orField(err, "escalation.group_id", "group %d does not exist", *g)
		}
	}
	if a := t.Escalation.NotifyAgentID; a != nil {
		ag, err := s.dir.FindAgent(ctx, *a)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("escalation.notify_agent_id", "agent %d does not exist", *a)
		}
		if err != nil {
			return err
		}
		if !ag.Active || (ag.Role != auth.RoleSupervisor && ag.Role != auth.RoleAdmin) {
			return apperr.Field("escalation.notify_agent_id", "%s is not an active supervisor or administrator", ag.Name)
		}
	}
	return nil
}

func orField(err error, field, format string, args ...any) error {
	if err != nil {
		return err
	}
	return apperr.Field(field, format, args...)
}

func exists(ctx context.Context, q db.Queryer, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check reference: %w", err)
	}
	return true, nil
}

// FindPlan returns one plan with its terms.
func (s *Service) FindPlan(ctx context.Context, id int64) (Plan, error) {
	return s.findPlan(ctx, s.db.R, id)
}

func (s *Service) findPlan(ctx context.Context, q db.Queryer, id int64) (Plan, error) {
	p, err := s.dir.FindPlanTx(ctx, q, id)
	if err != nil {
		return Plan{}, err
	}
	terms, err := loadTerms(ctx, q, []int64{id})
	if err != nil {
		return Plan{}, err
	}
	return Plan{Plan: p, Terms: terms[id]}, nil
}

// FindPlans returns a page of plans with their terms, and how many match.
func (s *Service) FindPlans(ctx context.Context, f directory.PlanFilter) ([]Plan, int, error) {
	list, total, err := s.dir.FindPlans(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i, p := range list {
		ids[i] = p.ID
	}
	terms, err := loadTerms(ctx, s.db.R, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Plan, len(list))
	for i, p := range list {
		out[i] = Plan{Plan: p, Terms: terms[p.ID]}
	}
	return out, total, nil
}

// loadTerms reads the terms of plans; a plan nobody set terms for has the
// default ones.
func loadTerms(ctx context.Context, q db.Queryer, ids []int64) (map[int64]Terms, error) {
	out := make(map[int64]Terms, len(ids))
	for _, id := range ids {
		out[id] = DefaultTerms()
	}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := db.In(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT plan_id, calendar_id, is_default, channels, portal_access, pause_on_hold,
		warn_percent, included_minutes, hourly_rate_cents, currency, escalate_on, escalate_next_line, escalate_group_id,
		raise_priority, notify_agent_id FROM sla_plans WHERE plan_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load plan terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var channels, on string
		var minutes int
		t := DefaultTerms()
		e := &t.Escalation
		if err := rows.Scan(&id, &t.CalendarID, &t.IsDefault, &channels, &t.PortalAccess, &t.PauseOnHold, &t.WarnPercent,
			&minutes, &t.HourlyRateCents, &t.Currency, &on, &e.NextLine, &e.GroupID, &e.RaisePriority, &e.NotifyAgentID); err != nil {
			return nil, fmt.Errorf("load plan terms: %w", err)
		}
		t.Channels = splitList[ticket.Channel](channels)
		e.On = splitList[Target](on)
		t.IncludedHours = float64(minutes) / 60
		out[id] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadTargets(ctx, q, in, args, out)
}

func loadTargets(ctx context.Context, q db.Queryer, in string, args []any, terms map[int64]Terms) error {
	rows, err := q.QueryContext(ctx, `SELECT plan_id, priority, first_response_min, next_response_min, resolution_min
		FROM sla_targets WHERE plan_id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("load plan targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p ticket.Priority
		var tg Targets
		if err := rows.Scan(&id, &p, &tg.FirstResponse, &tg.NextResponse, &tg.Resolution); err != nil {
			return fmt.Errorf("load plan targets: %w", err)
		}
		terms[id].Targets[p] = tg
	}
	return rows.Err()
}

// DefaultPlan returns the default plan; ok is false when there is none.
func (s *Service) DefaultPlan(ctx context.Context) (p Plan, ok bool, err error) {
	return s.defaultPlan(ctx, s.db.R)
}

func (s *Service) defaultPlan(ctx context.Context, q db.Queryer) (Plan, bool, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT plan_id FROM sla_plans WHERE is_default`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, false, nil
	}
	if err != nil {
		return Plan{}, false, fmt.Errorf("default plan: %w", err)
	}
	p, err := s.findPlan(ctx, q, id)
	return p, err == nil, err
}

// PlanForCompany returns the plan a company's tickets are served under:
// the company's own, else the default plan (also for no company at all).
// ok is false when neither exists.
func (s *Service) PlanForCompany(ctx context.Context, companyID *int64) (Plan, bool, error) {
	return s.planFor(ctx, s.db.R, companyID)
}

// PlanForCompanyIn is PlanForCompany read through q: a ticket hook reads
// it in the change's own transaction, taking no second connection from
// the pool while it holds the change's locks.
func (s *Service) PlanForCompanyIn(ctx context.Context, q db.Queryer, companyID *int64) (Plan, bool, error) {
	return s.planFor(ctx, q, companyID)
}

// PlanForContact returns the plan a contact is served under, as
// PlanForCompany does for the contact's company.
func (s *Service) PlanForContact(ctx context.Context, contactID int64) (Plan, bool, error) {
	c, err := s.dir.FindContact(ctx, contactID)
	if err != nil {
		return Plan{}, false, err
	}
	return s.planFor(ctx, s.db.R, c.CompanyID)
}

func (s *Service) planFor(ctx context.Context, q db.Queryer, companyID *int64) (Plan, bool, error) {
	sv, err := s.servedUnder(ctx, q, companyID)
	return sv.Plan.clone(), sv.ok, err
}

func joinList[T ~string](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = string(v)
	}
	return strings.Join(parts, ",")
}

func splitList[T ~string](s string) []T {
	out := []T{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, T(part))
		}
	}
	return out
}
