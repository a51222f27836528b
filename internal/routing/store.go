package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

const ruleColumns = `r.id, r.name, r.position, r.enabled, r.on_create, r.on_update, r.changed_field, r.conditions,
	r.actions, r.stop, r.version, r.created_at, r.updated_at,
	COALESCE(s.applied, 0), s.last_applied_at, COALESCE(s.failed, 0), COALESCE(s.last_error, ''), s.last_failed_at
	FROM routing_rules r LEFT JOIN routing_rule_stats s ON s.rule_id = r.id`

func scanRule(row db.Scanner) (Rule, error) {
	var r Rule
	var onCreate, onUpdate bool
	var conds, acts string
	err := row.Scan(&r.ID, &r.Name, &r.Position, &r.Enabled, &onCreate, &onUpdate, &r.ChangedField, &conds, &acts,
		&r.Stop, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.Stats.Applied, &r.Stats.LastAppliedAt, &r.Stats.Failed,
		&r.Stats.LastError, &r.Stats.LastFailedAt)
	if err != nil {
		return r, err
	}
	switch {
	case onCreate && onUpdate:
		r.When = OnBoth
	case onUpdate:
		r.When = OnUpdate
	default:
		r.When = OnCreate
	}
	if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
		return r, fmt.Errorf("conditions of rule %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(acts), &r.Actions); err != nil {
		return r, fmt.Errorf("actions of rule %d: %w", r.ID, err)
	}
	return r, nil
}

// Rules returns every rule in order, with its statistics.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	return s.rules(ctx, s.db.R)
}

func (s *Service) rules(ctx context.Context, q db.Queryer) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ruleColumns+` ORDER BY r.position, r.id`)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("list rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRule returns one rule.
func (s *Service) FindRule(ctx context.Context, id int64) (Rule, error) {
	return findRule(ctx, s.db.R, id)
}

func findRule(ctx context.Context, q db.Queryer, id int64) (Rule, error) {
	r, err := scanRule(q.QueryRowContext(ctx, `SELECT `+ruleColumns+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, apperr.NotFoundf("rule %d not found", id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("find rule %d: %w", id, err)
	}
	return r, nil
}

// CreateRule adds a rule after the others.
func (s *Service) CreateRule(ctx context.Context, in Input) (Rule, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		in, err := s.normalize(ctx, tx, in)
		if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) FROM routing_rules`).Scan(&last); err != nil {
			return fmt.Errorf("create rule: %w", err)
		}
		conds, acts := encode(in)
		now := db.Now()
		err = tx.QueryRowContext(ctx, `
			INSERT INTO routing_rules (name, name_key, position, enabled, on_create, on_update, changed_field,
				conditions, actions, stop, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			in.Name, nameKey(in.Name), last+1, in.Enabled == nil || *in.Enabled, in.When != OnUpdate, in.When != OnCreate,
			in.ChangedField, conds, acts, in.Stop, now).Scan(&id)
		if err != nil {
			return uniqueName(err, in.Name, "create rule")
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return Rule{}, err
	}
	return s.FindRule(ctx, id)
}

// UpdateRule replaces a rule's definition if it is still at version (0
// skips the check). Its failure, if any, is forgotten: the rule is mended.
func (s *Service) UpdateRule(ctx context.Context, id, version int64, in Input) (Rule, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && cur.Version != version {
			return &apperr.Error{Code: apperr.Conflict, Field: "version", Message: fmt.Sprintf(
				"rule %q was changed by someone else (now version %d, yours %d); reload it", cur.Name, cur.Version, version)}
		}
		if in.Enabled == nil {
			in.Enabled = &cur.Enabled
		}
		if in, err = s.normalize(ctx, tx, in); err != nil {
			return err
		}
		conds, acts := encode(in)
		_, err = tx.ExecContext(ctx, `
			UPDATE routing_rules SET name = $2, name_key = $3, enabled = $4, on_create = $5, on_update = $6,
				changed_field = $7, conditions = $8, actions = $9, stop = $10, version = version + 1, updated_at = $11
			WHERE id = $1`, id, in.Name, nameKey(in.Name), *in.Enabled, in.When != OnUpdate, in.When != OnCreate,
			in.ChangedField, conds, acts, in.Stop, db.Now())
		if err != nil {
			return uniqueName(err, in.Name, "update rule")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE routing_rule_stats SET last_error = '' WHERE rule_id = $1`, id); err != nil {
			return fmt.Errorf("update rule: %w", err)
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return Rule{}, err
	}
	return s.FindRule(ctx, id)
}

// SetEnabled switches a rule on or off.
func (s *Service) SetEnabled(ctx context.Context, id int64, on bool) (Rule, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := findRule(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE routing_rules SET enabled = $2, version = version + 1, updated_at = $3
			WHERE id = $1`, id, on, db.Now()); err != nil {
			return fmt.Errorf("switch rule %d: %w", id, err)
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return Rule{}, err
	}
	return s.FindRule(ctx, id)
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := findRule(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM routing_rules WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete rule %d: %w", id, err)
		}
		return bump(ctx, tx)
	})
}

