package imappoll

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"linedesk/internal/db"
)

// State is where a mailbox's poller stands: every message with a UID up to
// LastUID under UIDValidity has been stored and acknowledged.
type State struct {
	MailboxID   int64
	UIDValidity uint32
	LastUID     uint32
	LastPollAt  *time.Time
	LastError   string
}

// DBState keeps pollers' State in the mailbox_state table and, on
// PostgreSQL, hands out one advisory lock per mailbox so that several
// nodes never poll the same mailbox at once.
type DBState struct {
	db *db.DB

	mu       sync.Mutex
	held     map[int64]bool // mailboxes locked through this DBState
	lockConn *sql.Conn      // PostgreSQL: the session holding the locks
}

// NewDBState returns the state store on d.
func NewDBState(d *db.DB) *DBState {
	return &DBState{db: d, held: map[int64]bool{}}
}

// Load returns the mailbox's State; a mailbox never polled has a zero
// State.
func (s *DBState) Load(ctx context.Context, mailboxID int64) (State, error) {
	st := State{MailboxID: mailboxID}
	var uv, last int64
	err := s.db.R.QueryRowContext(ctx, `
		SELECT uidvalidity, last_uid, last_poll_at, last_error FROM mailbox_state WHERE mailbox_id = $1`,
		mailboxID).Scan(&uv, &last, &st.LastPollAt, &st.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("load mailbox %d state: %w", mailboxID, err)
	}
	st.UIDValidity, st.LastUID = uint32(uv), uint32(last)
	return st, nil
}

// SavePosition records that every message up to lastUID under uidValidity
// has been stored and acknowledged.
func (s *DBState) SavePosition(ctx context.Context, mailboxID int64, uidValidity, lastUID uint32) error {
	_, err := s.db.W.ExecContext(ctx, `
		INSERT INTO mailbox_state (mailbox_id, uidvalidity, last_uid, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mailbox_id) DO UPDATE
		SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		mailboxID, int64(uidValidity), int64(lastUID), db.Now())
	if err != nil {
		return fmt.Errorf("save mailbox %d position: %w", mailboxID, err)
	}
	return nil
}

// RecordPoll records the outcome of a poll: errText is empty after a
// successful one.
func (s *DBState) RecordPoll(ctx context.Context, mailboxID int64, errText string) error {
	if len(errText) > maxErrorLen {
		errText = errText[:maxErrorLen]
	}
	now := db.Now()
	_, err := s.db.W.ExecContext(ctx, `
		INSERT INTO mailbox_state (mailbox_id, last_poll_at, last_error, updated_at) VALUES ($1, $2, $3, $2)
		ON CONFLICT (mailbox_id) DO UPDATE
		SET last_poll_at = excluded.last_poll_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
		mailboxID, now, errText)
	if err != nil {
		return fmt.Errorf("record mailbox %d poll: %w", mailboxID, err)
	}
	return nil
}

const maxErrorLen = 2000

// lockClass namespaces the mailbox advisory locks: the two-key form
// pg_try_advisory_lock(int, int) never collides with single-key locks
// taken elsewhere. The mailbox ID is the second key (IDs stay far below
// 2^31).
const lockClass = 0x1DE5C

// TryLock takes the mailbox's lock. On PostgreSQL it is a session advisory
// lock: every lock of this DBState lives on one connection of its own,
// taken from the pool for as long as any is held, so that a node with many
// mailboxes still uses one connection for them; if the node dies, the
// server frees its locks with the session. SQLite serves one node, so
// there the lock only keeps this process from polling a mailbox twice.
func (s *DBState) TryLock(ctx context.Context, mailboxID int64) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[mailboxID] {
		return nil, false, nil
	}
	if s.db.Dialect == db.Postgres {
		if s.lockConn == nil {
			conn, err := s.db.W.Conn(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
			}
			s.lockConn = conn
		}
		var ok bool
		err := s.lockConn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockClass, int32(mailboxID)).Scan(&ok)
		if err != nil {
			s.dropLockConn()
			return nil, false, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
		}
		if !ok {
			s.returnLockConn()
			return nil, false, nil
		}
	}
	s.held[mailboxID] = true
	return sync.OnceFunc(func() { s.unlock(mailboxID) }), true, nil
}

func (s *DBState) unlock(mailboxID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.held, mailboxID)
	if s.lockConn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.lockConn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockClass, int32(mailboxID)); err != nil {
		s.dropLockConn()
		return
	}
	s.returnLockConn()
}

// returnLockConn gives the lock connection back to the pool once it holds
// no lock.
func (s *DBState) returnLockConn() {
	if len(s.held) == 0 && s.lockConn != nil {
		s.lockConn.Close()
		s.lockConn = nil
	}
}

// dropLockConn discards a lock connection that failed, so that no lock it
// may still hold goes back to the pool with it. The server frees its
// locks when the session ends.
func (s *DBState) dropLockConn() {
	s.lockConn.Raw(func(any) error { return driver.ErrBadConn })
	s.lockConn.Close()
	s.lockConn = nil
}
