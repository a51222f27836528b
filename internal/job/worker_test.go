package job_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
)

func TestFailingJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cfg := fastConfig
		cfg.BackoffBase, cfg.BackoffMax = 100*time.Millisecond, time.Second
		q := newQueue(d, cfg)
		c := newCalls()
		var healthy atomic.Bool
		q.Register("send", func(ctx context.Context, j job.Job) error {
			c.add(j.ID)
			if !healthy.Load() {
				return fmt.Errorf("smtp: connection refused (attempt %d)", j.Attempts)
			}
			return nil
		})
		start(t, q, 2)
		id := enqueue(t, d, q, "send", nil, job.MaxAttempts(3))

		t.Run("retried with backoff, then dead with the last error", func(t *testing.T) {
			j := waitState(t, q, id, job.Dead)
			if j.Attempts != 3 || c.of(id) != 3 {
				t.Errorf("attempts %d, handler calls %d; want 3 and 3", j.Attempts, c.of(id))
			}
			if !strings.Contains(j.LastError, "connection refused (attempt 3)") {
				t.Errorf("last_error %q, want the third attempt's error", j.LastError)
			}
			c.mu.Lock()
			at := c.at[id]
			c.mu.Unlock()
			for i := 1; i < len(at); i++ {
				// Backoff after failure i is at least 3/4 of base·2^(i-1).
				least := (cfg.BackoffBase << (i - 1)) * 3 / 4
				if gap := at[i].Sub(at[i-1]); gap < least-time.Millisecond {
					t.Errorf("attempt %d came %v after attempt %d, want at least %v", i+1, gap, i, least)
				}
			}
		})

		t.Run("retry brings a dead job back and it runs", func(t *testing.T) {
			healthy.Store(true)
			j, err := q.Retry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.Attempts != 0 {
				t.Errorf("retried job has %d attempts, want 0", j.Attempts)
			}
			j = waitState(t, q, id, job.Done)
			if j.Attempts != 1 || c.of(id) != 4 {
				t.Errorf("attempts %d, handler calls %d; want 1 and 4", j.Attempts, c.of(id))
			}
		})
	})
}

func TestUnknownKindEndsDeadAndIsRetryable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		q := newQueue(d, fastConfig)
		start(t, q, 1)
		id := enqueue(t, d, q, "from.the.future", nil, job.MaxAttempts(2))
		j := waitState(t, q, id, job.Dead)
		if !strings.Contains(j.LastError, `no handler is registered for job kind "from.the.future"`) {
			t.Errorf("last_error %q, want it to name the missing handler", j.LastError)
		}
		q.Register("from.the.future", func(context.Context, job.Job) error { return nil })
		if _, err := q.Retry(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, id, job.Done)
	})
}

func TestPanickingJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		q := newQueue(d, fastConfig)
		c := newCalls()
		q.Register("boom", func(ctx context.Context, j job.Job) error {
			if c.add(j.ID) == 1 {
				var m map[string]int
				m["x"]++ // a real bug: assignment to a nil map
			}
			return nil
		})
		q.Register("ok", func(ctx context.Context, j job.Job) error { c.add(j.ID); return nil })
		start(t, q, 1) // one worker: it must survive the panic to run the rest
		boom := enqueue(t, d, q, "boom", nil)
		var oks []int64
		for range 5 {
			oks = append(oks, enqueue(t, d, q, "ok", nil))
		}

		j := waitState(t, q, boom, job.Done)
		if j.Attempts != 2 || c.of(boom) != 2 {
			t.Errorf("panicking job: attempts %d, calls %d; want 2 and 2", j.Attempts, c.of(boom))
		}
		if !strings.Contains(j.LastError, "panic: assignment to entry in nil map") ||
			!strings.Contains(j.LastError, "worker_test.go") {
			t.Errorf("last_error %q, want the panic value and where it happened", j.LastError)
		}
		for _, id := range oks {
			waitState(t, q, id, job.Done)
			if n := c.of(id); n != 1 {
				t.Errorf("job %d ran %d times, want 1", id, n)
			}
		}
	})
}

func TestLeaseExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := newQueue(d, fastConfig)
		c := newCalls()
		q.Register("idem", func(ctx context.Context, j job.Job) error { c.add(j.ID); return nil })
		future := job.RunAt(time.Now().Add(time.Hour)) // so no worker takes them before the set-up
		crashed := enqueue(t, d, q, "idem", nil, future)
		buried := enqueue(t, d, q, "idem", nil, future, job.MaxAttempts(3))
		held := enqueue(t, d, q, "idem", nil, future)
		now := db.Now()
		// crashed and buried were claimed by a worker that died; held is
		// being run by a live node.
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'running', attempts = 1, locked_until = $1 WHERE id = $2`, now.Add(-time.Second), crashed)
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'running', attempts = 3, locked_until = $1 WHERE id = $2`, now.Add(-time.Second), buried)
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'running', attempts = 1, locked_until = $1 WHERE id = $2`, now.Add(time.Hour), held)
		start(t, q, 2)

		t.Run("a crashed job runs again after its lease", func(t *testing.T) {
			j := waitState(t, q, crashed, job.Done)
			if j.Attempts != 2 || c.of(crashed) != 1 || j.LastError != job.LostLeaseError {
				t.Errorf("job %+v, calls %d; want attempt 2 run once, lost lease noted", j, c.of(crashed))
			}
		})

		t.Run("a job that keeps losing its lease ends dead, not looping", func(t *testing.T) {
			j := waitState(t, q, buried, job.Dead)
			if c.of(buried) != 0 || j.LastError != job.LostLeaseError {
				t.Errorf("job %+v ran %d times; want dead without running, lost lease noted", j, c.of(buried))
			}
		})

		t.Run("a job under a live lease is left alone", func(t *testing.T) {
			j, err := q.Find(ctx, held)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != job.Running || c.of(held) != 0 {
				t.Errorf("held job is %s, ran %d times; want running elsewhere, not here", j.State, c.of(held))
			}
		})
	})
}

func TestStaleWorkerCannotOverwrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cfg := fastConfig
		cfg.Lease = 50 * time.Millisecond
		q := newQueue(d, cfg)
		q.Register("slow", func(ctx context.Context, j job.Job) error {
			if j.Attempts == 1 {
				return errors.New("stale worker's failure")
			}
			return nil
		})
		id := enqueue(t, d, q, "slow", nil)
		first, ok, err := q.ClaimForTest(ctx)
		if err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		waitFor(t, "the first lease to expire", func() bool { return db.Now().After(*first.LockedUntil) })
		second, ok, err := q.ClaimForTest(ctx)
		if err != nil || !ok || second.ID != id || second.Attempts != 2 {
			t.Fatalf("second claim: %+v, %v, %v; want job %d at attempt 2", second, ok, err, id)
		}
		q.ExecuteForTest(ctx, first) // overran its lease, fails late
		if j, _ := q.Find(ctx, id); j.State != job.Running || j.Attempts != 2 || j.LastError != job.LostLeaseError {
			t.Errorf("after the stale outcome: %+v; want still running under the second claim", j)
		}
		q.ExecuteForTest(ctx, second)
		if j, _ := q.Find(ctx, id); j.State != job.Done {
			t.Errorf("after the second outcome: %+v; want done", j)
		}
	})
}

// runOnce enqueues n jobs in one transaction, runs them on queues, and
// checks each ran exactly once.
func runOnce(t *testing.T, d *db.DB, n int, queues []*job.Queue, workers int) {
	t.Helper()
	c := newCalls()
	for _, q := range queues {
		q.Register("count", func(ctx context.Context, j job.Job) error { c.add(j.ID); return nil })
	}
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := range n {
			if _, err := queues[0].Enqueue(context.Background(), tx, "count", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		start(t, q, workers)
		q.Wake()
	}
	waitFor(t, fmt.Sprintf("%d jobs done", n), func() bool {
		counts, err := queues[0].Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return counts["done"] == n
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.n) != n {
		t.Errorf("%d distinct jobs ran, want %d", len(c.n), n)
	}
	for id, k := range c.n {
		if k != 1 {
			t.Errorf("job %d ran %d times, want 1", id, k)
		}
	}
}

func TestManyWorkersRunEachJobOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		runOnce(t, d, 200, []*job.Queue{newQueue(d, fastConfig)}, 4)
	})
}

func TestTwoNodesRunEachJobOnce(t *testing.T) {
	d, url := dbtest.PostgresURL(t)
	other, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	runOnce(t, d, 200, []*job.Queue{newQueue(d, fastConfig), newQueue(other, fastConfig)}, 3)
}

func TestRunWaitsForRunningJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		q := newQueue(d, fastConfig)
		started, release := make(chan struct{}), make(chan struct{})
		var ctxErr error
		q.Register("long", func(ctx context.Context, j job.Job) error {
			close(started)
			<-release
			ctxErr = ctx.Err()
			return nil
		})
		id := enqueue(t, d, q, "long", nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- q.Run(ctx, 2) }()
		select {
		case <-started:
		case <-time.After(deadline):
			t.Fatal("job did not start")
		}
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned while a job was running")
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(deadline):
			t.Fatal("Run did not return after the job finished")
		}
		if ctxErr != nil {
			t.Errorf("running job's context ended at shutdown: %v", ctxErr)
		}
		if j, _ := q.Find(context.Background(), id); j.State != job.Done {
			t.Errorf("job %s after shutdown, want done", j.State)
		}
	})
}