// MoveRule moves a rule one place up (by < 0) or down (by > 0) in the
// order, or to a position (to > 0), renumbering the rules 1…n.
func (s *Service) MoveRule(ctx context.Context, id int64, by, to int) ([]Rule, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		list, err := s.rules(ctx, tx)
		if err != nil {
			return err
		}
		at := -1
		for i, r := range list {
			if r.ID == id {
				at = i
			}
		}
		if at < 0 {
			return apperr.NotFoundf("rule %d not found", id)
		}
		dest := at + by
		if to > 0 {
			dest = to - 1
		}
		dest = max(0, min(dest, len(list)-1))
		r := list[at]
		list = append(list[:at], list[at+1:]...)
		list = append(list[:dest], append([]Rule{r}, list[dest:]...)...)
		for i, r := range list {
			if _, err := tx.ExecContext(ctx, `UPDATE routing_rules SET position = $2 WHERE id = $1`, r.ID, i+1); err != nil {
				return fmt.Errorf("move rule: %w", err)
			}
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return s.Rules(ctx)
}

// bump raises the rule set's generation: every node reloads its rules.
func bump(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE routing_state SET generation = generation + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("routing generation: %w", err)
	}
	return nil
}

func encode(in Input) (string, string) {
	if in.Conditions == nil {
		in.Conditions = []Condition{}
	}
	if in.Actions == nil {
		in.Actions = []Action{}
	}
	c, _ := json.Marshal(in.Conditions)
	a, _ := json.Marshal(in.Actions)
	return string(c), string(a)
}

func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func uniqueName(err error, name, what string) error {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate") {
		return apperr.Field("name", "a rule named %q exists already", name)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// recordApplied counts an application of a rule; mended forgets its
// last failure.
func recordApplied(ctx context.Context, tx *sql.Tx, ruleID int64, mended bool) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO routing_rule_stats (rule_id, applied, last_applied_at) VALUES ($1, 1, $2)
		ON CONFLICT (rule_id) DO UPDATE SET applied = routing_rule_stats.applied + 1,
			last_applied_at = excluded.last_applied_at,
			last_error = CASE WHEN $3 THEN '' ELSE routing_rule_stats.last_error END`, ruleID, db.Now(), mended)
	if err != nil {
		return fmt.Errorf("count rule %d: %w", ruleID, err)
	}
	return nil
}

// recordFailed counts a failure of a rule with its reason: the rule
// shows as broken until it applies again or is edited.
func recordFailed(ctx context.Context, tx *sql.Tx, ruleID int64, reason string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO routing_rule_stats (rule_id, failed, last_error, last_failed_at) VALUES ($1, 1, $2, $3)
		ON CONFLICT (rule_id) DO UPDATE SET failed = routing_rule_stats.failed + 1,
			last_error = excluded.last_error, last_failed_at = excluded.last_failed_at`, ruleID, reason, db.Now())
	if err != nil {
		return fmt.Errorf("count failure of rule %d: %w", ruleID, err)
	}
	return nil
}
