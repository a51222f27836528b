package live_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/live"
	"linedesk/internal/ticket"
)

// desk is a ticket service with an administrator, an agent and a group.
type desk struct {
	svc   *ticket.Service
	admin auth.Principal
	alice int64 // an agent in group
	group int64
}

func newDesk(t *testing.T, d *db.DB) *desk {
	t.Helper()
	ctx := context.Background()
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir(), 1<<20)
	k := &desk{svc: ticket.NewService(d, quiet(), dir, files, job.NewQueue(d, quiet()))}
	err := d.W.QueryRowContext(ctx, `INSERT INTO groups (name, name_key, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING id`, "Service desk", "service desk", db.Now()).Scan(&k.group)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := dir.CreateAgent(ctx, directory.AgentInput{Name: "Ada Admin", Email: "ada@support.example", Role: auth.RoleAdmin, Line: 1})
	if err != nil {
		t.Fatal(err)
	}
	k.admin = auth.Principal{AgentID: admin.ID, Name: admin.Name, Role: admin.Role, Line: admin.Line}
	alice, err := dir.CreateAgent(ctx, directory.AgentInput{Name: "Alice First", Email: "alice@support.example",
		Role: auth.RoleAgent, Line: 1, GroupIDs: []int64{k.group}})
	if err != nil {
		t.Fatal(err)
	}
	k.alice = alice.ID
	return k
}

func (k *desk) open(t *testing.T) ticket.Ticket {
	t.Helper()
	tk, err := k.svc.CreateTicket(context.Background(), k.admin, ticket.NewTicket{Subject: "Printer does not print",
		Requester: ticket.RequesterRef{Email: "anna@client.example"}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// watching is a running Watcher, what it publishes and its polls.
type watching struct {
	w      *live.Watcher
	events <-chan live.Event
	polls  chan struct{}
}

// watch runs a Watcher on d until the test ends; Run must return nil.
func watch(t *testing.T, d *db.DB, interval time.Duration, log *logBuffer, opts ...func(*live.Watcher)) *watching {
	t.Helper()
	hub := live.NewHub(quiet())
	events, cancelSub := hub.Subscribe()
	logger := quiet()
	if log != nil {
		logger = slogTo(log)
	}
	w := live.NewWatcher(d, hub, logger)
	w.Interval = interval
	for _, o := range opts {
		o(w)
	}
	polls := make(chan struct{}, 1)
	live.OnPoll(w, signal(polls))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		cancelSub()
	})
	return &watching{w: w, events: events, polls: polls}
}

// settle waits until a whole poll has run after this call, then checks
// that nothing more was published.
func (s *watching) settle(t *testing.T) {
	t.Helper()
	for range 2 { // the first may have begun before the call
		s.w.Poke()
		await(t, s.polls, "a poll")
	}
	none(t, s.events)
}

// ticketEvent waits for the next event and checks it tells of tk at version.
func (s *watching) ticketEvent(t *testing.T, id, version int64, group, assignee *int64) {
	t.Helper()
	e := recv(t, s.events)
	if e.Kind != live.KindTicket || e.TicketID != id || e.Version != version ||
		!sameID(e.GroupID, group) || !sameID(e.AssigneeID, assignee) {
		t.Fatalf("got %s, want ticket %d version %d group %v assignee %v",
			show(e), id, version, deref(group), deref(assignee))
	}
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

func TestWatcher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := newDesk(t, d)
		old := k.open(t)
		dbtest.Exec(t, d.W, `UPDATE tickets SET updated_at = $1 WHERE id = $2`, db.Now().Add(-time.Hour), old.ID)
		s := watch(t, d, 20*time.Millisecond, nil)

		t.Run("changes made before it started are not replayed", func(t *testing.T) {
			s.settle(t)
		})

		var tk ticket.Ticket
		t.Run("a created ticket is published once", func(t *testing.T) {
			tk = k.open(t)
			s.ticketEvent(t, tk.ID, tk.Version, nil, nil)
			s.settle(t)
		})

		t.Run("each update through the ticket service is published once, with the ticket's group and assignee", func(t *testing.T) {
			up, err := k.svc.UpdateTicket(ctx, k.admin, tk.ID, ticket.Update{Version: tk.Version,
				GroupID: ticket.IDChange{Set: true, ID: &k.group}, AssigneeID: ticket.IDChange{Set: true, ID: &k.alice}})
			if err != nil {
				t.Fatal(err)
			}
			s.ticketEvent(t, tk.ID, up.Version, &k.group, &k.alice)
			s.settle(t)
			up, err = k.svc.UpdateTicket(ctx, k.admin, tk.ID, ticket.Update{Version: up.Version,
				Priority: ptr(ticket.PriorityHigh)})
			if err != nil {
				t.Fatal(err)
			}
			s.ticketEvent(t, tk.ID, up.Version, &k.group, &k.alice)
			s.settle(t)
			tk = up
		})

		t.Run("a change committed late with an updated_at inside the overlap is seen", func(t *testing.T) {
			// The watcher has read past tk's updated_at; this change is
			// stamped earlier, as by a transaction that took long to commit.
			late := tk.UpdatedAt.Add(-live.Overlap / 2)
			dbtest.Exec(t, d.W, `UPDATE tickets SET version = version + 1, updated_at = $1 WHERE id = $2`, late, old.ID)
			s.ticketEvent(t, old.ID, old.Version+1, nil, nil)
			s.settle(t)
		})
	})
}

func TestWatcherPoke(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		s := watch(t, d, time.Hour, nil)
		await(t, s.polls, "the first poll")
		for range 3 {
			s.w.Poke() // never blocks, even with a poke pending
		}
		await(t, s.polls, "the poked poll")
		tk := k.open(t)
		s.w.Poke()
		s.ticketEvent(t, tk.ID, tk.Version, nil, nil)
	})
}

func TestWatcherRecovers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		var log logBuffer
		s := watch(t, d, 10*time.Millisecond, &log)
		await(t, s.polls, "the first poll")
		dbtest.Exec(t, d.W, `ALTER TABLE tickets RENAME TO tickets_away`)
		deadline := time.Now().Add(wait)
		for !log.contains("watch tickets") {
			if time.Now().After(deadline) {
				t.Fatal("the failed poll was not logged")
			}
			s.w.Poke()
			await(t, s.polls, "a poll")
		}
		dbtest.Exec(t, d.W, `ALTER TABLE tickets_away RENAME TO tickets`)
		tk := k.open(t)
		s.ticketEvent(t, tk.ID, tk.Version, nil, nil)
	})
}

func TestWatcherPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		s := watch(t, d, time.Hour, nil, func(w *live.Watcher) { live.SetPageSize(w, 2) })
		await(t, s.polls, "the first poll")
		want := map[int64]bool{}
		for range 5 {
			want[k.open(t).ID] = true
		}
		// One statement stamps all five alike, so the pages of two split a
		// run of equal timestamps; the watcher has not polled since.
		dbtest.Exec(t, d.W, `UPDATE tickets SET version = version + 1, updated_at = $1`, db.Now())
		s.w.Poke()
		got := map[int64]bool{}
		for range want {
			e := recv(t, s.events)
			if e.Version != 2 || !want[e.TicketID] || got[e.TicketID] {
				t.Fatalf("got %+v, want version 2 of each of %v once (so far %v)", e, want, got)
			}
			got[e.TicketID] = true
		}
		s.settle(t)
	})
}
