package sla

import (
	"context"
	"fmt"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// TargetStatus is where one target of a ticket stands at a moment.
type TargetStatus struct {
	Target           Target        `json:"target"`
	State            string        `json:"state"` // running, paused, met or breached
	Cycle            int           `json:"cycle"` // next response: the customer reply it answers, counting from 1
	DueAt            *time.Time    `json:"due_at"`
	AtRisk           bool          `json:"at_risk"` // running and past the warning share
	Counting         bool          `json:"counting"`
	Remaining        time.Duration `json:"-"`
	Allowed          time.Duration `json:"-"`
	RemainingSeconds int64         `json:"remaining_seconds"` // working time left; negative once overdue
	TargetMinutes    int           `json:"target_minutes"`
	StartedAt        time.Time     `json:"started_at"`
	StoppedAt        *time.Time    `json:"stopped_at"`
	WarnedAt         *time.Time    `json:"warned_at"`
	BreachedAt       *time.Time    `json:"breached_at"`
}

// Status is a ticket's deadlines: the plan and calendar they count in,
// and each target.
type Status struct {
	TicketID     int64          `json:"ticket_id"`
	PlanID       *int64         `json:"plan_id"`
	PlanName     string         `json:"plan_name"`
	CalendarID   *int64         `json:"calendar_id"`
	CalendarName string         `json:"calendar_name"` // "" around the clock
	TimeZone     string         `json:"time_zone"`
	Targets      []TargetStatus `json:"targets"`
	// OutsidePlan is the ticket's channel when the client's plan does not
	// include it, so that no deadline applies.
	OutsidePlan ticket.Channel `json:"channel_outside_plan,omitempty"`
}

// Status returns the deadlines of a ticket p may see, as they stand now.
func (s *Service) Status(ctx context.Context, p auth.Principal, ticketID int64) (Status, error) {
	t, err := s.tickets.FindTicket(ctx, p, ticketID)
	if err != nil {
		return Status{}, err
	}
	return s.StatusOf(ctx, t)
}

// StatusOf is Status of a ticket the caller has already loaded as
// someone who may see it (the ticket page).
func (s *Service) StatusOf(ctx context.Context, t ticket.Ticket) (Status, error) {
	ticketID := t.ID
	r, err := loadRecord(ctx, s.db.R, ticketID)
	if err != nil {
		return Status{}, err
	}
	cal, err := s.calendar(ctx, s.db.R, r.CalendarID)
	if err != nil {
		return Status{}, err
	}
	st := Status{TicketID: ticketID, PlanID: r.PlanID, PlanName: r.PlanName, CalendarID: r.CalendarID,
		TimeZone: cal.Location().String(), Targets: []TargetStatus{}}
	if cal != nil {
		st.CalendarName = cal.Name
	}
	sv, err := s.servedUnder(ctx, s.db.R, t.CompanyID)
	if err != nil {
		return Status{}, err
	}
	if sv.ok && !sv.Terms.AllowsChannel(t.Channel) {
		st.OutsidePlan, st.PlanName = t.Channel, sv.Name
	}
	now := s.now()
	for _, t := range AllTargets {
		if c := r.clocks[t]; c != nil {
			st.Targets = append(st.Targets, targetStatus(c, cal, now))
		}
	}
	return st, nil
}

func targetStatus(c *Clock, cal *Calendar, now time.Time) TargetStatus {
	ts := TargetStatus{Target: c.Target, State: c.Display(cal, now), Cycle: c.Cycle, DueAt: c.DueAt,
		Counting: c.State == Running, Remaining: c.Remaining(cal, now), Allowed: c.Allowed, StartedAt: c.Started,
		StoppedAt: c.StoppedAt, WarnedAt: c.WarnedAt, BreachedAt: c.BreachedAt}
	ts.AtRisk = c.State == Running && c.WarnAt != nil && !now.Before(*c.WarnAt)
	ts.RemainingSeconds, ts.TargetMinutes = int64(ts.Remaining/time.Second), int(c.Allowed/time.Minute)
	return ts
}

// Describe fills in the deadlines of tickets as the API shows them: each
// target's state now (a running target past its due time is breached),
// whether it is at risk, its working time left and its length.
func (s *Service) Describe(ctx context.Context, ts []ticket.Ticket) error {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		if t.SLA.FirstResponse != nil || t.SLA.NextResponse != nil || t.SLA.Resolution != nil {
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	records, err := loadRecords(ctx, s.db.R, ids)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range ts {
		r := records[ts[i].ID]
		if r == nil {
			continue
		}
		cal, err := s.calendar(ctx, s.db.R, r.CalendarID)
		if err != nil {
			return err
		}
		v := &ts[i].SLA
		for target, dst := range map[Target]**ticket.SLATarget{FirstResponse: &v.FirstResponse,
			NextResponse: &v.NextResponse, Resolution: &v.Resolution} {
			c := r.clocks[target]
			if c == nil || *dst == nil {
				continue
			}
			st := targetStatus(c, cal, now)
			left := st.RemainingSeconds
			*dst = &ticket.SLATarget{State: st.State, DueAt: c.DueAt, AtRisk: st.AtRisk, RemainingSeconds: &left,
				TargetMinutes: st.TargetMinutes}
		}
	}
	return nil
}

// loadRecords reads the records of several tickets at once.
func loadRecords(ctx context.Context, q db.Queryer, ids []int64) (map[int64]*record, error) {
	in, args := db.In(ids, 1)
	out := make(map[int64]*record, len(ids))
	rows, err := q.QueryContext(ctx, `SELECT `+recordColumns+` FROM sla_tickets WHERE ticket_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("deadlines of tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("deadlines of tickets: %w", err)
		}
		out[r.TicketID] = r
	}
	return out, rows.Err()
}
