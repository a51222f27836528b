// Package live tells the agent workspace what changes while it is open:
// tickets created or changed by anyone on any node (Watcher), and which
// agents are viewing a ticket or typing a reply (Presence). Both publish
// small events through a Hub; subscribers reload what they show.
package live

import (
	"io"
	"log/slog"
	"sync"
	"time"
)

// Event kinds.
const (
	KindTicket   = "ticket"   // a ticket was created or changed
	KindPresence = "presence" // who views or types on a ticket changed
	KindResync   = "resync"   // the subscriber fell behind and lost events: reload everything
)

// Event is one thing that happened, told to subscribers.
type Event struct {
	Kind       string // KindTicket, KindPresence or KindResync
	TicketID   int64
	GroupID    *int64 // ticket events: the ticket's group now
	AssigneeID *int64 // ticket events: the ticket's assignee now
	Version    int64  // ticket events: the ticket's version now
	// UpdatedAt is when the ticket was last touched (ticket events): a
	// comment moves it without a new version.
	UpdatedAt time.Time
	// RequesterID and CompanyID say whose ticket it is, so the customer
	// portal tells each customer of their own tickets only.
	RequesterID int64
	CompanyID   *int64
}

// subscriberBuffer is how many events a subscriber may have unread before
// it starts losing them. Its channel holds one more: the slot kept for the
// resync that tells it so.
const subscriberBuffer = 256

// Hub fans events out to subscribers. Publish never waits for a
// subscriber: one that falls behind loses events and is told to resync,
// so a stuck browser tab cannot hold up the others.
type Hub struct {
	log *slog.Logger

	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	ch chan Event
	// behind is set once the subscriber has lost an event and been sent a
	// resync; it clears when an event is delivered again.
	behind bool
}

// NewHub returns a Hub with no subscribers.
func NewHub(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Hub{log: log, subs: map[*subscriber]struct{}{}}
}

// Subscribe returns a channel of the events published from now on, and the
// function that ends the subscription and closes the channel. When the
// subscriber lets events pile up it loses the newest ones and then
// receives one Event{Kind: KindResync}; after that events flow again.
func (h *Hub) Subscribe() (events <-chan Event, cancel func()) {
	s := &subscriber{ch: make(chan Event, subscriberBuffer+1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, s)
			close(s.ch)
			h.mu.Unlock()
		})
	}
}

// Publish tells every subscriber about e without waiting for any of them.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.deliver(s, e)
	}
}

// deliver runs under h.mu, and only deliver sends on a subscriber's
// channel, so the length checks below cannot go stale before the send.
func (h *Hub) deliver(s *subscriber, e Event) {
	if len(s.ch) < subscriberBuffer {
		s.ch <- e
		s.behind = false
		return
	}
	if s.behind {
		return // already told to resync; the event is lost
	}
	select {
	case s.ch <- Event{Kind: KindResync}: // the slot kept for it
		s.behind = true
		h.log.Warn("live subscriber fell behind; events dropped and resync sent", "buffer", subscriberBuffer)
	default:
	}
}
