package job

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"linedesk/internal/db"
)

// Run starts workers that claim and run due jobs, and blocks until ctx is
// done and every worker has finished the job it was running. In-flight
// handlers are not cancelled by ctx: a job half done at shutdown would
// only be run again, so they get until their lease ends to finish.
// Run returns nil once stopped.
func (q *Queue) Run(ctx context.Context, workers int) error {
	workers = max(workers, 1)
	q.log.InfoContext(ctx, "job workers started", "workers", workers, "lease", q.cfg.Lease)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { q.work(ctx, i) })
	}
	wg.Wait()
	q.log.InfoContext(context.WithoutCancel(ctx), "job workers stopped")
	return nil
}

// work is one worker: claim a job, run it, repeat; wait for a poll or a
// Wake when there is nothing due.
func (q *Queue) work(ctx context.Context, worker int) {
	for ctx.Err() == nil {
		j, ok, err := q.claim(ctx)
		if err != nil && ctx.Err() == nil {
			q.log.ErrorContext(ctx, "claim job", "worker", worker, "err", err)
		}
		if !ok {
			q.idle(ctx)
			continue
		}
		// There may be more due jobs: let an idle sibling look too.
		q.Wake()
		if j.State == Running {
			q.execute(ctx, j)
		}
	}
}

func (q *Queue) idle(ctx context.Context) {
	t := time.NewTimer(q.cfg.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-q.wake:
	case <-t.C:
	}
}

const columns = `id, kind, payload, state, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at`

// lostLease is the last_error of a job claimed again because its previous
// attempt never reported back.
const lostLease = "the previous attempt did not finish before its lease expired (the worker crashed, was stopped or overran)"

// claimSQL takes the oldest due job — pending and due, or running with an
// expired lease — under a new lease. Counting the attempt at claim time
// means a job that keeps crashing its worker still runs out of attempts.
func claimSQL(d *db.DB) string {
	return `
	UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2,
		last_error = CASE WHEN state = 'running' THEN $3 ELSE last_error END
	WHERE id IN (
		SELECT id FROM jobs
		WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)
		ORDER BY run_at, id LIMIT 1` + d.SkipLocked() + `)
	RETURNING ` + columns
}

// claim takes one due job in a short write transaction (IMMEDIATE on
// SQLite; SKIP LOCKED lets PostgreSQL nodes claim side by side). ok
// reports whether a job was taken; a job that has used up its attempts by
// losing leases is buried instead of run, and returned in state dead.
func (q *Queue) claim(ctx context.Context) (j Job, ok bool, err error) {
	now := db.Now()
	lease := now.Add(q.cfg.Lease).Truncate(time.Microsecond)
	err = q.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, q.claimSQL, lease, now, lostLease))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim job: %w", err)
		}
		ok = true
		if j.Attempts <= j.MaxAttempts {
			return nil
		}
		j.State, j.LockedUntil = Dead, nil
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET state = 'dead', locked_until = NULL WHERE id = $1`, j.ID)
		if err != nil {
			return fmt.Errorf("bury job %d: %w", j.ID, err)
		}
		q.log.ErrorContext(ctx, "job dead", "job", j.ID, "kind", j.Kind, "attempts", j.MaxAttempts, "err", lostLease)
		return nil
	})
	if err != nil {
		return Job{}, false, err
	}
	return j, ok, nil
}

// execute runs one claimed attempt and records its outcome.
func (q *Queue) execute(ctx context.Context, j Job) {
	base := context.WithoutCancel(ctx)
	hctx, cancel := context.WithDeadline(base, *j.LockedUntil)
	started := time.Now()
	err := q.call(hctx, j)
	cancel()
	q.finish(base, j, err, time.Since(started))
}

// call runs the job's handler, turning a panic into an error so the job
// is retried and the worker lives on.
func (q *Queue) call(ctx context.Context, j Job) (err error) {
	h, ok := q.handler(j.Kind)
	if !ok {
		return fmt.Errorf("no handler is registered for job kind %q on this node", j.Kind)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, shortStack(debug.Stack()))
		}
	}()
	return h(ctx, j)
}

// finishSQL records an attempt's outcome only if the row still holds this
// claim: attempts and locked_until together identify it, since a later
// claim always sets a later lease. A worker that overran its lease thus
// cannot overwrite the result of the claim that replaced it.
const finishSQL = `
	UPDATE jobs SET state = $1, run_at = $2, last_error = $3, locked_until = NULL, updated_at = $4
	WHERE id = $5 AND state = 'running' AND attempts = $6 AND locked_until = $7`

func (q *Queue) finish(ctx context.Context, j Job, runErr error, took time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	now := db.Now()
	state, runAt, lastErr := Done, j.RunAt, j.LastError
	log := q.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "took", took)
	switch {
	case runErr == nil:
		log.DebugContext(ctx, "job done")
	case j.Attempts >= j.MaxAttempts:
		state, lastErr = Dead, limitError(runErr.Error())
		log.ErrorContext(ctx, "job dead", "max_attempts", j.MaxAttempts, "err", runErr)
	default:
		state, lastErr = Pending, limitError(runErr.Error())
		runAt = now.Add(backoff(q.cfg, j.Attempts)).Truncate(time.Microsecond)
		log.WarnContext(ctx, "job failed; will retry", "retry_at", runAt, "err", runErr)
	}
	res, err := q.db.W.ExecContext(ctx, finishSQL, state, runAt, lastErr, now, j.ID, j.Attempts, *j.LockedUntil)
	if err != nil {
		// The row stays running; the job runs again once its lease expires.
		log.ErrorContext(ctx, "record job outcome", "state", state, "err", err)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		log.WarnContext(ctx, "job outcome dropped: its lease expired and it was claimed again", "state", state)
	}
}

// backoff is the delay after a job's attempts-th failure: BackoffBase
// doubled per earlier failure, capped at BackoffMax, less up to a quarter
// at random so jobs that failed together do not retry together.
func backoff(c Config, attempts int) time.Duration {
	d := c.BackoffBase
	for i := 1; i < attempts && d < c.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, c.BackoffMax)
	return d - rand.N(d/4+1)
}

const maxErrorLen = 4000

// limitError keeps last_error to a size worth showing.
func limitError(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxErrorLen], "") + "…"
}

// shortStack keeps the few frames of a panic's stack that point at its
// cause: those below runtime's panic frame.
func shortStack(stack []byte) string {
	lines := strings.Split(strings.TrimSpace(string(stack)), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			lines = lines[min(i+2, len(lines)):]
			break
		}
	}
	return strings.Join(lines[:min(len(lines), 10)], "\n")
}
