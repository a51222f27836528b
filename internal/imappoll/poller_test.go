package imappoll_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/imappoll"
)

func TestStoreThenFlagSeen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dc := startDovecot(t, dovecotConfig{})
		msgs := deliver(t, dc, "u1", 1, 5)
		mb := newMailbox(t, d, "u1", dc.port)
		sink := newSink()
		// Store must come first: a message the sink is offered has not
		// been acknowledged yet.
		sink.before = func(_ context.Context, k key, _ int) error {
			if dc.look(t, "u1", "INBOX").seen(k.uid) {
				t.Errorf("uid %d was flagged \\Seen before the sink stored it", k.uid)
			}
			return nil
		}
		st := imappoll.NewDBState(d)
		run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, fast))

		eventually(t, "5 messages stored and flagged \\Seen", func() bool {
			return len(sink.storedOf(mb.ID)) == 5 && dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs))
		})
		sink.wantStoredOnce(t, mb.ID, msgs)
		for uid := range msgs {
			if n := sink.callsOf(mb.ID, uid); n != 1 {
				t.Errorf("uid %d offered to the sink %d times, want 1", uid, n)
			}
		}
		eventually(t, "last_uid 5 recorded", func() bool { return state(t, st, mb.ID).LastUID == 5 })
		s := state(t, st, mb.ID)
		if want := dc.look(t, "u1", "INBOX").uidValidity; s.UIDValidity != want {
			t.Errorf("uidvalidity recorded %d, want %d", s.UIDValidity, want)
		}
		if s.LastPollAt == nil || s.LastError != "" {
			t.Errorf("last poll at %v, last error %q; want a time and no error", s.LastPollAt, s.LastError)
		}
	})
}

func TestMoveAfterStore(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  dovecotConfig
	}{
		{"with MOVE", dovecotConfig{}},
		{"without MOVE: COPY, STORE \\Deleted, EXPUNGE", dovecotConfig{noMove: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				dc := startDovecot(t, tc.cfg)
				if got := dc.caps(t).Has(imap.CapMove); got == tc.cfg.noMove {
					t.Fatalf("server offers MOVE: %v, want %v", got, !tc.cfg.noMove)
				}
				dc.create(t, "u1", "Taken")
				msgs := deliver(t, dc, "u1", 1, 3)
				mb := newMailbox(t, d, "u1", dc.port)
				mb.After, mb.MoveTo = imappoll.AfterMove, "Taken"
				sink := newSink()
				st := imappoll.NewDBState(d)
				run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, fast))

				eventually(t, "INBOX emptied into Taken", func() bool {
					return len(dc.look(t, "u1", "INBOX").flags) == 0 && len(dc.look(t, "u1", "Taken").flags) == 3
				})
				sink.wantStoredOnce(t, mb.ID, msgs)
				eventually(t, "last_uid 3 recorded", func() bool { return state(t, st, mb.ID).LastUID == 3 })
			})
		})
	}
}

// A process stopped after the sink committed a message but before the
// server heard of it: on restart the message is offered again, the sink
// recognises it, and it is flagged. One message stored, none lost.
func TestCrashBetweenStoreAndFlag(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dc := startDovecot(t, dovecotConfig{})
		msgs := deliver(t, dc, "u1", 1, 3)
		mb := newMailbox(t, d, "u1", dc.port)
		src := &source{list: []imappoll.Mailbox{mb}}
		sink := newSink()
		ctx, crash := context.WithCancel(context.Background())
		defer crash()
		sink.after = func(k key, call int) {
			if k.uid == 1 && call == 1 {
				crash()
			}
		}
		m := newManager(t, src, sink, imappoll.NewDBState(d), fast)
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		select {
		case <-done:
		case <-time.After(deadline):
			t.Fatal("Run did not return after the crash")
		}
		if f := dc.look(t, "u1", "INBOX"); f.seen(1) {
			t.Fatal("uid 1 flagged although the poller stopped before acknowledging it")
		}
		if got := len(sink.storedOf(mb.ID)); got != 1 {
			t.Fatalf("%d messages stored before the crash, want 1", got)
		}

		st := imappoll.NewDBState(d) // the restarted process
		run(t, newManager(t, src, sink, st, fast))
		eventually(t, "every message flagged after the restart", func() bool {
			return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs))
		})
		sink.wantStoredOnce(t, mb.ID, msgs)
		if n := sink.callsOf(mb.ID, 1); n != 2 {
			t.Errorf("uid 1 offered %d times, want 2 (before the crash and after)", n)
		}
		for _, uid := range []uint32{2, 3} {
			if n := sink.callsOf(mb.ID, uid); n != 1 {
				t.Errorf("uid %d offered %d times, want 1", uid, n)
			}
		}
		eventually(t, "last_uid 3 recorded", func() bool { return state(t, st, mb.ID).LastUID == 3 })
	})
}

