package imappoll

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// conn is one IMAP session with a deadline on every command: when the
// server sends nothing for timeout while a command waits, the connection
// is closed, which fails that command and every later one. The client
// library has no deadline for a server that never starts to answer, so a
// watchdog is the only guard. Counting silence rather than the command's
// whole duration lets a large FETCH take as long as its bytes keep coming.
type conn struct {
	c       *imapclient.Client
	raw     *meteredConn
	timeout time.Duration
	wake    chan struct{} // a new message was announced (EXISTS)
	stop    func() bool   // undoes the close-on-cancel hook

	uidValidity uint32
	caps        imap.CapSet
}

// meteredConn notes when the server last sent anything.
type meteredConn struct {
	net.Conn
	last atomic.Int64 // UnixNano
}

func (m *meteredConn) Read(b []byte) (int, error) {
	n, err := m.Conn.Read(b)
	if n > 0 {
		m.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// errTimeout marks a command the server did not answer in time.
var errTimeout = errors.New("no answer in time")

// dial connects, logs in and selects the mailbox's folder. Cancelling ctx
// closes the connection, which ends whatever command is waiting.
func dial(ctx context.Context, mb Mailbox, opt Options) (*conn, error) {
	c := &conn{timeout: opt.CommandTimeout, wake: make(chan struct{}, 1)}
	options := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					c.notify()
				}
			},
		},
	}
	client, raw, err := open(ctx, mb, opt, options)
	if err != nil {
		return nil, err
	}
	c.c, c.raw = client, raw
	c.stop = context.AfterFunc(ctx, func() { client.Close() })
	if err := c.setUp(mb); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// open makes the connection, secures it and waits for the greeting, all
// within the command timeout.
func open(ctx context.Context, mb Mailbox, opt Options, options *imapclient.Options) (*imapclient.Client, *meteredConn, error) {
	port := mb.Port
	if port == 0 {
		port = 143
		if mb.TLS == TLSImplicit {
			port = 993
		}
	}
	addr := net.JoinHostPort(mb.Host, strconv.Itoa(port))
	dialer := &net.Dialer{Timeout: opt.CommandTimeout, KeepAlive: 30 * time.Second}
	tcp, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	raw := &meteredConn{Conn: tcp}
	var expired atomic.Bool
	guard := time.AfterFunc(opt.CommandTimeout, func() { expired.Store(true); raw.Close() })
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()

	tlsConfig := &tls.Config{ServerName: mb.Host, InsecureSkipVerify: opt.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	var client *imapclient.Client
	switch mb.TLS {
	case TLSImplicit:
		tc := tls.Client(raw, tlsConfig)
		if err = tc.HandshakeContext(ctx); err == nil {
			client = imapclient.New(tc, options)
		}
	case TLSStartTLS:
		options.TLSConfig = tlsConfig
		client, err = imapclient.NewStartTLS(raw, options)
	case TLSNone, "":
		client = imapclient.New(raw, options)
	default:
		err = fmt.Errorf("unknown TLS mode %q", mb.TLS)
	}
	if err == nil {
		err = client.WaitGreeting()
	}
	if !guard.Stop() || expired.Load() {
		err = errTimeout
	}
	if err != nil {
		if client != nil {
			client.Close()
		}
		raw.Close()
		return nil, nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	return client, raw, nil
}

func (c *conn) setUp(mb Mailbox) error {
	if err := c.do("LOGIN", func() error { return c.c.Login(mb.Username, mb.Password).Wait() }); err != nil {
		return err
	}
	folder := mb.Folder
	if folder == "" {
		folder = "INBOX"
	}
	var sel *imap.SelectData
	err := c.do("SELECT "+folder, func() error {
		var err error
		sel, err = c.c.Select(folder, nil).Wait()
		return err
	})
	if err != nil {
		return err
	}
	if sel.UIDValidity == 0 {
		return fmt.Errorf("SELECT %s: server sent no UIDVALIDITY", folder)
	}
	c.uidValidity = sel.UIDValidity
	return c.do("CAPABILITY", func() error {
		// LOGIN may have changed them; Caps asks again if so.
		if c.caps = c.c.Caps(); c.caps == nil {
			return errors.New("no capabilities")
		}
		return nil
	})
}

// do runs one command exchange, closing the connection if the server
// falls silent for the timeout before it is over.
func (c *conn) do(what string, fn func() error) error {
	w := c.watch()
	err := fn()
	if w.stop() {
		return fmt.Errorf("%s: %w for %s", what, errTimeout, c.timeout)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// watchdog closes the connection once the server has been silent for the
// timeout.
type watchdog struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
	fired   bool
}

func (c *conn) watch() *watchdog {
	w := &watchdog{}
	start := time.Now().UnixNano()
	var check func()
	check = func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.stopped {
			return
		}
		silent := time.Since(time.Unix(0, max(start, c.raw.last.Load())))
		if silent < c.timeout {
			w.t = time.AfterFunc(c.timeout-silent, check)
			return
		}
		w.fired = true
		c.raw.Close()
	}
	w.mu.Lock()
	w.t = time.AfterFunc(c.timeout, check)
	w.mu.Unlock()
	return w
}

// stop disarms the watchdog and reports whether it had closed the
// connection.
func (w *watchdog) stop() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.t.Stop()
	return w.fired
}

func (c *conn) notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// drain forgets earlier announcements: what they announced, the next
// search finds.
func (c *conn) drain() {
	select {
	case <-c.wake:
	default:
	}
}

// close logs out politely, but not at the price of waiting on a dead
// server. It must not be called while IDLE runs.
func (c *conn) close() {
	c.stop()
	select {
	case <-c.c.Closed():
	default:
		t := time.AfterFunc(min(c.timeout, 5*time.Second), func() { c.c.Close() })
		c.c.Logout().Wait()
		t.Stop()
	}
	c.c.Close()
}

// fetched is one message as FETCH returned it.
type fetched struct {
	uid imap.UID
	raw []byte
}

// fetch reads the raw messages with the given UIDs, without marking them
// seen. It streams the response rather than use the library's Collect,
// which takes a message cut short by a broken connection for a whole one
// and then reads the rest of it while the library's reader goroutine reads
// too, a data race. Here a short message fails the FETCH, and nothing more
// is read until that goroutine has stopped.
func (c *conn) fetch(uids []imap.UID) ([]fetched, error) {
	cmd := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	var out []fetched
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var f fetched
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				f.uid = item.UID
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					continue
				}
				raw, err := io.ReadAll(item.Literal)
				if err == nil && int64(len(raw)) != item.Literal.Size() {
					// The library ends a literal cut short by the
					// connection with a plain EOF, as if it were whole.
					err = fmt.Errorf("message cut short: %d of %d bytes", len(raw), item.Literal.Size())
				}
				if err != nil {
					c.abandon()
					return nil, fmt.Errorf("uid %d: %w", f.uid, err)
				}
				f.raw = raw
			}
		}
		out = append(out, f)
	}
	return out, cmd.Close()
}

// abandon closes the connection and waits, within the timeout, for the
// library's reader goroutine to stop.
func (c *conn) abandon() {
	c.raw.Close()
	select {
	case <-c.c.Closed():
	case <-time.After(c.timeout):
	}
}
