package assign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
)

// Group is how a group's tickets are assigned.
type Group struct {
	GroupID            int64  `json:"group_id"`
	Mode               string `json:"mode"`
	MaxOpen            int    `json:"max_open"`             // default limit of open tickets per agent; 0 none
	ReturnAfterMinutes int    `json:"return_after_minutes"` // an absent agent's unanswered tickets return after; 0 never
}

// Limits of the settings.
const (
	maxLimit       = 10_000
	maxReturnAfter = 7 * 24 * 60
)

// FindGroup returns a group's assignment settings (no automatic
// assignment until set).
func (s *Service) FindGroup(ctx context.Context, groupID int64) (Group, error) {
	if _, err := s.dir.FindGroup(ctx, groupID); err != nil {
		return Group{}, err
	}
	g := Group{GroupID: groupID, Mode: ModeNone}
	err := s.db.R.QueryRowContext(ctx, `SELECT mode, max_open, return_after_minutes FROM assign_groups WHERE group_id = $1`,
		groupID).Scan(&g.Mode, &g.MaxOpen, &g.ReturnAfterMinutes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Group{}, fmt.Errorf("assignment of group %d: %w", groupID, err)
	}
	return g, nil
}

// SetGroup changes a group's assignment settings. Turning returns on
// starts the scheduler in the same transaction.
func (s *Service) SetGroup(ctx context.Context, g Group) (Group, error) {
	if !slices.Contains(Modes, g.Mode) {
		return Group{}, apperr.Field("mode", "must be none, round_robin or least_open")
	}
	if g.MaxOpen < 0 || g.MaxOpen > maxLimit {
		return Group{}, apperr.Field("max_open", "must be 0 (no limit) to %d", maxLimit)
	}
	if g.ReturnAfterMinutes < 0 || g.ReturnAfterMinutes > maxReturnAfter {
		return Group{}, apperr.Field("return_after_minutes", "must be 0 (never) to %d minutes", maxReturnAfter)
	}
	if _, err := s.dir.FindGroup(ctx, g.GroupID); err != nil {
		return Group{}, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO assign_groups (group_id, mode, max_open, return_after_minutes, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (group_id) DO UPDATE SET mode = excluded.mode, max_open = excluded.max_open,
				return_after_minutes = excluded.return_after_minutes, updated_at = excluded.updated_at`,
			g.GroupID, g.Mode, g.MaxOpen, g.ReturnAfterMinutes, db.Now())
		if err != nil {
			return fmt.Errorf("set assignment of group %d: %w", g.GroupID, err)
		}
		if g.ReturnAfterMinutes > 0 {
			return s.claimNext(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return Group{}, err
	}
	s.jobs.Wake()
	return g, nil
}

// Agent is an agent's availability.
type Agent struct {
	AgentID   int64      `json:"agent_id"`
	Name      string     `json:"name"`
	MaxOpen   *int       `json:"max_open"` // own limit of open tickets; null: the group's
	Away      bool       `json:"away"`
	AwaySince *time.Time `json:"away_since"`
	Shift     Shift      `json:"shift"`
	Open      int        `json:"open_tickets"`
	OnShift   bool       `json:"on_shift"` // now
}

// Shift is an agent's weekly schedule in a time zone: windows (a night
// shift's window runs past midnight, 22:00–06:00), or around the clock.
// No windows and not Always: no schedule, always on shift.
type Shift struct {
	TimeZone string       `json:"time_zone"`
	Always   bool         `json:"always"`
	Windows  []sla.Window `json:"windows"`
}

// Scheduled reports whether the agent has a schedule at all.
func (sh Shift) Scheduled() bool { return sh.Always || len(sh.Windows) > 0 }

// calendar is the shift as a working-hours calendar (sla's arithmetic);
// nil means always on shift.
func (sh Shift) calendar() (*sla.Calendar, error) {
	if !sh.Scheduled() {
		return nil, nil
	}
	return sla.NewCalendar(sla.Calendar{Name: "shift", TimeZone: sh.TimeZone, AlwaysOpen: sh.Always, Overnight: true,
		Windows: sh.Windows})
}

// FindAgent returns an agent's availability.
func (s *Service) FindAgent(ctx context.Context, agentID int64) (Agent, error) {
	a, err := s.dir.FindAgent(ctx, agentID)
	if err != nil {
		return Agent{}, err
	}
	st, err := s.loadAgent(ctx, s.db.R, a)
	if err != nil {
		return Agent{}, err
	}
	cal, err := st.Shift.calendar()
	if err != nil {
		return Agent{}, err
	}
	st.OnShift = cal.IsOpen(s.now())
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE assignee_id = $1 AND status IN `+openStatuses,
		agentID).Scan(&st.Open)
	if err != nil {
		return Agent{}, fmt.Errorf("open tickets of agent %d: %w", agentID, err)
	}
	return st, nil
}

func (s *Service) loadAgent(ctx context.Context, q db.Queryer, a directory.Agent) (Agent, error) {
	st := Agent{AgentID: a.ID, Name: a.Name, Shift: Shift{TimeZone: a.TimeZone}}
	var windows string
	var zone string
	err := q.QueryRowContext(ctx, `SELECT max_open, away, away_since, shift_zone, shift_always, shift_windows
		FROM assign_agents WHERE agent_id = $1`, a.ID).Scan(&st.MaxOpen, &st.Away, &st.AwaySince, &zone, &st.Shift.Always,
		&windows)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("availability of agent %d: %w", a.ID, err)
	}
	if zone != "" {
		st.Shift.TimeZone = zone
	}
	st.Shift.Windows, err = decodeWindows(windows)
	return st, err
}

// openStatuses are the statuses a ticket counts against its assignee's
// limit in.
const openStatuses = `('new', 'open', 'pending', 'on_hold')`
