package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// CreateAgent adds an agent; its e-mail must be unused.
func (s *Service) CreateAgent(ctx context.Context, in AgentInput) (Agent, error) {
	email, err := ValidEmail("email", in.Email)
	if err != nil {
		return Agent{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return Agent{}, apperr.Field("name", "is required (at most 200 characters)")
	}
	if in.Role == "" {
		in.Role = auth.RoleAgent
	}
	if !in.Role.Valid() {
		return Agent{}, apperr.Field("role", "must be admin, supervisor or agent")
	}
	if in.Line == 0 {
		in.Line = 1
	}
	if in.Line < 1 || in.Line > 4 {
		return Agent{}, apperr.Field("line", "must be 1, 2, 3 or 4")
	}
	if in.Language == "" {
		in.Language = "en"
	}
	if !slices.Contains(Languages, in.Language) {
		return Agent{}, apperr.Field("language", "must be en, ru or lv")
	}
	hash := ""
	if in.Password != "" {
		if len(in.Password) < 8 {
			return Agent{}, apperr.Field("password", "must be at least 8 characters")
		}
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return Agent{}, err
		}
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		err := tx.QueryRowContext(ctx, `
			INSERT INTO agents (name, email, password_hash, role, line, language, active, must_change_password, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $8) RETURNING id`,
			in.Name, email, hash, in.Role, in.Line, in.Language, in.MustChangePassword, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "an agent with this e-mail already exists"}
		}
		if err != nil {
			return fmt.Errorf("create agent: %w", err)
		}
		return setAgentGroups(ctx, tx, id, in.GroupIDs)
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, id)
}

func setAgentGroups(ctx context.Context, tx *sql.Tx, agentID int64, groupIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agent_groups WHERE agent_id = $1`, agentID); err != nil {
		return fmt.Errorf("set groups of agent %d: %w", agentID, err)
	}
	for _, g := range groupIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, agentID, g)
		if db.IsForeignKeyViolation(err) {
			return apperr.Field("group_ids", "group %d does not exist", g)
		}
		if err != nil {
			return fmt.Errorf("set groups of agent %d: %w", agentID, err)
		}
	}
	return nil
}

const agentColumns = `id, name, email, role, line, language, active, must_change_password, created_at, updated_at`

func scanAgent(row interface{ Scan(...any) error }) (Agent, error) {
	var a Agent
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.Line, &a.Language, &a.Active, &a.MustChangePassword,
		&a.CreatedAt, &a.UpdatedAt)
	return a, err
}

// FindAgent returns one agent with its groups.
func (s *Service) FindAgent(ctx context.Context, id int64) (Agent, error) {
	a, err := scanAgent(s.db.R.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = $1`, id))
	return s.withGroups(ctx, a, err, fmt.Sprintf("agent %d", id))
}

// FindAgentByEmail returns the agent with that e-mail address.
func (s *Service) FindAgentByEmail(ctx context.Context, email string) (Agent, error) {
	email = NormalizeEmail(email)
	a, err := scanAgent(s.db.R.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM agents WHERE email = $1`, email))
	return s.withGroups(ctx, a, err, "agent "+email)
}

func (s *Service) withGroups(ctx context.Context, a Agent, err error, what string) (Agent, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, apperr.NotFoundf("%s not found", what)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("find %s: %w", what, err)
	}
	a.GroupIDs, err = auth.GroupIDs(ctx, s.db.R, a.ID)
	return a, err
}

// AdminExists reports whether an active administrator exists.
func (s *Service) AdminExists(ctx context.Context) (bool, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM agents WHERE role = 'admin' AND active`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count administrators: %w", err)
	}
	return n > 0, nil
}
