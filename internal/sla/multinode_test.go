package sla_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Two Linedesk nodes on one PostgreSQL, each running its job workers (so
// each runs the scheduler's chain) and, to make them collide as hard as
// they can, sweeping in loops of their own besides: every warning, breach
// and escalation still happens exactly once per ticket, and the chain of
// scheduler runs stays single.
func TestTwoSchedulersOnOnePostgres(t *testing.T) {
	ctx := context.Background()
	d1, url := dbtest.PostgresURL(t)
	d2, err := db.Open(ctx, url)
	must(t, err)
	t.Cleanup(func() { d2.Close() })
	c := &clock{t: friday16}
	cfg := sla.Config{CheckInterval: 40 * time.Millisecond}
	f := newFixtureOn(t, newNode(t, d1, c, cfg), c)
	other := newNode(t, d2, c, cfg)
	const tickets = 25
	var ids []int64
	for range tickets {
		ids = append(ids, f.open(t, ticket.PriorityNormal).ID)
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, n := range []*node{f.node, other} {
		must(t, n.svc.EnsureScheduled(ctx))
		wg.Go(func() { n.jobs.Run(runCtx, 3) })
		for range 2 {
			wg.Go(func() {
				for runCtx.Err() == nil {
					if _, err := n.svc.Sweep(runCtx); err != nil && runCtx.Err() == nil {
						t.Errorf("sweep: %v", err)
						return
					}
				}
			})
		}
	}
	defer func() {
		stop()
		wg.Wait()
	}()

	// every waits until each ticket has n entries of kind, then a while
	// longer for anything that would fire twice.
	every := func(kind string, n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			done := 0
			for _, id := range ids {
				if f.count(t, id, kind) >= n {
					done++
				}
			}
			if done == len(ids) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 20 s only %d of %d tickets have %s", done, len(ids), kind)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		for _, id := range ids {
			if got := f.count(t, id, kind); got != n {
				t.Errorf("ticket %d has %d %s entries, want %d", id, got, kind, n)
			}
		}
	}

	c.Set(local(13, 16, 50)) // past the first response's 75 %
	every(ticket.EventSLAWarning, 1)
	c.Set(local(13, 17, 5)) // past its hour
	every(ticket.EventSLABreached, 1)
	every(ticket.EventEscalated, 1)
	for _, id := range ids {
		if tk := f.reload(t, id); tk.Line != 2 || tk.Priority != ticket.PriorityHigh {
			t.Errorf("ticket %d: line %d priority %s, want escalated once: line 2, high", id, tk.Line, tk.Priority)
		}
	}
	stop()
	wg.Wait()

	var dup int
	err = d1.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT payload FROM jobs WHERE kind = $1
		GROUP BY payload HAVING count(*) > 1) twice`, sla.JobCheck).Scan(&dup)
	must(t, err)
	var runs int
	must(t, d1.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1 AND state = 'done'`, sla.JobCheck).Scan(&runs))
	if dup != 0 || runs < 2 {
		t.Errorf("scheduler runs: %d done, %d slots run more than once", runs, dup)
	}
	t.Log(fmt.Sprintf("%d scheduler runs on the job queue", runs))
}
