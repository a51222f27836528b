package sla_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// The scheduler's chain of runs exists only while some ticket has a
// deadline to watch: a desk without deadlines carries no scheduler job,
// the first deadline starts the chain in the change's own transaction,
// and the chain ends two runs after the last deadline is met.
func TestSchedulerChainFollowsDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: friday16}
		f := newFixtureOn(t, newNode(t, d, c, sla.Config{CheckInterval: 40 * time.Millisecond}), c)
		queued := func() int {
			var n int
			must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1 AND state IN ('pending', 'running')`,
				sla.JobCheck).Scan(&n))
			return n
		}
		must(t, f.svc.EnsureScheduled(ctx))
		if n := queued(); n != 0 {
			t.Fatalf("%d scheduler jobs with no deadline to watch", n)
		}
		tk := f.open(t, ticket.PriorityNormal)
		if n := queued(); n != 1 {
			t.Fatalf("%d scheduler jobs once a ticket has deadlines, want 1", n)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { f.jobs.Run(runCtx, 2); close(done) }()
		defer func() { stop(); <-done }()
		time.Sleep(200 * time.Millisecond)
		if n := queued(); n < 1 || n > 2 {
			t.Errorf("%d scheduler jobs while a deadline runs, want the chain's next run (and the one running)", n)
		}
		f.reply(t, tk.ID, true)
		f.update(t, tk.ID, ticket.Update{Status: ptr(ticket.StatusSolved)})
		deadline := time.Now().Add(10 * time.Second)
		for queued() != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the chain goes on with nothing to watch")
			}
			time.Sleep(20 * time.Millisecond)
		}
		f.open(t, ticket.PriorityNormal)
		if n := queued(); n != 1 {
			t.Errorf("%d scheduler jobs after a new deadline, want the chain started again", n)
		}
	})
}
