package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Group is a team that takes tickets.
type Group struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	AgentIDs    []int64   `json:"agent_ids"` // members, active or not
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// GroupInput creates a group. Members are set on the agents.
type GroupInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// GroupUpdate changes the fields that are not nil.
type GroupUpdate struct {
	Name        *string
	Description *string
}

// GroupFilter selects groups: Q is a case-insensitive part of the name.
type GroupFilter struct {
	Q      string
	Offset int
	Limit  int // 25 when 0, at most 500
}

func (g *Group) normalize() (err error) {
	if g.Name, err = validName("name", g.Name); err != nil {
		return err
	}
	g.Description, err = validText("description", g.Description, maxNotes)
	return err
}

const groupColumns = `id, name, description, created_at, updated_at`

func scanGroup(row db.Scanner) (Group, error) {
	var g Group
	err := row.Scan(&g.ID, &g.Name, &g.Description, &g.CreatedAt, &g.UpdatedAt)
	return g, err
}

const groupAgentsSQL = `SELECT group_id, agent_id FROM agent_groups WHERE group_id IN (%s) ORDER BY agent_id`

// CreateGroup adds a group; its name must be unused.
func (s *Service) CreateGroup(ctx context.Context, in GroupInput) (Group, error) {
	g := Group{Name: in.Name, Description: in.Description}
	if err := g.normalize(); err != nil {
		return Group{}, err
	}
	now := db.Now()
	err := s.db.W.QueryRowContext(ctx, `
		INSERT INTO groups (name, name_key, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, g.Name, nameKey(g.Name), g.Description, now).Scan(&g.ID)
	if db.IsUniqueViolation(err) {
		return Group{}, nameTaken("group", g.Name)
	}
	if err != nil {
		return Group{}, fmt.Errorf("create group: %w", err)
	}
	return s.FindGroup(ctx, g.ID)
}

// FindGroup returns one group with its members.
func (s *Service) FindGroup(ctx context.Context, id int64) (Group, error) {
	g, err := findGroup(ctx, s.db.R, id)
	if err != nil {
		return Group{}, err
	}
	members, err := childrenOf[int64](ctx, s.db.R, groupAgentsSQL, []int64{id})
	if err != nil {
		return Group{}, fmt.Errorf("members of group %d: %w", id, err)
	}
	g.AgentIDs = orEmpty(members[id])
	return g, nil
}

func findGroup(ctx context.Context, q db.Queryer, id int64) (Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Group{}, apperr.NotFoundf("group %d not found", id)
	}
	if err != nil {
		return Group{}, fmt.Errorf("find group %d: %w", id, err)
	}
	return g, nil
}

// FindGroups returns a page of groups ordered by name, with their
// members, and how many match.
func (s *Service) FindGroups(ctx context.Context, f GroupFilter) ([]Group, int, error) {
	var w db.Where
	if f.Q != "" {
		w.Add(`name_key LIKE ` + w.Arg(likeContains(f.Q)) + ` ESCAPE '\'`)
	}
	groups, total, err := db.FindPage(ctx, s.db.R, groupColumns, "groups", "name_key, id", w, f.Offset, f.Limit, scanGroup)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	members, err := childrenOf[int64](ctx, s.db.R, groupAgentsSQL, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("members of groups: %w", err)
	}
	for i := range groups {
		groups[i].AgentIDs = orEmpty(members[groups[i].ID])
	}
	return groups, total, nil
}

// UpdateGroup changes a group.
func (s *Service) UpdateGroup(ctx context.Context, id int64, u GroupUpdate) (Group, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "groups", "group", id, db.Now()); err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		set(&g.Name, u.Name)
		set(&g.Description, u.Description)
		if err := g.normalize(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE groups SET name = $2, name_key = $3, description = $4 WHERE id = $1`,
			id, g.Name, nameKey(g.Name), g.Description)
		if db.IsUniqueViolation(err) {
			return nameTaken("group", g.Name)
		}
		if err != nil {
			return fmt.Errorf("update group %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Group{}, err
	}
	return s.FindGroup(ctx, id)
}

// DeleteGroup deletes a group that holds no tickets; its agents simply
// stop being members.
func (s *Service) DeleteGroup(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "groups", "group", id, db.Now()); err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM tickets WHERE group_id = $1`, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Errorf(apperr.Conflict,
				"group %d still has tickets (%d, open or closed); move them to another group before deleting it", id, n)
		}
		return deleteRow(ctx, tx, "groups", "group", id)
	})
}
