package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// deviceLifetime is how long a browser stays remembered after a sign-in.
const deviceLifetime = 90 * 24 * time.Hour

// findDevice returns the hash of value when it is an unexpired device
// cookie of the agent, and "" otherwise. The query runs for unknown
// agents too, so their attempts take as long.
func (s *Service) findDevice(ctx context.Context, agentID int64, value string, now time.Time) (string, error) {
	if value == "" {
		return "", nil
	}
	hash := hashToken(value)
	var found int64
	err := s.db.R.QueryRowContext(ctx, `
		SELECT agent_id FROM login_devices WHERE token_hash = $1 AND agent_id = $2 AND expires_at > $3`,
		hash, agentID, now).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find sign-in device: %w", err)
	}
	return hash, nil
}

// issueDevice remembers a browser for the agent and returns the cookie
// value naming it; the device it replaces (a hash, may be "") is
// forgotten, so a cookie is renewed at each sign-in.
func (s *Service) issueDevice(ctx context.Context, agentID int64, replaces string, now time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("issue sign-in device: %w", err)
	}
	value := base64.RawURLEncoding.EncodeToString(raw)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if replaces != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_devices WHERE token_hash = $1`, replaces); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO login_devices (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashToken(value), agentID, now, now.Add(deviceLifetime))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("issue sign-in device for agent %d: %w", agentID, err)
	}
	return value, nil
}

// PruneSignIn forgets expired devices and sign-in failures that have
// been quiet for a day (by then they no longer count), and returns how
// many rows went.
func (s *Service) PruneSignIn(ctx context.Context) (int64, error) {
	now := s.now()
	res1, err := s.db.W.ExecContext(ctx, `DELETE FROM login_devices WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("prune sign-in devices: %w", err)
	}
	quiet := now.Add(-longestBlock)
	res2, err := s.db.W.ExecContext(ctx, `
		DELETE FROM login_throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $1)`, quiet)
	if err != nil {
		return 0, fmt.Errorf("prune sign-in failures: %w", err)
	}
	n1, _ := res1.RowsAffected()
	n2, _ := res2.RowsAffected()
	return n1 + n2, nil
}
