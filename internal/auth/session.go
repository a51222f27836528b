package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/db"
)

// SessionStore keeps web sessions in the database for
// github.com/alexedwards/scs/v2, so they survive restarts and are shared
// by every node. It implements scs.Store and scs.CtxStore. Only the
// SHA-256 of a session token is stored: a copy of the database gives no
// live session. For the same reason it cannot list sessions by token
// (scs.IterableStore).
type SessionStore struct {
	db *db.DB
}

// NewSessionStore returns a session store on d.
func NewSessionStore(d *db.DB) *SessionStore {
	return &SessionStore{db: d}
}

// FindCtx returns the data of an unexpired session; found is false for
// an unknown or expired token.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		hashToken(token), db.Now()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores a session's data and expiry, replacing what the token
// had.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		hashToken(token), b, expiry.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session; an unknown token is no error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find is FindCtx without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// Prune deletes expired sessions and returns how many went.
func (s *SessionStore) Prune(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, db.Now())
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return res.RowsAffected()
}
