package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// tokenPrefix marks Linedesk API tokens so secret scanners can spot them.
const tokenPrefix = "ld_"

// Token describes an API token; the secret itself is shown once, at creation.
type Token struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Service issues, checks and revokes API tokens, and signs agents in to
// the web interface. Authentication joins the agents table directly: it
// runs on every API request and must stay one query.
type Service struct {
	db    *db.DB
	now   func() time.Time // the clock of sign-in limits and codes
	dummy func() string    // a password hash to check when there is no real one
}

// NewService returns an authentication service on d.
func NewService(d *db.DB) *Service {
	return &Service{db: d, now: db.Now, dummy: sync.OnceValue(dummyHash)}
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues a new token for the agent and returns its secret,
// which is stored only as a hash.
func (s *Service) CreateToken(ctx context.Context, agentID int64, name string) (string, Token, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	if len(name) > 200 {
		return "", Token{}, apperr.Field("name", "must be at most 200 characters")
	}
	t := Token{AgentID: agentID, Name: strings.TrimSpace(name), Prefix: secret[:len(tokenPrefix)+6], CreatedAt: db.Now()}
	err := s.db.W.QueryRowContext(ctx, `
		INSERT INTO api_tokens (agent_id, name, token_hash, prefix, created_at)
		SELECT id, $2, $3, $4, $5 FROM agents WHERE id = $1 AND active
		RETURNING id`, agentID, t.Name, hashToken(secret), t.Prefix, t.CreatedAt).Scan(&t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Token{}, apperr.NotFoundf("no active agent %d", agentID)
	}
	if err != nil {
		return "", Token{}, fmt.Errorf("create token for agent %d: %w", agentID, err)
	}
	return secret, t, nil
}

const authenticateSQL = `
SELECT a.id, a.name, a.email, a.role, a.line, t.id, t.last_used_at
FROM api_tokens t JOIN agents a ON a.id = t.agent_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active`

// Authenticate returns the principal a token acts for. Revoked tokens and
// tokens of deactivated agents are refused.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Principal{}, apperr.Errorf(apperr.Unauthorized, "invalid API token")
	}
	var p Principal
	var tokenID int64
	var lastUsed sql.NullTime
	err := s.db.R.QueryRowContext(ctx, authenticateSQL, hashToken(secret)).
		Scan(&p.AgentID, &p.Name, &p.Email, &p.Role, &p.Line, &tokenID, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, apperr.Errorf(apperr.Unauthorized, "invalid API token")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	if p.GroupIDs, err = GroupIDs(ctx, s.db.R, p.AgentID); err != nil {
		return Principal{}, err
	}
	// Recording last use costs a write; once a minute is precise enough.
	if now := db.Now(); !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Minute {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, tokenID); err != nil {
			return Principal{}, fmt.Errorf("record token use: %w", err)
		}
	}
	return p, nil
}

// GroupIDs returns the groups an agent belongs to.
func GroupIDs(ctx context.Context, q db.Queryer, agentID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM agent_groups WHERE agent_id = $1 ORDER BY group_id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("groups of agent %d: %w", agentID, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ListTokens returns an agent's tokens, newest first.
func (s *Service) ListTokens(ctx context.Context, agentID int64) ([]Token, error) {
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT id, agent_id, name, prefix, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE agent_id = $1 ORDER BY id DESC`, agentID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.AgentID, &t.Name, &t.Prefix, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		t.LastUsedAt, t.RevokedAt = timePtr(used), timePtr(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the agent's tokens. Revoking twice is fine.
func (s *Service) RevokeToken(ctx context.Context, agentID, tokenID int64) error {
	res, err := s.db.W.ExecContext(ctx, `
		UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND agent_id = $3`,
		db.Now(), tokenID, agentID)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", tokenID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("token %d not found", tokenID)
	}
	return nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