// The connection dies right after the sink committed a message, so the
// \Seen flag never reaches the server: the poller reconnects, the message
// is offered again, and then flagged.
func TestConnectionLostBeforeFlag(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{})
	px := startProxy(t, dc.addr())
	msgs := deliver(t, dc, "u1", 1, 3)
	mb := newMailbox(t, d, "u1", px.port())
	sink := newSink()
	sink.after = func(k key, call int) {
		if k.uid == 2 && call == 1 {
			px.dropAll()
		}
	}
	run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, imappoll.NewDBState(d), fast))
	eventually(t, "every message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
	sink.wantStoredOnce(t, mb.ID, msgs)
	// FetchBatch is 2: uids 1 and 2 were stored, the flag was lost, so
	// both come again.
	for uid, want := range map[uint32]int{1: 2, 2: 2, 3: 1} {
		if n := sink.callsOf(mb.ID, uid); n != want {
			t.Errorf("uid %d offered %d times, want %d", uid, n, want)
		}
	}
	if n := px.accepted.Load(); n < 2 {
		t.Errorf("%d connections, want a reconnection", n)
	}
}

func TestIdleWakesOnNewMail(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{})
	mb := newMailbox(t, d, "u1", dc.port)
	sink := newSink()
	opt := fast
	opt.PollInterval, opt.IdleRefresh = time.Hour, time.Hour // only IDLE can bring the mail in time
	m := newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, imappoll.NewDBState(d), opt)
	idling := make(chan struct{}, 10)
	imappoll.OnIdle(m, func(int64) { idling <- struct{}{} })
	run(t, m)
	waitIdle(t, idling)

	msgs := deliver(t, dc, "u1", 1, 1)
	start := time.Now()
	eventually(t, "the message delivered during IDLE stored", func() bool { return len(sink.storedOf(mb.ID)) == 1 })
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s to notice a message during IDLE", took)
	}
	eventually(t, "the message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
	sink.wantStoredOnce(t, mb.ID, msgs)
	waitIdle(t, idling) // and back to IDLE
}

func TestPollingWithoutIdle(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{noIdle: true})
	if dc.caps(t).Has(imap.CapIdle) {
		t.Fatal("the server offers IDLE")
	}
	mb := newMailbox(t, d, "u1", dc.port)
	sink := newSink()
	st := imappoll.NewDBState(d)
	m := newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, fast)
	var idled atomic.Bool
	imappoll.OnIdle(m, func(int64) { idled.Store(true) })
	run(t, m)
	eventually(t, "a first poll", func() bool { return state(t, st, mb.ID).LastPollAt != nil })

	msgs := deliver(t, dc, "u1", 1, 2)
	eventually(t, "messages stored by polling", func() bool { return len(sink.storedOf(mb.ID)) == 2 })
	eventually(t, "messages flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
	sink.wantStoredOnce(t, mb.ID, msgs)
	if idled.Load() {
		t.Error("the poller used IDLE, which the server does not offer")
	}
}

func waitIdle(t *testing.T, idling <-chan struct{}) {
	t.Helper()
	select {
	case <-idling:
	case <-time.After(deadline):
		t.Fatal("the poller never entered IDLE")
	}
}

