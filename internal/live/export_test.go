package live

import "time"

// SubscriberBuffer is how many unread events a subscriber may hold before
// it starts losing them.
const SubscriberBuffer = subscriberBuffer

// Overlap is how far behind the newest change a Watcher looks again.
const Overlap = overlap

// OnPoll makes w call fn after each poll.
func OnPoll(w *Watcher, fn func()) { w.afterPoll = fn }

// SetClock makes p read the time from now.
func SetClock(p *Presence, now func() time.Time) { p.now = now }

// Sweep runs one expiry sweep, as Run does every second.
func Sweep(p *Presence) { p.sweep() }

// OnListening makes a shared p call fn each time its listener is
// connected and listening.
func OnListening(p *Presence, fn func()) { p.bridge.listening = fn }

// Node is the node id p's notices carry.
func Node(p *Presence) string { return p.node }

// SetPageSize makes w read n rows per query.
func SetPageSize(w *Watcher, n int) { w.page = n }
