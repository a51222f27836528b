package imappoll_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/imappoll"
)

func TestMain(m *testing.M) {
	if os.Getenv(killEnv) != "" {
		runKillChild() // a child of TestKillNineDuringIntake; never returns
	}
	os.Exit(dbtest.Main(m))
}

// deadline bounds every wait: generous, because a loaded 2-core machine
// running both databases can be slow, and a correct run never gets close.
const deadline = 60 * time.Second

// fast are options that make a test's pollers quick to notice, fail and
// recover.
var fast = imappoll.Options{
	PollInterval:   200 * time.Millisecond,
	IdleRefresh:    time.Minute,
	CommandTimeout: 5 * time.Second,
	MinBackoff:     50 * time.Millisecond,
	MaxBackoff:     500 * time.Millisecond,
	ListInterval:   200 * time.Millisecond,
	FetchBatch:     2,
}

// eventually polls cond until it holds, failing the test at the deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// key names one message as the sink sees it.
type key struct {
	mailbox     int64
	uidValidity uint32
	uid         uint32
}

// recordingSink is an idempotent in-memory store that counts every Store
// call. before may fail a call (nothing is stored then); after runs once a
// message is stored, before Store returns success.
type recordingSink struct {
	mu     sync.Mutex
	calls  map[key]int
	stored map[key][]byte
	order  []key // successful stores, in order
	before func(ctx context.Context, k key, call int) error
	after  func(k key, call int)
}

func newSink() *recordingSink {
	return &recordingSink{calls: map[key]int{}, stored: map[key][]byte{}}
}

func (s *recordingSink) Store(ctx context.Context, mailboxID int64, uidValidity, uid uint32, raw []byte) error {
	k := key{mailboxID, uidValidity, uid}
	s.mu.Lock()
	s.calls[k]++
	call := s.calls[k]
	s.mu.Unlock()
	if s.before != nil {
		if err := s.before(ctx, k, call); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if _, dup := s.stored[k]; !dup {
		s.stored[k] = bytes.Clone(raw)
		s.order = append(s.order, k)
	}
	s.mu.Unlock()
	if s.after != nil {
		s.after(k, call)
	}
	return nil
}

func (s *recordingSink) callsOf(mailbox int64, uid uint32) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.calls {
		if k.mailbox == mailbox && k.uid == uid {
			n += c
		}
	}
	return n
}

// storedOf returns the messages stored for a mailbox by UID.
func (s *recordingSink) storedOf(mailbox int64) map[uint32][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[uint32][]byte{}
	for k, raw := range s.stored {
		if k.mailbox == mailbox {
			m[k.uid] = raw
		}
	}
	return m
}

// wantStoredOnce checks that exactly msgs (by UID) were stored for the
// mailbox, byte for byte.
func (s *recordingSink) wantStoredOnce(t *testing.T, mailbox int64, msgs map[uint32][]byte) {
	t.Helper()
	got := s.storedOf(mailbox)
	if len(got) != len(msgs) {
		t.Errorf("mailbox %d: %d messages stored, want %d", mailbox, len(got), len(msgs))
	}
	for uid, raw := range msgs {
		if !bytes.Equal(got[uid], raw) {
			t.Errorf("mailbox %d uid %d: stored %d bytes, want the %d delivered", mailbox, uid, len(got[uid]), len(raw))
		}
	}
}

// source is the mailbox list, as the app's adapter would read it.
type source struct {
	mu   sync.Mutex
	list []imappoll.Mailbox
}

func (s *source) ActiveIMAP(context.Context) ([]imappoll.Mailbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]imappoll.Mailbox(nil), s.list...), nil
}

func (s *source) set(list ...imappoll.Mailbox) {
	s.mu.Lock()
	s.list = list
	s.mu.Unlock()
}

// newMailbox adds a mailboxes row for user on port and returns its
// poller settings.
func newMailbox(t *testing.T, d *db.DB, user string, port int) imappoll.Mailbox {
	t.Helper()
	var id int64
	now := db.Now()
	err := d.W.QueryRowContext(context.Background(),
		`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
		fmt.Sprintf("%s-%d@example.test", user, port), now).Scan(&id)
	if err != nil {
		t.Fatalf("insert mailbox: %v", err)
	}
	return imappoll.Mailbox{ID: id, Host: "127.0.0.1", Port: port, TLS: imappoll.TLSNone,
		Username: user, Password: "secret", Folder: "INBOX", After: imappoll.AfterSeen}
}

func state(t *testing.T, st *imappoll.DBState, mailbox int64) imappoll.State {
	t.Helper()
	s, err := st.Load(context.Background(), mailbox)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run starts m and returns a stop function that cancels it and checks
// that Run returns; the test's cleanup stops it too.
func run(t *testing.T, m *imappoll.Manager) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(deadline):
				t.Errorf("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func newManager(t *testing.T, src imappoll.Source, sink imappoll.Sink, st *imappoll.DBState, opt imappoll.Options) *imappoll.Manager {
	return imappoll.NewManager(src, sink, st, testLogger(t), opt)
}

// testLogger writes to the test's log, shown on failure or with -v.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// message is a small RFC 5322 message, unique by n.
func message(n int) []byte {
	return fmt.Appendf(nil, "From: Customer %[1]d <c%[1]d@example.test>\r\nTo: support@example.test\r\n"+
		"Subject: Request %[1]d\r\nMessage-ID: <req-%[1]d@example.test>\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\n"+
		"\r\nPrinter %[1]d is on fire.\r\n", n)
}

// bigMessage is a message large enough to span many reads.
func bigMessage(n int) []byte {
	var b bytes.Buffer
	b.Write(message(n))
	for i := range 8000 {
		fmt.Fprintf(&b, "line %05d of the attached log, padded to a realistic width.......\r\n", i)
	}
	return b.Bytes()
}

// deliver appends count messages numbered from first and returns them by
// UID.
func deliver(t *testing.T, dc *dovecot, user string, first, count int) map[uint32][]byte {
	t.Helper()
	msgs := map[uint32][]byte{}
	for n := first; n < first+count; n++ {
		raw := message(n)
		msgs[dc.appendMsg(t, user, "INBOX", raw)] = raw
	}
	return msgs
}

func uidsOf(msgs map[uint32][]byte) []uint32 {
	var uids []uint32
	for u := range msgs {
		uids = append(uids, u)
	}
	return uids
}

func merge(ms ...map[uint32][]byte) map[uint32][]byte {
	out := map[uint32][]byte{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
