package live_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"linedesk/internal/dbtest"
	"linedesk/internal/live"
)

// node is a shared Presence running on the test database: one Linedesk node.
type node struct {
	p         *live.Presence
	events    <-chan live.Event
	listening chan struct{}
}

func startNode(t *testing.T, url string) *node {
	t.Helper()
	hub := live.NewHub(quiet())
	events, cancelSub := hub.Subscribe()
	p, err := live.NewPresenceShared(hub, quiet(), url)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{p: p, events: events, listening: make(chan struct{}, 1)}
	live.OnListening(p, signal(n.listening))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Error("Run did not return after its context ended")
		}
		cancelSub()
	})
	await(t, n.listening, "the presence listener")
	return n
}

// notify sends a presence notice as another node would.
func notify(t *testing.T, q *sql.DB, payload any) {
	t.Helper()
	s, ok := payload.(string)
	if !ok {
		b, _ := json.Marshal(payload)
		s = string(b)
	}
	dbtest.Exec(t, q, `SELECT pg_notify('linedesk_presence', $1)`, s)
}

type notice struct {
	Node   string `json:"node"`
	Op     string `json:"op"`
	Ticket int64  `json:"ticket"`
	Agent  int64  `json:"agent"`
	Name   string `json:"name,omitempty"`
	Typing bool   `json:"typing,omitempty"`
}

func TestPresenceShared(t *testing.T) {
	d, url := dbtest.PostgresURL(t)
	ctx := context.Background()
	a, b := startNode(t, url), startNode(t, url)
	alice := live.Viewer{AgentID: 1, Name: "Alice", Typing: true}
	bob := live.Viewer{AgentID: 2, Name: "Bob"}

	t.Run("each node sees viewers on the other, and their leaving", func(t *testing.T) {
		a.p.Touch(ctx, 7, alice.AgentID, alice.Name, true)
		presenceOn(t, a.events, 7)
		presenceOn(t, b.events, 7)
		wantViewers(t, b.p, 7, alice)
		b.p.Touch(ctx, 7, bob.AgentID, bob.Name, false)
		presenceOn(t, b.events, 7)
		presenceOn(t, a.events, 7)
		wantViewers(t, a.p, 7, alice, bob)
		a.p.Leave(ctx, 7, alice.AgentID)
		presenceOn(t, a.events, 7)
		presenceOn(t, b.events, 7)
		wantViewers(t, b.p, 7, bob)
		wantViewers(t, a.p, 7, bob)
		none(t, a.events) // its own notices came back and were ignored
	})

	t.Run("a node ignores notices carrying its own node id", func(t *testing.T) {
		notify(t, d.W, notice{Node: live.Node(a.p), Op: "touch", Ticket: 9, Agent: 5, Name: "Eve"})
		presenceOn(t, b.events, 9)
		wantViewers(t, b.p, 9, live.Viewer{AgentID: 5, Name: "Eve"})
		// Notices arrive in order: once a has applied the next one, it has
		// passed over the first.
		notify(t, d.W, notice{Node: "elsewhere", Op: "touch", Ticket: 10, Agent: 5, Name: "Eve"})
		presenceOn(t, a.events, 10)
		presenceOn(t, b.events, 10)
		wantViewers(t, a.p, 9)
		none(t, a.events)
	})

	t.Run("malformed notices are ignored", func(t *testing.T) {
		notify(t, d.W, "not json")
		notify(t, d.W, notice{Node: "elsewhere", Op: "explode", Ticket: 11, Agent: 5})
		notify(t, d.W, notice{Node: "elsewhere", Op: "touch", Ticket: 0, Agent: 5, Name: "Eve"})
		notify(t, d.W, notice{Node: "elsewhere", Op: "touch", Ticket: 12, Agent: 6, Name: "Frank"})
		presenceOn(t, a.events, 12) // the first event is the valid notice's
		presenceOn(t, b.events, 12)
		wantViewers(t, a.p, 11)
		wantViewers(t, a.p, 0)
	})

	t.Run("after losing their connections the nodes reconnect and share again", func(t *testing.T) {
		var killed int
		err := d.W.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'linedesk presence'`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed != 4 { // each node's listener and sender
			t.Fatalf("terminated %d presence connections, want 4", killed)
		}
		await(t, a.listening, "a to listen again")
		await(t, b.listening, "b to listen again")
		a.p.Touch(ctx, 13, alice.AgentID, alice.Name, false)
		presenceOn(t, a.events, 13)
		presenceOn(t, b.events, 13)
		wantViewers(t, b.p, 13, live.Viewer{AgentID: 1, Name: "Alice"})
		b.p.Touch(ctx, 13, bob.AgentID, bob.Name, false)
		presenceOn(t, b.events, 13)
		presenceOn(t, a.events, 13)
		wantViewers(t, a.p, 13, live.Viewer{AgentID: 1, Name: "Alice"}, bob)
	})
}

func TestNewPresenceShared(t *testing.T) {
	for _, url := range []string{"", "sqlite:./linedesk.db", "mysql://db/linedesk", "postgres://db:notaport/linedesk"} {
		if p, err := live.NewPresenceShared(live.NewHub(quiet()), quiet(), url); err == nil || p != nil {
			t.Errorf("NewPresenceShared(%q) = %v, %v; want an error", url, p, err)
		}
	}
}
