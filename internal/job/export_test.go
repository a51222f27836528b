package job

import (
	"context"
	"time"
)

// ClaimForTest claims one due job without running it, as a worker that is
// about to crash would.
func (q *Queue) ClaimForTest(ctx context.Context) (Job, bool, error) { return q.claim(ctx) }

// ExecuteForTest runs and records one claimed attempt, as a worker does.
func (q *Queue) ExecuteForTest(ctx context.Context, j Job) { q.execute(ctx, j) }

// BackoffForTest is the delay after the attempts-th failure under c.
func BackoffForTest(c Config, attempts int) time.Duration { return backoff(c.withDefaults(), attempts) }

// LostLeaseError is the last_error of a job whose lease expired.
const LostLeaseError = lostLease
