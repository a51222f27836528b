package live

import (
	"cmp"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"
)

const (
	// TTL is how long a viewer stays listed after its last Touch: a page
	// open on a ticket touches more often than this.
	TTL = 30 * time.Second
	// TypingTTL is how long a viewer stays typing after its last Touch
	// with typing set: a reply box being typed in touches more often.
	TypingTTL = 8 * time.Second
	// sweepInterval is how often expired viewers and typing are dropped
	// (and subscribers told).
	sweepInterval = time.Second
)

// Viewer is an agent viewing a ticket.
type Viewer struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
	Typing  bool   `json:"typing"`
}

// Presence tracks who is viewing a ticket and who is typing a reply.
// Entries expire (TTL) unless touched again; every change publishes
// Event{Kind: KindPresence, TicketID}. Built by NewPresence it knows this
// node only; built by NewPresenceShared it also shares changes with the
// other nodes on the same PostgreSQL database.
type Presence struct {
	hub    *Hub
	log    *slog.Logger
	now    func() time.Time
	node   string  // tells this node's notices from other nodes'
	bridge *bridge // nil: this node only

	mu      sync.Mutex
	tickets map[int64]map[int64]*entry // ticket → agent → entry
}

// entry is one agent on one ticket.
type entry struct {
	name    string
	seen    time.Time // last Touch
	typing  bool
	typedAt time.Time // last Touch with typing set
}

func (e *entry) live(now time.Time) bool { return now.Before(e.seen.Add(TTL)) }

func (e *entry) typingAt(now time.Time) bool {
	return e.typing && now.Before(e.typedAt.Add(TypingTTL))
}

// notice is one Touch or Leave, as applied locally and sent between nodes.
type notice struct {
	Node     string `json:"node"`
	Op       string `json:"op"` // opTouch or opLeave
	TicketID int64  `json:"ticket"`
	AgentID  int64  `json:"agent"`
	Name     string `json:"name,omitempty"`
	Typing   bool   `json:"typing,omitempty"`
}

const (
	opTouch = "touch"
	opLeave = "leave"
)

// NewPresence returns a Presence for a single node.
func NewPresence(hub *Hub, log *slog.Logger) *Presence {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Presence{hub: hub, log: log, now: time.Now, node: rand.Text(),
		tickets: map[int64]map[int64]*entry{}}
}

// Touch records that the agent is viewing the ticket now and whether they
// are typing a reply. typing states the agent's current state: a Touch
// without it ends typing at once.
func (p *Presence) Touch(ctx context.Context, ticketID, agentID int64, name string, typing bool) {
	p.local(ctx, notice{Op: opTouch, TicketID: ticketID, AgentID: agentID, Name: name, Typing: typing})
}

// Leave records that the agent closed the ticket.
func (p *Presence) Leave(ctx context.Context, ticketID, agentID int64) {
	p.local(ctx, notice{Op: opLeave, TicketID: ticketID, AgentID: agentID})
}

func (p *Presence) local(ctx context.Context, n notice) {
	if n.TicketID <= 0 || n.AgentID <= 0 {
		p.log.WarnContext(ctx, "presence ignored: no such ticket or agent", "ticket", n.TicketID, "agent", n.AgentID)
		return
	}
	n.Node = p.node
	if p.apply(n) {
		p.hub.Publish(Event{Kind: KindPresence, TicketID: n.TicketID})
	}
	if p.bridge != nil {
		p.bridge.enqueue(ctx, n)
	}
}

// apply records n and reports whether what Viewers shows changed.
func (p *Presence) apply(n notice) bool {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	agents := p.tickets[n.TicketID]
	e := agents[n.AgentID]
	if n.Op == opLeave {
		if e == nil {
			return false
		}
		p.drop(n.TicketID, n.AgentID)
		return true
	}
	// Changed compares with both what subscribers were last told (until a
	// sweep, an expired entry is still in the map) and what Viewers shows.
	changed := e == nil || !e.live(now) || e.name != n.Name ||
		e.typing != n.Typing || e.typingAt(now) != n.Typing
	if e == nil {
		e = &entry{}
		if agents == nil {
			agents = map[int64]*entry{}
			p.tickets[n.TicketID] = agents
		}
		agents[n.AgentID] = e
	}
	e.name, e.seen, e.typing = n.Name, now, n.Typing
	if n.Typing {
		e.typedAt = now
	}
	return changed
}

// drop removes an entry; p.mu is held.
func (p *Presence) drop(ticketID, agentID int64) {
	delete(p.tickets[ticketID], agentID)
	if len(p.tickets[ticketID]) == 0 {
		delete(p.tickets, ticketID)
	}
}

// Viewers lists who is viewing the ticket now, sorted by name.
func (p *Presence) Viewers(ticketID int64) []Viewer {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	vs := make([]Viewer, 0, len(p.tickets[ticketID]))
	for id, e := range p.tickets[ticketID] {
		if e.live(now) {
			vs = append(vs, Viewer{AgentID: id, Name: e.name, Typing: e.typingAt(now)})
		}
	}
	slices.SortFunc(vs, func(a, b Viewer) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.AgentID, b.AgentID))
	})
	return vs
}

// Run sweeps expired viewers and typing every second, telling subscribers,
// and on a shared Presence also exchanges changes with the other nodes. It
// returns nil once ctx is done and everything it started has stopped.
func (p *Presence) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	if p.bridge != nil {
		wg.Go(func() { p.bridge.listen(ctx, p.receive) })
		wg.Go(func() { p.bridge.send(ctx) })
	}
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			p.sweep()
		}
	}
}

// sweep drops expired viewers and ends expired typing, then tells
// subscribers which tickets changed.
func (p *Presence) sweep() {
	now := p.now()
	var changed []int64
	p.mu.Lock()
	for ticketID, agents := range p.tickets {
		touched := false
		for agentID, e := range agents {
			switch {
			case !e.live(now):
				p.drop(ticketID, agentID)
				touched = true
			case e.typing && !e.typingAt(now):
				e.typing = false
				touched = true
			}
		}
		if touched {
			changed = append(changed, ticketID)
		}
	}
	p.mu.Unlock()
	for _, id := range changed {
		p.hub.Publish(Event{Kind: KindPresence, TicketID: id})
	}
}
