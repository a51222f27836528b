package imappoll_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/imappoll"
)

// Two nodes share one PostgreSQL database: each mailbox is polled by
// exactly one of them, and when a node stops, the other takes its
// mailboxes over.
func TestTwoNodesShareMailboxes(t *testing.T) {
	d1, url := dbtest.PostgresURL(t)
	d2, err := db.Open(context.Background(), url) // the second node's own pool
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d2.Close() })
	dc := startDovecot(t, dovecotConfig{users: 4})
	var boxes []imappoll.Mailbox
	delivered := map[int64]map[uint32][]byte{}
	for i := 1; i <= 4; i++ {
		user := fmt.Sprintf("u%d", i)
		mb := newMailbox(t, d1, user, dc.port)
		boxes = append(boxes, mb)
		delivered[mb.ID] = deliver(t, dc, user, i*10, 2)
	}
	src := &source{list: boxes}
	sinkA, sinkB := newSink(), newSink()
	a := newManager(t, src, sinkA, imappoll.NewDBState(d1), fast)
	b := newManager(t, src, sinkB, imappoll.NewDBState(d2), fast)
	stopA := run(t, a)
	run(t, b)

	allSeen := func() bool {
		for i, mb := range boxes {
			if !dc.look(t, fmt.Sprintf("u%d", i+1), "INBOX").allSeen(uidsOf(delivered[mb.ID])) {
				return false
			}
		}
		return true
	}
	eventually(t, "every mailbox taken", allSeen)
	for _, mb := range boxes {
		na, nb := len(sinkA.storedOf(mb.ID)), len(sinkB.storedOf(mb.ID))
		if na > 0 && nb > 0 {
			t.Errorf("mailbox %d polled by both nodes (%d and %d messages)", mb.ID, na, nb)
		}
		for uid := range delivered[mb.ID] {
			if n := sinkA.callsOf(mb.ID, uid) + sinkB.callsOf(mb.ID, uid); n != 1 {
				t.Errorf("mailbox %d uid %d offered %d times, want 1", mb.ID, uid, n)
			}
		}
	}
	pa, pb := imappoll.Polling(a), imappoll.Polling(b)
	var ids []int64
	for _, mb := range boxes {
		ids = append(ids, mb.ID)
	}
	if got := slices.Sorted(slices.Values(append(pa, pb...))); !slices.Equal(got, ids) {
		t.Errorf("node A polls %v, node B %v; want the 4 mailboxes split between them", pa, pb)
	}

	stopA()
	eventually(t, "node B polls every mailbox", func() bool { return len(imappoll.Polling(b)) == 4 })
	for i, mb := range boxes {
		delivered[mb.ID] = merge(delivered[mb.ID], deliver(t, dc, fmt.Sprintf("u%d", i+1), i*10+5, 1))
	}
	eventually(t, "new mail taken by node B alone", allSeen)
	for _, mb := range boxes {
		for uid := range delivered[mb.ID] {
			if n := sinkA.callsOf(mb.ID, uid) + sinkB.callsOf(mb.ID, uid); n != 1 {
				t.Errorf("mailbox %d uid %d offered %d times, want 1", mb.ID, uid, n)
			}
		}
	}
}

// The Manager follows the mailbox list: added mailboxes are polled,
// removed ones let go, changed ones restarted with their new settings.
func TestManagerFollowsMailboxList(t *testing.T) {
	d := dbtest.SQLite(t)
	dc := startDovecot(t, dovecotConfig{users: 2})
	a, b := newMailbox(t, d, "u1", dc.port), newMailbox(t, d, "u2", dc.port)
	src := &source{list: []imappoll.Mailbox{a}}
	sink := newSink()
	m := newManager(t, src, sink, imappoll.NewDBState(d), fast)
	run(t, m)
	ma := deliver(t, dc, "u1", 1, 1)
	eventually(t, "mailbox A taken", func() bool { return len(sink.storedOf(a.ID)) == 1 })

	mb := deliver(t, dc, "u2", 2, 1)
	src.set(a, b)
	eventually(t, "added mailbox B taken", func() bool { return len(sink.storedOf(b.ID)) == 1 })

	src.set(b)
	eventually(t, "removed mailbox A let go", func() bool { return slices.Equal(imappoll.Polling(m), []int64{b.ID}) })

	dc.create(t, "u2", "Done")
	b.After, b.MoveTo = imappoll.AfterMove, "Done"
	src.set(b)
	mb = merge(mb, deliver(t, dc, "u2", 3, 1))
	eventually(t, "changed mailbox B moves its new mail", func() bool { return len(dc.look(t, "u2", "Done").flags) == 1 })
	sink.wantStoredOnce(t, a.ID, ma)
	sink.wantStoredOnce(t, b.ID, mb)
}
