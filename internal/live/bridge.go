package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL several nodes serve one help desk, and an agent's browser
// talks to one of them. Each node sends its Touch and Leave calls as
// NOTIFY on presenceChannel and LISTENs there for the other nodes', on two
// connections of its own: the listening one spends its life waiting.

const (
	presenceChannel = "linedesk_presence"
	notifySQL       = `SELECT pg_notify($1, $2)`
	// maxPayload is below PostgreSQL's 8000-byte limit on a NOTIFY payload.
	maxPayload = 7900
	// outboxSize is how many notices may wait for the sending connection;
	// beyond that they are dropped (the next heartbeat repeats them).
	outboxSize = 1024
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// bridge carries presence notices between nodes.
type bridge struct {
	cfg *pgx.ConnConfig
	log *slog.Logger
	out chan outgoing

	listening func() // set by tests: called each time LISTEN succeeds
}

// outgoing is a notice waiting to be sent.
type outgoing struct {
	payload string
	at      time.Time
}

// NewPresenceShared returns a Presence that also shares presence with the
// other nodes on the PostgreSQL database at databaseURL (the URL the
// application's database was opened with), so an agent on one node sees
// who views a ticket through another. Use it when the database is
// PostgreSQL; with SQLite there is one node and NewPresence is the one to
// use. The connections are made by Run.
func NewPresenceShared(hub *Hub, log *slog.Logger, databaseURL string) (*Presence, error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return nil, errors.New("shared presence needs a PostgreSQL database URL (postgres://…)")
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("shared presence: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "linedesk presence"
	p := NewPresence(hub, log)
	p.bridge = &bridge{cfg: cfg, log: p.log, out: make(chan outgoing, outboxSize)}
	return p, nil
}

// enqueue hands n to the sending connection without waiting for it.
func (b *bridge) enqueue(ctx context.Context, n notice) {
	payload, err := json.Marshal(n)
	if err != nil || len(payload) > maxPayload {
		b.log.WarnContext(ctx, "presence not shared: notice too large", "ticket", n.TicketID, "agent", n.AgentID)
		return
	}
	select {
	case b.out <- outgoing{payload: string(payload), at: time.Now()}:
	default:
		b.log.WarnContext(ctx, "presence not shared: too many notices waiting", "ticket", n.TicketID, "agent", n.AgentID)
	}
}

// send sends queued notices until ctx is done, reconnecting with backoff
// when the connection fails. A notice still unsent after TTL is moot (its
// viewer would have expired on the other nodes anyway) and is dropped.
func (b *bridge) send(ctx context.Context) {
	var conn *pgx.Conn
	defer func() { closeConn(conn) }()
	failures := 0
	for {
		var o outgoing
		select {
		case <-ctx.Done():
			return
		case o = <-b.out:
		}
		for time.Since(o.at) < TTL {
			var err error
			if conn == nil {
				conn, err = pgx.ConnectConfig(ctx, b.cfg)
			}
			if err == nil {
				if _, err = conn.Exec(ctx, notifySQL, presenceChannel, o.payload); err == nil {
					failures = 0
					break
				}
			}
			if ctx.Err() != nil {
				return
			}
			closeConn(conn)
			conn, failures = nil, failures+1
			wait := backoff(failures)
			b.log.WarnContext(ctx, "share presence; retrying", "err", err, "retry_in", wait)
			if !sleep(ctx, wait) {
				return
			}
		}
	}
}

// listen passes each notification on presenceChannel to deliver until ctx
// is done, reconnecting with backoff when the connection drops. Notices
// sent while it was down are lost; viewers come back with their next Touch.
func (b *bridge) listen(ctx context.Context, deliver func(payload string)) {
	failures := 0
	for {
		err := b.listenOnce(ctx, deliver, func() { failures = 0 })
		if ctx.Err() != nil {
			return
		}
		failures++
		wait := backoff(failures)
		b.log.WarnContext(ctx, "presence listener disconnected; reconnecting", "err", err, "retry_in", wait)
		if !sleep(ctx, wait) {
			return
		}
	}
}

func (b *bridge) listenOnce(ctx context.Context, deliver func(string), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, b.cfg)
	if err != nil {
		return err
	}
	defer closeConn(conn)
	if _, err := conn.Exec(ctx, "LISTEN "+presenceChannel); err != nil {
		return err
	}
	connected()
	if b.listening != nil {
		b.listening()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		deliver(n.Payload)
	}
}

// receive applies a notice from another node; its own come back too and
// were applied when made.
func (p *Presence) receive(payload string) {
	var n notice
	if err := json.Unmarshal([]byte(payload), &n); err != nil || n.TicketID <= 0 || n.AgentID <= 0 ||
		(n.Op != opTouch && n.Op != opLeave) {
		p.log.Warn("presence notice ignored: malformed", "payload", truncate(payload, 200))
		return
	}
	if n.Node == p.node {
		return
	}
	if p.apply(n) {
		p.hub.Publish(Event{Kind: KindPresence, TicketID: n.TicketID})
	}
}

func closeConn(conn *pgx.Conn) {
	if conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}

// backoff is the wait after the failures-th failure in a row: doubling
// from minBackoff up to maxBackoff, less up to half at random so nodes cut
// off together do not reconnect together.
func backoff(failures int) time.Duration {
	d := maxBackoff
	if failures < 16 {
		d = min(minBackoff<<max(failures-1, 0), maxBackoff)
	}
	return d - rand.N(d/2+1)
}

// sleep waits d or until ctx is done, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
