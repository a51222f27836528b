// Package job is Linedesk's durable job queue (outbox): jobs are rows
// written in the same transaction as the change that causes them, claimed
// by workers under a lease, retried with backoff, and kept when they fail.
//
// Delivery is at least once: a worker that crashes (or overruns its lease)
// leaves its job to be claimed again once the lease expires, so every
// handler must be idempotent.
package job

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/db"
)

// State is where a job is in its life.
type State string

// The states of a job: pending (waiting for run_at), running (claimed
// under a lease), done (kept until pruned), dead (out of attempts, waiting
// for an administrator's retry).
const (
	Pending State = "pending"
	Running State = "running"
	Done    State = "done"
	Dead    State = "dead"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	return s == Pending || s == Running || s == Done || s == Dead
}

// Job is one row of the queue.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Payload     json.RawMessage `json:"payload"`
	State       State           `json:"state"`
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	RunAt       time.Time       `json:"run_at"`
	LockedUntil *time.Time      `json:"locked_until"`
	LastError   string          `json:"last_error"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Decode unmarshals the job's payload into v.
func (j Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return fmt.Errorf("decode payload of job %d (%s): %w", j.ID, j.Kind, err)
	}
	return nil
}

// Handler runs one attempt of a job. A returned error (or a panic) fails
// the attempt, which is retried with backoff. The context ends when the
// job's lease does, after which another worker may claim the job.
type Handler func(ctx context.Context, j Job) error

// DefaultMaxAttempts is how many attempts a job gets unless Enqueue is
// told otherwise.
const DefaultMaxAttempts = 10

// Config tunes a Queue. Zero fields take the defaults.
type Config struct {
	// Lease is how long a claimed job belongs to its worker before another
	// may take it over. Default 5 minutes.
	Lease time.Duration
	// PollInterval is how often an idle worker looks for due jobs when
	// nothing calls Wake. Default 500 ms.
	PollInterval time.Duration
	// BackoffBase is the delay after the first failed attempt; it doubles
	// with every further failure. Default 1 s.
	BackoffBase time.Duration
	// BackoffMax caps the delay between attempts. Default 1 hour.
	BackoffMax time.Duration
}

func (c Config) withDefaults() Config {
	if c.Lease <= 0 {
		c.Lease = 5 * time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = time.Hour
	}
	if c.BackoffMax < c.BackoffBase {
		c.BackoffMax = c.BackoffBase
	}
	return c
}

// Queue stores, claims and runs jobs. Several queues (one per node) may
// share a database.
type Queue struct {
	db       *db.DB
	log      *slog.Logger
	cfg      Config
	wake     chan struct{}
	claimSQL string

	mu       sync.RWMutex
	handlers map[string]Handler
}

// NewQueue returns a queue on d with the default Config.
func NewQueue(d *db.DB, log *slog.Logger) *Queue {
	return NewQueueWith(d, log, Config{})
}

// NewQueueWith returns a queue on d tuned by c.
func NewQueueWith(d *db.DB, log *slog.Logger, c Config) *Queue {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Queue{
		db: d, log: log, cfg: c.withDefaults(),
		wake:     make(chan struct{}, 1),
		claimSQL: claimSQL(d),
		handlers: map[string]Handler{},
	}
}

// Register sets the handler of a kind of job. Registering a kind twice is
// a programming error and panics, as http.ServeMux does.
func (q *Queue) Register(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if kind == "" || h == nil {
		panic("job: Register needs a kind and a handler")
	}
	if _, dup := q.handlers[kind]; dup {
		panic(fmt.Sprintf("job: kind %q registered twice", kind))
	}
	q.handlers[kind] = h
}

func (q *Queue) handler(kind string) (Handler, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	h, ok := q.handlers[kind]
	return h, ok
}

// Wake tells an idle worker to look for jobs now rather than at its next
// poll. Call it after committing a transaction that enqueued work; it
// never blocks.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Option adjusts one enqueued job.
type Option func(*enqueueOpts)

type enqueueOpts struct {
	runAt       time.Time
	maxAttempts int
}

// RunAt delays the job's first attempt until t.
func RunAt(t time.Time) Option {
	return func(o *enqueueOpts) { o.runAt = t }
}

// MaxAttempts sets how many attempts the job gets before it is dead.
func MaxAttempts(n int) Option {
	return func(o *enqueueOpts) { o.maxAttempts = n }
}

const enqueueSQL = `
	INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at)
	VALUES ($1, $2, 'pending', 0, $3, $4, '', $5, $5) RETURNING id`

// Enqueue adds a job through tx, normally the transaction of the change
// that causes it, so the job exists if and only if the change commits.
// The payload is stored as JSON. Call Wake after the commit to start the
// job without waiting for a poll.
func (q *Queue) Enqueue(ctx context.Context, tx db.Queryer, kind string, payload any, opts ...Option) (int64, error) {
	now := db.Now()
	o := enqueueOpts{runAt: now, maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	if kind == "" {
		return 0, fmt.Errorf("enqueue job: empty kind")
	}
	if o.maxAttempts < 1 {
		return 0, fmt.Errorf("enqueue job %s: max attempts %d < 1", kind, o.maxAttempts)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("enqueue job %s: encode payload: %w", kind, err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, enqueueSQL, kind, string(body), o.maxAttempts,
		o.runAt.UTC().Truncate(time.Microsecond), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("enqueue job %s: %w", kind, err)
	}
	return id, nil
}
