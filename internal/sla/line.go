package sla

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Line is a support line (1–4) and the groups that work at it, in the
// order escalation picks them: a ticket passed to the line without a
// named group lands in the first.
type Line struct {
	Line     int     `json:"line"`
	GroupIDs []int64 `json:"group_ids"`
}

// LineNumbers are the support lines.
var LineNumbers = []int{1, 2, 3, 4}

// Lines returns every line with its groups.
func (s *Service) Lines(ctx context.Context) ([]Line, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT line, group_id FROM sla_line_groups ORDER BY line, position, group_id`)
	if err != nil {
		return nil, fmt.Errorf("support lines: %w", err)
	}
	defer rows.Close()
	out := make([]Line, len(LineNumbers))
	for i, n := range LineNumbers {
		out[i] = Line{Line: n, GroupIDs: []int64{}}
	}
	for rows.Next() {
		var line int
		var g int64
		if err := rows.Scan(&line, &g); err != nil {
			return nil, fmt.Errorf("support lines: %w", err)
		}
		if line >= 1 && line <= len(out) {
			out[line-1].GroupIDs = append(out[line-1].GroupIDs, g)
		}
	}
	return out, rows.Err()
}

// SetLineGroups makes groupIDs, in order, the groups of a line. A group
// belongs to one line: naming it here takes it from the line it was at.
func (s *Service) SetLineGroups(ctx context.Context, line int, groupIDs []int64) (Line, error) {
	if !slices.Contains(LineNumbers, line) {
		return Line{}, apperr.Field("line", "must be 1 to 4")
	}
	var ids []int64
	for _, g := range groupIDs {
		if !slices.Contains(ids, g) {
			ids = append(ids, g)
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for i, g := range ids {
			if ok, err := exists(ctx, tx, `SELECT 1 FROM groups WHERE id = $1`, g); err != nil || !ok {
				return orField(err, fmt.Sprintf("group_ids[%d]", i), "group %d does not exist", g)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_line_groups WHERE line = $1`, line); err != nil {
			return fmt.Errorf("set groups of line %d: %w", line, err)
		}
		for i, g := range ids {
			_, err := tx.ExecContext(ctx, `INSERT INTO sla_line_groups (group_id, line, position) VALUES ($1, $2, $3)
				ON CONFLICT (group_id) DO UPDATE SET line = excluded.line, position = excluded.position`, g, line, i)
			if err != nil {
				return fmt.Errorf("set groups of line %d: %w", line, err)
			}
		}
		return nil
	})
	if err != nil {
		return Line{}, err
	}
	return Line{Line: line, GroupIDs: orEmpty(ids)}, nil
}

// LineGroup returns the group a ticket passed to line lands in: its
// current group when that works at the line (or the line has no groups),
// else the line's first group. nil keeps the ticket's group.
func (s *Service) LineGroup(ctx context.Context, line int, current *int64) (*int64, error) {
	return lineGroup(ctx, s.db.R, line, current)
}

func lineGroup(ctx context.Context, q db.Queryer, line int, current *int64) (*int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM sla_line_groups WHERE line = $1 ORDER BY position, group_id`, line)
	if err != nil {
		return nil, fmt.Errorf("groups of line %d: %w", line, err)
	}
	defer rows.Close()
	var groups []int64
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, fmt.Errorf("groups of line %d: %w", line, err)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(groups) == 0 || (current != nil && slices.Contains(groups, *current)) {
		return nil, nil
	}
	return &groups[0], nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
