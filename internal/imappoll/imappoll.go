// Package imappoll takes mail in from IMAP mailboxes, one poller per
// mailbox, without losing or duplicating a message.
//
// A message is fetched with BODY.PEEK[] (fetching never marks it seen),
// handed to a Sink that stores it durably, and only then acknowledged to
// the server: flagged \Seen or moved to another folder. The mailbox's
// position (UIDVALIDITY and the last UID stored and acknowledged) is
// recorded after the acknowledgement, so a crash at any point means the
// unacknowledged messages are fetched again; the Sink is idempotent on
// mailbox, UIDVALIDITY and UID, so storing them again changes nothing.
package imappoll

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Mailbox is one IMAP mailbox to poll.
type Mailbox struct {
	ID       int64
	Host     string
	Port     int    // 0 means 993 for TLS, 143 otherwise
	TLS      string // none, starttls or tls
	Username string
	Password string
	Folder   string // "" means INBOX
	After    string // what acknowledges a stored message: seen (the default) or move
	MoveTo   string // the folder messages are moved to when After is move
}

// What acknowledges a stored message.
const (
	AfterSeen = "seen"
	AfterMove = "move"
)

// Connection security of a Mailbox.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// Sink stores raw messages. Store must be durable when it returns nil, and
// idempotent on (mailboxID, uidValidity, uid): the same message may be
// offered again after a crash or a lost connection.
type Sink interface {
	Store(ctx context.Context, mailboxID int64, uidValidity, uid uint32, raw []byte) error
}

// Source lists the mailboxes that should be polled.
type Source interface {
	ActiveIMAP(ctx context.Context) ([]Mailbox, error)
}

// Locker makes sure one node at a time polls a mailbox. ok is false when
// another holder has the lock; release gives it up.
type Locker interface {
	TryLock(ctx context.Context, mailboxID int64) (release func(), ok bool, err error)
}

// Options tune the pollers. Zero fields take the defaults below.
type Options struct {
	PollInterval   time.Duration // between polls when the server has no IDLE (1 minute)
	IdleRefresh    time.Duration // longest IDLE before it is restarted (5 minutes)
	CommandTimeout time.Duration // longest wait for a dial or for any command's answer (30 seconds)
	MinBackoff     time.Duration // first wait after a failure (1 second)
	MaxBackoff     time.Duration // longest wait after repeated failures (5 minutes)
	FetchBatch     int           // messages fetched per FETCH (20)
	// ListInterval is how often the Manager reads the mailbox list
	// again (1 minute).
	ListInterval time.Duration
	// InsecureSkipVerify accepts any TLS certificate: for test servers
	// with self-signed certificates only.
	InsecureSkipVerify bool
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollInterval, time.Minute)
	def(&o.IdleRefresh, 5*time.Minute)
	def(&o.CommandTimeout, 30*time.Second)
	def(&o.MinBackoff, time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.ListInterval, time.Minute)
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.FetchBatch <= 0 {
		o.FetchBatch = 20
	}
	return o
}

// backoff is the wait after the failures-th failure in a row (counting
// from 1): doubling from lo, capped at hi, with jitter taking up to half
// off so that pollers failing together do not reconnect together, and
// never below lo. r is a random number in [0, 1).
func backoff(failures int, lo, hi time.Duration, r float64) time.Duration {
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	d -= time.Duration(r * float64(d/2))
	return max(d, lo)
}

// jitter is the random number backoff takes.
func jitter() float64 { return rand.Float64() }

// check finds settings no server could make work.
func (mb Mailbox) check() error {
	switch {
	case mb.Host == "":
		return fmt.Errorf("mailbox %d: no IMAP host", mb.ID)
	case mb.After != "" && mb.After != AfterSeen && mb.After != AfterMove:
		return fmt.Errorf("mailbox %d: unknown action after storing %q (want seen or move)", mb.ID, mb.After)
	case mb.After == AfterMove && mb.MoveTo == "":
		return fmt.Errorf("mailbox %d: no folder to move stored messages to", mb.ID)
	}
	return nil
}
