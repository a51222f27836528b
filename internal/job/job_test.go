package job_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// deadline bounds every wait: generous, because a loaded 2-core machine
// running both databases can be slow, and a correct run never gets close.
const deadline = 20 * time.Second

// fastConfig keeps tests quick: short polls and backoff.
var fastConfig = job.Config{PollInterval: 20 * time.Millisecond, BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond}

func newQueue(d *db.DB, c job.Config) *job.Queue {
	return job.NewQueueWith(d, slog.New(slog.NewTextHandler(io.Discard, nil)), c)
}

// start runs q's workers until the test ends, and fails it if they do not
// stop.
func start(t *testing.T, q *job.Queue, workers int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, workers) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(deadline):
			t.Error("Run did not return after cancel")
		}
	})
}

// enqueue commits one job and wakes a worker.
func enqueue(t *testing.T, d *db.DB, q *job.Queue, kind string, payload any, opts ...job.Option) int64 {
	t.Helper()
	var id int64
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		id, err = q.Enqueue(context.Background(), tx, kind, payload, opts...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	q.Wake()
	return id
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitState waits until job id is in state and returns it.
func waitState(t *testing.T, q *job.Queue, id int64, state job.State) job.Job {
	t.Helper()
	var j job.Job
	waitFor(t, "job to be "+string(state), func() bool {
		var err error
		if j, err = q.Find(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		return j.State == state
	})
	return j
}

// calls counts handler invocations per job.
type calls struct {
	mu sync.Mutex
	n  map[int64]int
	at map[int64][]time.Time
}

func newCalls() *calls { return &calls{n: map[int64]int{}, at: map[int64][]time.Time{}} }

func (c *calls) add(id int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[id]++
	c.at[id] = append(c.at[id], time.Now())
	return c.n[id]
}

func (c *calls) of(id int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

func TestEnqueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := newQueue(d, job.Config{PollInterval: time.Hour})
		c := newCalls()
		type notice struct{ TicketID int64 }
		var got notice
		q.Register("notify", func(ctx context.Context, j job.Job) error {
			c.add(j.ID)
			return j.Decode(&got)
		})
		q.Register("ghost", func(ctx context.Context, j job.Job) error {
			c.add(-1)
			return nil
		})

		rollback := errors.New("change failed")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := q.Enqueue(ctx, tx, "ghost", notice{1}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("Tx: %v", err)
		}
		start(t, q, 2)

		t.Run("committed job runs once, woken without waiting for a poll", func(t *testing.T) {
			id := enqueue(t, d, q, "notify", notice{TicketID: 42})
			j := waitState(t, q, id, job.Done)
			if n := c.of(id); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
			if j.Attempts != 1 || j.LockedUntil != nil || j.LastError != "" {
				t.Errorf("done job %+v: want attempts 1, no lock, no error", j)
			}
			if got.TicketID != 42 {
				t.Errorf("payload decoded as %+v, want ticket 42", got)
			}
		})

		t.Run("job of a rolled-back transaction never exists nor runs", func(t *testing.T) {
			_, total, err := q.FindJobs(ctx, job.Filter{Kind: "ghost"})
			if err != nil {
				t.Fatal(err)
			}
			if total != 0 || c.of(-1) != 0 {
				t.Errorf("ghost jobs %d, runs %d; want none", total, c.of(-1))
			}
		})

		t.Run("bad enqueue is refused", func(t *testing.T) {
			for name, try := range map[string]func(tx *sql.Tx) error{
				"no kind":          func(tx *sql.Tx) error { _, err := q.Enqueue(ctx, tx, "", nil); return err },
				"zero attempts":    func(tx *sql.Tx) error { _, err := q.Enqueue(ctx, tx, "notify", nil, job.MaxAttempts(0)); return err },
				"payload not JSON": func(tx *sql.Tx) error { _, err := q.Enqueue(ctx, tx, "notify", make(chan int)); return err },
			} {
				if err := d.Tx(ctx, try); err == nil {
					t.Errorf("%s: enqueued", name)
				}
			}
		})
	})
}

func TestFindJobsAndCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := newQueue(d, job.Config{})
		future := job.RunAt(time.Now().Add(time.Hour))
		var ids []int64
		for _, kind := range []string{"mail", "mail", "mail", "index", "index"} {
			ids = append(ids, enqueue(t, d, q, kind, map[string]int{"n": len(ids)}, future))
		}
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'dead', last_error = 'boom' WHERE id IN ($1, $2)`, ids[0], ids[3])
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'done' WHERE id = $1`, ids[1])

		t.Run("filters by state and kind, newest first, paged", func(t *testing.T) {
			got, total, err := q.FindJobs(ctx, job.Filter{State: job.Dead})
			if err != nil {
				t.Fatal(err)
			}
			if total != 2 || len(got) != 2 || got[0].ID != ids[3] || got[1].ID != ids[0] {
				t.Errorf("dead jobs %v (total %d), want ids %d, %d", got, total, ids[3], ids[0])
			}
			got, total, err = q.FindJobs(ctx, job.Filter{Kind: "mail", Page: 2, PerPage: 2})
			if err != nil {
				t.Fatal(err)
			}
			if total != 3 || len(got) != 1 || got[0].ID != ids[0] {
				t.Errorf("mail page 2: %v (total %d), want id %d of 3", got, total, ids[0])
			}
			if string(got[0].Payload) != `{"n":0}` {
				t.Errorf("payload %s, want {\"n\":0}", got[0].Payload)
			}
		})

		t.Run("unknown state is invalid", func(t *testing.T) {
			_, _, err := q.FindJobs(ctx, job.Filter{State: "sleeping"})
			if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "state" {
				t.Errorf("err %v, want invalid state", err)
			}
		})

		t.Run("counts every state", func(t *testing.T) {
			got, err := q.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"pending": 2, "running": 0, "done": 1, "dead": 2}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("counts %v, want %v", got, want)
					break
				}
			}
		})

		t.Run("retry needs a dead job", func(t *testing.T) {
			if _, err := q.Retry(ctx, ids[1]); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("retry done job: %v, want conflict", err)
			}
			if _, err := q.Retry(ctx, 1_000_000); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("retry missing job: %v, want not found", err)
			}
			j, err := q.Retry(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if j.State != job.Pending || j.Attempts != 0 || time.Since(j.RunAt) < 0 {
				t.Errorf("retried job %+v: want pending now with no attempts", j)
			}
		})

		t.Run("prune deletes only old done jobs", func(t *testing.T) {
			old := db.Now().Add(-48 * time.Hour)
			dbtest.Exec(t, d.W, `UPDATE jobs SET updated_at = $1 WHERE id IN ($2, $3)`, old, ids[1], ids[2])
			n, err := q.Prune(ctx, time.Now().Add(-24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("pruned %d, want 1", n)
			}
			if _, err := q.Find(ctx, ids[1]); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("old done job still there: %v", err)
			}
			if _, err := q.Find(ctx, ids[2]); err != nil {
				t.Errorf("old pending job pruned: %v", err)
			}
		})
	})
}

func TestBackoff(t *testing.T) {
	c := job.Config{BackoffBase: time.Second, BackoffMax: time.Hour}
	for _, tc := range []struct {
		attempts int
		max      time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {5, 16 * time.Second}, {12, 2048 * time.Second},
		{13, time.Hour}, {1000, time.Hour},
	} {
		for range 20 {
			got := job.BackoffForTest(c, tc.attempts)
			if got > tc.max || got < tc.max*3/4 {
				t.Errorf("backoff after %d failures = %v, want within [%v, %v]", tc.attempts, got, tc.max*3/4, tc.max)
			}
		}
	}
}
