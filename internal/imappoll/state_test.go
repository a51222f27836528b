package imappoll_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/imappoll"
)

func TestDBState(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := imappoll.NewDBState(d)
		mb := newMailbox(t, d, "u1", 143)

		t.Run("a mailbox never polled stands at the start", func(t *testing.T) {
			if s := state(t, st, mb.ID); s.UIDValidity != 0 || s.LastUID != 0 || s.LastPollAt != nil {
				t.Errorf("got %+v, want a zero state", s)
			}
		})
		t.Run("position and poll outcome are kept apart", func(t *testing.T) {
			must(t, st.RecordPoll(ctx, mb.ID, "connect: refused"))
			must(t, st.SavePosition(ctx, mb.ID, 4000000000, 4000000001))
			s := state(t, st, mb.ID)
			if s.UIDValidity != 4000000000 || s.LastUID != 4000000001 || s.LastError != "connect: refused" || s.LastPollAt == nil {
				t.Errorf("got %+v", s)
			}
			must(t, st.RecordPoll(ctx, mb.ID, strings.Repeat("x", 10000)))
			if s := state(t, st, mb.ID); len(s.LastError) > 2000 || s.LastUID != 4000000001 {
				t.Errorf("last_error of %d bytes, last_uid %d; want it cut and the position kept", len(s.LastError), s.LastUID)
			}
		})
		t.Run("a lock is held once until released", func(t *testing.T) {
			release, ok, err := st.TryLock(ctx, mb.ID)
			if err != nil || !ok {
				t.Fatalf("first lock: ok %v, err %v", ok, err)
			}
			if _, ok, err := st.TryLock(ctx, mb.ID); ok || err != nil {
				t.Errorf("second lock: ok %v, err %v; want refused", ok, err)
			}
			release()
			release() // twice is harmless
			again, ok, err := st.TryLock(ctx, mb.ID)
			if err != nil || !ok {
				t.Fatalf("lock after release: ok %v, err %v", ok, err)
			}
			again()
		})
	})
}

// On PostgreSQL the lock holds across nodes, and all of a node's locks
// share one connection, which goes back to the pool when none is held.
func TestAdvisoryLocksAcrossNodes(t *testing.T) {
	ctx := context.Background()
	d1, url := dbtest.PostgresURL(t)
	d2, err := db.Open(ctx, url)
	must(t, err)
	t.Cleanup(func() { d2.Close() })
	a, b := imappoll.NewDBState(d1), imappoll.NewDBState(d2)
	var releases []func()
	for id := int64(1); id <= 30; id++ {
		release, ok, err := a.TryLock(ctx, id)
		if err != nil || !ok {
			t.Fatalf("node A lock %d: ok %v, err %v", id, ok, err)
		}
		releases = append(releases, release)
	}
	if _, ok, err := b.TryLock(ctx, 7); ok || err != nil {
		t.Fatalf("node B took mailbox 7 held by node A: ok %v, err %v", ok, err)
	}
	if n := d1.W.Stats().InUse; n != 1 {
		t.Errorf("node A uses %d connections for 30 locks, want 1", n)
	}
	for _, r := range releases {
		r()
	}
	if n := d1.W.Stats().InUse; n != 0 {
		t.Errorf("node A keeps %d connections with no lock held, want 0", n)
	}
	release, ok, err := b.TryLock(ctx, 7)
	if err != nil || !ok {
		t.Fatalf("node B after node A let go: ok %v, err %v", ok, err)
	}
	release()
}