// A server that stops answering in the middle of a session: the command
// waiting for it fails after CommandTimeout, and the poller reconnects
// once the server answers again.
func TestStalledServer(t *testing.T) {
	opt := fast
	opt.CommandTimeout = time.Second
	opt.IdleRefresh = 2 * time.Second

	t.Run("during a command", func(t *testing.T) {
		d := dbtest.SQLite(t)
		dc := startDovecot(t, dovecotConfig{})
		px := startProxy(t, dc.addr())
		msgs := deliver(t, dc, "u1", 1, 3)
		mb := newMailbox(t, d, "u1", px.port())
		sink := newSink()
		sink.after = func(k key, call int) {
			if k.uid == 1 && call == 1 {
				px.pause() // the \Seen flag will get no answer
			}
		}
		st := imappoll.NewDBState(d)
		run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, opt))
		waitTimeoutRecorded(t, st, mb.ID)
		eventually(t, "a reconnection attempt while stalled", func() bool { return px.accepted.Load() >= 2 })
		if dc.look(t, "u1", "INBOX").seen(1) {
			t.Error("uid 1 flagged although the proxy forwarded nothing")
		}
		px.resume()
		eventually(t, "every message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
		sink.wantStoredOnce(t, mb.ID, msgs)
		eventually(t, "the error cleared", func() bool { return state(t, st, mb.ID).LastError == "" })
	})

	t.Run("during IDLE", func(t *testing.T) {
		d := dbtest.SQLite(t)
		dc := startDovecot(t, dovecotConfig{})
		px := startProxy(t, dc.addr())
		mb := newMailbox(t, d, "u1", px.port())
		sink := newSink()
		st := imappoll.NewDBState(d)
		m := newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, opt)
		idling := make(chan struct{}, 100)
		imappoll.OnIdle(m, func(int64) { idling <- struct{}{} })
		stop := run(t, m)
		waitIdle(t, idling)
		px.pause()
		msgs := deliver(t, dc, "u1", 1, 1) // announced to a proxy that forwards nothing
		waitTimeoutRecorded(t, st, mb.ID)
		px.resume()
		eventually(t, "the message stored after the server came back", func() bool { return len(sink.storedOf(mb.ID)) == 1 })
		eventually(t, "the message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
		sink.wantStoredOnce(t, mb.ID, msgs)

		// Shutting down does not wait on a stalled server either.
		px.pause()
		start := time.Now()
		stop()
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("Run took %s to return with a stalled server", took)
		}
	})
}

func waitTimeoutRecorded(t *testing.T, st *imappoll.DBState, mailbox int64) {
	t.Helper()
	eventually(t, "a timeout recorded as the last error", func() bool {
		return strings.Contains(state(t, st, mailbox).LastError, "no answer in time")
	})
}

// The server goes away in the middle of sending a message: nothing is
// stored from the half message, and after reconnecting all of it is.
func TestConnectionDroppedMidFetch(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{})
	px := startProxy(t, dc.addr())
	big := bigMessage(1)
	msgs := map[uint32][]byte{dc.appendMsg(t, "u1", "INBOX", big): big}
	msgs = merge(msgs, deliver(t, dc, "u1", 2, 2))
	mb := newMailbox(t, d, "u1", px.port())
	px.cutAt("BODY[] {")
	sink := newSink()
	run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, imappoll.NewDBState(d), fast))
	eventually(t, "every message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
	sink.wantStoredOnce(t, mb.ID, msgs)
	for uid := range msgs {
		if n := sink.callsOf(mb.ID, uid); n != 1 {
			t.Errorf("uid %d offered %d times, want 1", uid, n)
		}
	}
	if n := px.accepted.Load(); n < 2 {
		t.Errorf("%d connections, want a reconnection after the cut", n)
	}
}

