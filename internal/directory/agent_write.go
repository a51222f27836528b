package directory

import (
	"context"
	"database/sql"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// AgentUpdate changes the fields that are not nil. GroupIDs replaces the
// agent's groups.
type AgentUpdate struct {
	Name     *string
	Email    *string
	Password *string
	Role     *auth.Role
	Line     *int
	Language *string
	TimeZone *string
	GroupIDs *[]int64
	Active   *bool
}

// AdminFields names the fields set in u that only an administrator may
// change; an agent may change only their own name, language, time zone and
// password.
func (u AgentUpdate) AdminFields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"email", u.Email != nil}, {"role", u.Role != nil}, {"line", u.Line != nil},
		{"group_ids", u.GroupIDs != nil}, {"active", u.Active != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// UpdateAgent changes an agent. A change that would leave no active
// administrator is a conflict.
func (s *Service) UpdateAgent(ctx context.Context, id int64, u AgentUpdate) (Agent, error) {
	hash := ""
	if u.Password != nil {
		if *u.Password == "" {
			return Agent{}, apperr.Field("password", "must be at least %d characters", minPassword)
		}
		var err error
		if hash, err = passwordHash(*u.Password); err != nil { // slow: not inside the transaction
			return Agent{}, err
		}
	}
	adminChange := u.Role != nil || u.Active != nil
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		admins := 0
		if adminChange {
			var err error
			if admins, err = lockAdmins(ctx, tx); err != nil {
				return err
			}
		}
		if err := touch(ctx, tx, "agents", "agent", id, db.Now()); err != nil {
			return err
		}
		if err := writeAgent(ctx, tx, id, u, hash); err != nil {
			return err
		}
		if admins > 0 {
			return ensureAdmin(ctx, tx, u)
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, id)
}

func writeAgent(ctx context.Context, tx *sql.Tx, id int64, u AgentUpdate, hash string) error {
	a, err := findAgent(ctx, tx, `id = $1`, id, fmt.Sprintf("agent %d", id))
	if err != nil {
		return err
	}
	set(&a.Name, u.Name)
	set(&a.Email, u.Email)
	set(&a.Role, u.Role)
	set(&a.Line, u.Line)
	set(&a.Language, u.Language)
	set(&a.TimeZone, u.TimeZone)
	set(&a.Active, u.Active)
	if u.Role != nil && *u.Role == "" {
		return apperr.Field("role", "must be admin, supervisor or agent")
	}
	if u.Line != nil && *u.Line == 0 {
		return apperr.Field("line", "must be 1, 2, 3 or 4")
	}
	if err := a.normalize(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE agents SET name = $2, email = $3, role = $4, line = $5, language = $6, time_zone = $7, active = $8 WHERE id = $1`,
		id, a.Name, a.Email, a.Role, a.Line, a.Language, a.TimeZone, a.Active)
	if err != nil {
		return emailTaken(err, fmt.Sprintf("update agent %d", id))
	}
	if hash != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET password_hash = $2 WHERE id = $1`, id, hash); err != nil {
			return fmt.Errorf("set password of agent %d: %w", id, err)
		}
	}
	if u.GroupIDs != nil {
		return setAgentGroups(ctx, tx, id, *u.GroupIDs)
	}
	return nil
}

// DeactivateAgent stops an agent from signing in or using API tokens.
// Agents are never deleted: their names stay on the tickets they worked.
func (s *Service) DeactivateAgent(ctx context.Context, id int64) error {
	inactive := false
	_, err := s.UpdateAgent(ctx, id, AgentUpdate{Active: &inactive})
	return err
}

// lockAdmins touches every active administrator's row and counts them.
// On PostgreSQL that locks the rows, so two administrators demoting each
// other at the same time cannot both pass ensureAdmin; SQLite runs one
// write at a time anyway.
func lockAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE agents SET role = role WHERE role = 'admin' AND active`)
	if err != nil {
		return 0, fmt.Errorf("lock administrators: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("lock administrators: %w", err)
	}
	return int(n), nil
}

// ensureAdmin refuses a change that left no active administrator where
// there was one.
func ensureAdmin(ctx context.Context, tx *sql.Tx, u AgentUpdate) error {
	n, err := count(ctx, tx, `SELECT count(*) FROM agents WHERE role = 'admin' AND active`)
	if err != nil || n > 0 {
		return err
	}
	field := "role"
	if u.Active != nil && !*u.Active {
		field = "active"
	}
	return &apperr.Error{Code: apperr.Conflict, Field: field,
		Message: "this is the last active administrator; make another agent an administrator first"}
}

// AdminExists reports whether an active administrator exists.
func (s *Service) AdminExists(ctx context.Context) (bool, error) {
	n, err := count(ctx, s.db.R, `SELECT count(*) FROM agents WHERE role = 'admin' AND active`)
	if err != nil {
		return false, fmt.Errorf("count administrators: %w", err)
	}
	return n > 0, nil
}
