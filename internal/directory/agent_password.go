package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// ChangePassword sets an agent's own password from their profile: the
// current one must be given (apperr.Invalid, field "current_password",
// when wrong) and the new one, field "new_password", must be at least 8
// characters and differ from it. It ends a pending must-change-password.
func (s *Service) ChangePassword(ctx context.Context, agentID int64, current, next string) error {
	if len(next) < minPassword {
		return apperr.Field("new_password", "must be at least %d characters", minPassword)
	}
	var old string
	err := s.db.R.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1 AND active`, agentID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("agent %d not found", agentID)
	}
	if err != nil {
		return fmt.Errorf("change password of agent %d: %w", agentID, err)
	}
	if !auth.CheckPassword(old, current) {
		return apperr.Field("current_password", "is wrong")
	}
	if next == current {
		return apperr.Field("new_password", "must differ from the current password")
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	// The old hash in the condition refuses a change made meanwhile.
	res, err := s.db.W.ExecContext(ctx, `
		UPDATE agents SET password_hash = $3, must_change_password = FALSE, updated_at = $4
		WHERE id = $1 AND password_hash = $2`, agentID, old, hash, db.Now())
	if err != nil {
		return fmt.Errorf("change password of agent %d: %w", agentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Errorf(apperr.Conflict, "the password was changed meanwhile; sign in again")
	}
	return nil
}
