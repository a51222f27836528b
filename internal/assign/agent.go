package assign

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/sla"
)

func decodeWindows(s string) ([]sla.Window, error) {
	if s == "" {
		return nil, nil
	}
	var w []sla.Window
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, fmt.Errorf("shift windows: %w", err)
	}
	return w, nil
}

// ensureRow makes sure the agent has an availability row to update.
func ensureRow(ctx context.Context, tx *sql.Tx, agentID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO assign_agents (agent_id, updated_at) VALUES ($1, $2)
		ON CONFLICT (agent_id) DO NOTHING`, agentID, db.Now())
	if err != nil {
		return fmt.Errorf("availability of agent %d: %w", agentID, err)
	}
	return nil
}

// SetAway marks an agent away or back. Going away again keeps the moment
// they first left.
func (s *Service) SetAway(ctx context.Context, agentID int64, away bool) (Agent, error) {
	if _, err := s.dir.FindAgent(ctx, agentID); err != nil {
		return Agent{}, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureRow(ctx, tx, agentID); err != nil {
			return err
		}
		var since *time.Time
		if away {
			now := s.stamp()
			since = &now
		}
		_, err := tx.ExecContext(ctx, `UPDATE assign_agents SET away = $2, away_since = CASE WHEN $2 AND away THEN away_since
			ELSE $3 END, updated_at = $4 WHERE agent_id = $1`, agentID, away, since, db.Now())
		if err != nil {
			return fmt.Errorf("set agent %d away: %w", agentID, err)
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, agentID)
}

// SetShift replaces an agent's weekly shifts; the zone defaults to the
// agent's own. A window that ends before it starts runs past midnight.
// Errors name the field: windows[2].to.
func (s *Service) SetShift(ctx context.Context, agentID int64, sh Shift) (Agent, error) {
	a, err := s.dir.FindAgent(ctx, agentID)
	if err != nil {
		return Agent{}, err
	}
	if sh.TimeZone == "" {
		sh.TimeZone = a.TimeZone
	}
	if _, err := sh.calendar(); err != nil {
		return Agent{}, err
	}
	windows := ""
	if len(sh.Windows) > 0 {
		b, _ := json.Marshal(sh.Windows)
		windows = string(b)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureRow(ctx, tx, agentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE assign_agents SET shift_zone = $2, shift_always = $3, shift_windows = $4,
			updated_at = $5 WHERE agent_id = $1`, agentID, sh.TimeZone, sh.Always, windows, db.Now())
		if err != nil {
			return fmt.Errorf("set shifts of agent %d: %w", agentID, err)
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, agentID)
}

// SetLimit sets an agent's own limit of open tickets; nil uses the
// group's.
func (s *Service) SetLimit(ctx context.Context, agentID int64, limit *int) (Agent, error) {
	if limit != nil && (*limit < 0 || *limit > maxLimit) {
		return Agent{}, apperr.Field("max_open", "must be 0 (no limit) to %d, or empty for the group's", maxLimit)
	}
	if _, err := s.dir.FindAgent(ctx, agentID); err != nil {
		return Agent{}, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureRow(ctx, tx, agentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE assign_agents SET max_open = $2, updated_at = $3 WHERE agent_id = $1`,
			agentID, limit, db.Now())
		if err != nil {
			return fmt.Errorf("set limit of agent %d: %w", agentID, err)
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, agentID)
}

// Away returns the agents who are away now, for showing to colleagues.
func (s *Service) Away(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT agent_id FROM assign_agents WHERE away`)
	if err != nil {
		return nil, fmt.Errorf("away agents: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ParseWindow reads a shift window from a form: weekday 1–7 and "HH:MM"
// times; errors name the field (windows[i].from).
func ParseWindow(i int, weekday, from, to string) (sla.Window, error) {
	field := "windows[" + strconv.Itoa(i) + "]"
	wd, err := strconv.Atoi(weekday)
	if err != nil || wd < 1 || wd > 7 {
		return sla.Window{}, apperr.Field(field+".weekday", "must be 1 (Monday) to 7 (Sunday)")
	}
	f, err := sla.ParseTimeOfDay(from)
	if err != nil {
		return sla.Window{}, apperr.Field(field+".from", "%s", err.Error())
	}
	t, err := sla.ParseTimeOfDay(to)
	if err != nil {
		return sla.Window{}, apperr.Field(field+".to", "%s", err.Error())
	}
	return sla.Window{Weekday: wd, From: f, To: t}, nil
}

// IsAway reports whether an agent is away now.
func (s *Service) IsAway(ctx context.Context, agentID int64) (bool, error) {
	return exists(ctx, s.db.R, `SELECT 1 FROM assign_agents WHERE agent_id = $1 AND away`, agentID)
}