// A sink that fails leaves the message unacknowledged and unrecorded; the
// poller retries it after a backoff, and takes nothing after it first.
func TestSinkErrorRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dc := startDovecot(t, dovecotConfig{})
		msgs := deliver(t, dc, "u1", 1, 3)
		mb := newMailbox(t, d, "u1", dc.port)
		st := imappoll.NewDBState(d)
		opt := fast
		opt.MinBackoff = 300 * time.Millisecond
		sink := newSink()
		var mu sync.Mutex
		var calls []time.Time
		sink.before = func(_ context.Context, k key, call int) error {
			if k.uid != 2 {
				return nil
			}
			mu.Lock()
			calls = append(calls, time.Now())
			mu.Unlock()
			if call == 1 {
				return errors.New("disk full")
			}
			// The retry: the failed attempt acknowledged nothing and
			// recorded why it failed.
			if dc.look(t, "u1", "INBOX").seen(2) {
				t.Error("uid 2 was flagged although the sink refused it")
			}
			if s := state(t, st, mb.ID); !strings.Contains(s.LastError, "disk full") || s.LastUID != 1 {
				t.Errorf("after the failure: last_error %q, last_uid %d; want the sink's error and 1", s.LastError, s.LastUID)
			}
			return nil
		}
		run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, opt))
		eventually(t, "every message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
		sink.wantStoredOnce(t, mb.ID, msgs)
		mu.Lock()
		defer mu.Unlock()
		if len(calls) != 2 {
			t.Fatalf("uid 2 offered %d times, want 2", len(calls))
		}
		if gap := calls[1].Sub(calls[0]); gap < opt.MinBackoff {
			t.Errorf("retried after %s, want a backoff of at least %s", gap, opt.MinBackoff)
		}
		sink.mu.Lock()
		order := append([]key(nil), sink.order...)
		sink.mu.Unlock()
		for i, k := range order {
			if k.uid != uint32(i+1) {
				t.Errorf("stored in order %v; want UID order, nothing after a refused message", order)
				break
			}
		}
		if s := state(t, st, mb.ID); s.LastUID != 3 || s.LastError != "" {
			t.Errorf("last_uid %d, last_error %q; want 3 and none", s.LastUID, s.LastError)
		}
	})
}

// A folder whose UIDVALIDITY is not the one recorded (recreated, or the
// server restored from a backup) is taken again from its first message.
func TestUIDValidityChanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dc := startDovecot(t, dovecotConfig{})
		msgs := deliver(t, dc, "u1", 1, 3)
		mb := newMailbox(t, d, "u1", dc.port)
		st := imappoll.NewDBState(d)
		if err := st.SavePosition(context.Background(), mb.ID, 12345, 1000); err != nil {
			t.Fatal(err)
		}
		sink := newSink()
		run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, sink, st, fast))
		eventually(t, "every message flagged", func() bool { return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs)) })
		sink.wantStoredOnce(t, mb.ID, msgs)
		uv := dc.look(t, "u1", "INBOX").uidValidity
		eventually(t, "the new position recorded", func() bool {
			s := state(t, st, mb.ID)
			return s.UIDValidity == uv && s.LastUID == 3
		})
	})
}

func TestImplicitTLSAndStartTLS(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{users: 2, tls: true})
	m1 := deliver(t, dc, "u1", 1, 2)
	m2 := deliver(t, dc, "u2", 3, 2)
	tlsBox := newMailbox(t, d, "u1", dc.tlsPort)
	tlsBox.TLS = imappoll.TLSImplicit
	startBox := newMailbox(t, d, "u2", dc.port)
	startBox.TLS = imappoll.TLSStartTLS
	opt := fast
	opt.InsecureSkipVerify = true // the test server's certificate is self-signed
	sink := newSink()
	run(t, newManager(t, &source{list: []imappoll.Mailbox{tlsBox, startBox}}, sink, imappoll.NewDBState(d), opt))
	eventually(t, "both mailboxes taken", func() bool {
		return dc.look(t, "u1", "INBOX").allSeen(uidsOf(m1)) && dc.look(t, "u2", "INBOX").allSeen(uidsOf(m2))
	})
	sink.wantStoredOnce(t, tlsBox.ID, m1)
	sink.wantStoredOnce(t, startBox.ID, m2)
}
