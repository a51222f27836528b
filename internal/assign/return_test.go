package assign_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/assign"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// returns lists the history entries that returned a ticket to the queue.
func (f *fixture) returns(t *testing.T, id int64) []ticket.Event {
	t.Helper()
	ev, err := f.tickets.Events(context.Background(), auth.System(), id)
	must(t, err)
	var out []ticket.Event
	for _, e := range ev {
		if strings.HasPrefix(e.Reason, assign.ReasonReturned) {
			out = append(out, e)
		}
	}
	return out
}

// TestAwayReturn: an away agent's unanswered ticket goes back to the
// queue after the group's time — not before, and once only though two
// schedulers sweep at the same moment; an answered ticket stays.
func TestAwayReturn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		other := newNode(t, d, f.clock)
		_, err := f.svc.SetAway(ctx, f.chris.ID, true)
		must(t, err)
		f.mode(t, assign.Group{Mode: assign.ModeRoundRobin, ReturnAfterMinutes: 30})
		unanswered, who := f.open(t)
		answered, who2 := f.open(t)
		if who != f.anna.ID || who2 != f.boris.ID {
			t.Fatalf("given to %s and %s, want Anna and Boris", f.name(who), f.name(who2))
		}
		boris := auth.Principal{AgentID: f.boris.ID, Name: "Boris", Role: auth.RoleAgent, GroupIDs: []int64{f.group.ID}}
		_, err = f.tickets.AddComment(ctx, boris, answered.ID, ticket.NewComment{Body: "On it", Public: true})
		must(t, err)
		for _, a := range []int64{f.anna.ID, f.boris.ID} {
			_, err := f.svc.SetAway(ctx, a, true)
			must(t, err)
		}
		f.clock.Set(monday10.Add(29 * time.Minute))
		if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("after 29 minutes: returned %d (%v), want none yet", n, err)
		}
		f.clock.Set(monday10.Add(31 * time.Minute))
		var wg sync.WaitGroup
		total := make(chan int, 2)
		for _, s := range []*assign.Service{f.svc, other.svc} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Sweep(ctx)
				if err != nil {
					t.Error(err)
				}
				total <- n
			}()
		}
		wg.Wait()
		close(total)
		sum := 0
		for n := range total {
			sum += n
		}
		if sum != 1 {
			t.Errorf("two schedulers returned %d tickets, want 1", sum)
		}
		f.clock.Set(monday10.Add(3 * time.Hour))
		_, err = f.svc.Sweep(ctx)
		must(t, err)
		if got := f.returns(t, unanswered.ID); len(got) != 1 || !strings.Contains(got[0].Reason, "Anna away for 31 min") {
			t.Errorf("returns of the unanswered ticket: %+v, want one naming Anna's absence", got)
		}
		if tk, _ := f.tickets.FindTicket(ctx, auth.System(), unanswered.ID); tk.AssigneeID != nil {
			t.Errorf("the returned ticket is assigned to %d; everyone is away, it waits in the queue", *tk.AssigneeID)
		}
		if got := f.returns(t, answered.ID); len(got) != 0 {
			t.Errorf("the answered ticket was returned: %+v", got)
		}
	})
}

// TestOffShiftReturn: the ticket of an agent whose shift ended goes to
// an available colleague once the group's time has passed since the
// shift's end.
func TestOffShiftReturn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		_, err := f.svc.SetShift(ctx, f.anna.ID, assign.Shift{Windows: []sla.Window{{Weekday: 1, From: tod("09:00"),
			To: tod("11:00")}}})
		must(t, err)
		_, err = f.svc.SetAway(ctx, f.boris.ID, true)
		must(t, err)
		_, err = f.svc.SetAway(ctx, f.chris.ID, true)
		must(t, err)
		f.mode(t, assign.Group{Mode: assign.ModeRoundRobin, ReturnAfterMinutes: 30})
		tk, who := f.open(t)
		if who != f.anna.ID {
			t.Fatalf("given to %s, want Anna", f.name(who))
		}
		_, err = f.svc.SetAway(ctx, f.chris.ID, false)
		must(t, err)
		f.clock.Set(time.Date(2025, 6, 16, 11, 29, 0, 0, riga))
		if n, _ := f.svc.Sweep(ctx); n != 0 {
			t.Fatalf("29 minutes after the shift: returned %d", n)
		}
		f.clock.Set(time.Date(2025, 6, 16, 11, 31, 0, 0, riga))
		if n, _ := f.svc.Sweep(ctx); n != 1 {
			t.Fatalf("31 minutes after the shift: returned %d, want 1", n)
		}
		got, err := f.tickets.FindTicket(ctx, auth.System(), tk.ID)
		must(t, err)
		if got.AssigneeID == nil || *got.AssigneeID != f.chris.ID {
			t.Errorf("after the return: assignee %v, want Chris (back and on shift)", got.AssigneeID)
		}
		if r := f.returns(t, tk.ID); len(r) != 1 || !strings.Contains(r[0].Reason, "off shift") {
			t.Errorf("returns %+v", r)
		}
	})
}

// TestSchedulerChain: turning returns on starts one chain of sweeps,
// whatever the number of nodes asking.
func TestSchedulerChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		other := newNode(t, d, f.clock)
		must(t, f.svc.EnsureScheduled(ctx))
		var n int
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, assign.JobSweep).Scan(&n))
		if n != 0 {
			t.Fatalf("%d sweeps scheduled with no group returning tickets", n)
		}
		f.mode(t, assign.Group{Mode: assign.ModeNone, ReturnAfterMinutes: 15})
		must(t, f.svc.EnsureScheduled(ctx))
		must(t, other.svc.EnsureScheduled(ctx))
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, assign.JobSweep).Scan(&n))
		if n != 1 {
			t.Errorf("%d sweep jobs after three starts, want one chain", n)
		}
	})
}
