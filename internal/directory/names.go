package directory

import (
	"context"
	"fmt"

	"linedesk/internal/db"
)

// CompanyNames returns the names of the companies with the given ids, for
// lists that show many tickets at once.
func (s *Service) CompanyNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.names(ctx, "companies", ids)
}

// ContactNames returns the names of the contacts with the given ids.
func (s *Service) ContactNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.names(ctx, "contacts", ids)
}

// AgentNames returns the real names of the agents with the given ids.
func (s *Service) AgentNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.names(ctx, "agents", ids)
}

func (s *Service) names(ctx context.Context, table string, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, args := db.In(ids, 1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM `+table+` WHERE id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("names of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("names of %s: %w", table, err)
		}
		out[id] = name
	}
	return out, rows.Err()
}
