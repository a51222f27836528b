package live_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"linedesk/internal/live"
)

// clock is a settable time for Presence.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newPresence(t *testing.T) (*live.Presence, *clock, <-chan live.Event) {
	t.Helper()
	h := live.NewHub(quiet())
	events, cancel := h.Subscribe()
	t.Cleanup(cancel)
	p := live.NewPresence(h, quiet())
	c := newClock()
	live.SetClock(p, c.Now)
	return p, c, events
}

// presenceOn waits for the next event and checks it is presence on ticket.
func presenceOn(t *testing.T, events <-chan live.Event, ticket int64) {
	t.Helper()
	if e := recv(t, events); e.Kind != live.KindPresence || e.TicketID != ticket {
		t.Fatalf("got %+v, want presence on ticket %d", e, ticket)
	}
}

func wantViewers(t *testing.T, p *live.Presence, ticket int64, want ...live.Viewer) {
	t.Helper()
	if got := p.Viewers(ticket); !slices.Equal(got, want) {
		t.Fatalf("viewers of ticket %d: %+v, want %+v", ticket, got, want)
	}
}

func TestPresence(t *testing.T) {
	ctx := context.Background()
	zoe, adam := live.Viewer{AgentID: 2, Name: "Zoe"}, live.Viewer{AgentID: 3, Name: "Adam"}

	t.Run("viewers are listed by name and each change is published", func(t *testing.T) {
		p, _, events := newPresence(t)
		wantViewers(t, p, 1)
		if got := p.Viewers(1); got == nil {
			t.Error("no viewers is nil, want an empty list")
		}
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		presenceOn(t, events, 1)
		p.Touch(ctx, 1, adam.AgentID, adam.Name, true)
		presenceOn(t, events, 1)
		wantViewers(t, p, 1, live.Viewer{AgentID: 3, Name: "Adam", Typing: true}, zoe)
		wantViewers(t, p, 2)

		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false) // a heartbeat changes nothing
		none(t, events)
		p.Touch(ctx, 1, adam.AgentID, adam.Name, false) // stopped typing
		presenceOn(t, events, 1)
		wantViewers(t, p, 1, adam, zoe)
	})

	t.Run("leaving removes the viewer at once", func(t *testing.T) {
		p, _, events := newPresence(t)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		presenceOn(t, events, 1)
		p.Leave(ctx, 1, zoe.AgentID)
		presenceOn(t, events, 1)
		wantViewers(t, p, 1)
		p.Leave(ctx, 1, zoe.AgentID) // not there: nothing to tell
		p.Leave(ctx, 5, 9)
		none(t, events)
	})

	t.Run("viewers expire after the TTL unless touched again", func(t *testing.T) {
		p, c, events := newPresence(t)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		p.Touch(ctx, 1, adam.AgentID, adam.Name, false)
		presenceOn(t, events, 1)
		presenceOn(t, events, 1)
		c.Add(20 * time.Second)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		c.Add(live.TTL - 20*time.Second)
		wantViewers(t, p, 1, zoe) // Adam's TTL is up, Zoe's is not
		live.Sweep(p)
		presenceOn(t, events, 1)
		live.Sweep(p)
		none(t, events)

		c.Add(20 * time.Second)
		wantViewers(t, p, 1)
		live.Sweep(p)
		presenceOn(t, events, 1)
		none(t, events)
	})

	t.Run("typing ends 8 seconds after the last typing touch", func(t *testing.T) {
		p, c, events := newPresence(t)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, true)
		presenceOn(t, events, 1)
		c.Add(live.TypingTTL - time.Second)
		wantViewers(t, p, 1, live.Viewer{AgentID: 2, Name: "Zoe", Typing: true})
		live.Sweep(p)
		none(t, events)
		c.Add(time.Second)
		wantViewers(t, p, 1, zoe) // still viewing, no longer typing
		live.Sweep(p)
		presenceOn(t, events, 1)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, true)
		presenceOn(t, events, 1)
		wantViewers(t, p, 1, live.Viewer{AgentID: 2, Name: "Zoe", Typing: true})
	})

	t.Run("an expired viewer touching again is published", func(t *testing.T) {
		p, c, events := newPresence(t)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		presenceOn(t, events, 1)
		c.Add(live.TTL)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false) // before any sweep
		presenceOn(t, events, 1)
		wantViewers(t, p, 1, zoe)
	})

	t.Run("touches without a ticket or agent are ignored", func(t *testing.T) {
		p, _, events := newPresence(t)
		p.Touch(ctx, 0, zoe.AgentID, zoe.Name, false)
		p.Touch(ctx, 1, 0, "Nobody", false)
		p.Touch(ctx, -1, -1, "Nobody", true)
		p.Leave(ctx, 0, 0)
		none(t, events)
		wantViewers(t, p, 0)
		wantViewers(t, p, 1)
	})

	t.Run("Run sweeps on its own and returns when its context ends", func(t *testing.T) {
		p, c, events := newPresence(t)
		p.Touch(ctx, 1, zoe.AgentID, zoe.Name, false)
		presenceOn(t, events, 1)
		c.Add(live.TTL)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		presenceOn(t, events, 1) // the sweep, about a second in
		wantViewers(t, p, 1)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Fatal("Run did not return after its context ended")
		}
	})
}
