package imappoll

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// poller takes one mailbox's mail in until its context ends.
type poller struct {
	mb       Mailbox
	sink     Sink
	st       *DBState
	log      *slog.Logger
	opt      Options
	hooks    *hooks
	failures int // in a row, for the backoff
}

// hooks let tests see inside a running poller.
type hooks struct {
	idle func(mailboxID int64) // IDLE has been accepted by the server
}

// position is the first unacknowledged place in the folder: every message
// up to last under uidValidity is stored and acknowledged.
type position struct {
	uidValidity uint32
	last        uint32
}

// run polls until ctx ends, reconnecting with backoff after any failure.
func (p *poller) run(ctx context.Context) {
	p.log.InfoContext(ctx, "imap poller started", "folder", p.mb.Folder, "host", p.mb.Host)
	for {
		err := p.session(ctx)
		if ctx.Err() != nil {
			p.log.InfoContext(context.WithoutCancel(ctx), "imap poller stopped")
			return
		}
		p.failures++
		wait := backoff(p.failures, p.opt.MinBackoff, p.opt.MaxBackoff, jitter())
		p.log.WarnContext(ctx, "imap poll failed", "err", err, "failures", p.failures, "retry_in", wait)
		if err := p.st.RecordPoll(ctx, p.mb.ID, err.Error()); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "record imap poll", "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			p.log.InfoContext(context.WithoutCancel(ctx), "imap poller stopped")
			return
		case <-t.C:
		}
	}
}

// session is one connection's life: catch up, wait for news, repeat, until
// something fails.
func (p *poller) session(ctx context.Context) error {
	if err := p.mb.check(); err != nil {
		return err
	}
	c, err := dial(ctx, p.mb, p.opt)
	if err != nil {
		return err
	}
	defer c.close()
	pos, err := p.position(ctx, c.uidValidity)
	if err != nil {
		return err
	}
	for {
		c.drain()
		if err := p.sync(ctx, c, &pos); err != nil {
			return err
		}
		if err := p.st.RecordPoll(ctx, p.mb.ID, ""); err != nil {
			return err
		}
		p.failures = 0
		if err := p.wait(ctx, c); err != nil {
			return err
		}
	}
}

// position loads where the poller stands. When the folder's UIDVALIDITY
// is not the one stored, the old UIDs mean nothing any more: start from
// the first message and let the sink recognise what it already has.
func (p *poller) position(ctx context.Context, uidValidity uint32) (position, error) {
	st, err := p.st.Load(ctx, p.mb.ID)
	if err != nil {
		return position{}, err
	}
	if st.UIDValidity == uidValidity {
		return position{uidValidity: uidValidity, last: st.LastUID}, nil
	}
	if st.UIDValidity != 0 {
		p.log.WarnContext(ctx, "imap UIDVALIDITY changed: taking the whole folder again",
			"old_uidvalidity", st.UIDValidity, "uidvalidity", uidValidity, "old_last_uid", st.LastUID)
	}
	if err := p.st.SavePosition(ctx, p.mb.ID, uidValidity, 0); err != nil {
		return position{}, err
	}
	return position{uidValidity: uidValidity}, nil
}

// sync takes every message after pos, in UID order, a batch at a time.
func (p *poller) sync(ctx context.Context, c *conn, pos *position) error {
	if !c.caps.Has(imap.CapIdle) {
		// Without IDLE, a NOOP is what lets the server report new mail.
		if err := c.do("NOOP", func() error { return c.c.Noop().Wait() }); err != nil {
			return err
		}
	}
	var found []imap.UID
	err := c.do("UID SEARCH", func() error {
		// "n:*" always matches the last message, even below n.
		criteria := &imap.SearchCriteria{UID: []imap.UIDSet{{{Start: imap.UID(pos.last + 1), Stop: 0}}}}
		data, err := c.c.UIDSearch(criteria, nil).Wait()
		if err == nil {
			found = data.AllUIDs()
		}
		return err
	})
	if err != nil {
		return err
	}
	found = slices.DeleteFunc(found, func(u imap.UID) bool { return uint32(u) <= pos.last })
	slices.Sort(found)
	for batch := range slices.Chunk(found, p.opt.FetchBatch) {
		if err := p.take(ctx, c, pos, batch); err != nil {
			return err
		}
	}
	return nil
}

// take fetches a batch, stores each message, and acknowledges those
// stored — never one the sink has not accepted — before moving pos past
// them. It stops at the first message the sink refuses, so that pos
// never skips one.
func (p *poller) take(ctx context.Context, c *conn, pos *position, batch []imap.UID) error {
	var msgs []fetched
	err := c.do("UID FETCH", func() error {
		var err error
		msgs, err = c.fetch(batch)
		return err
	})
	if err != nil {
		return err
	}
	slices.SortFunc(msgs, func(a, b fetched) int { return cmp.Compare(a.uid, b.uid) })
	var stored []imap.UID
	var storeErr error
	for _, m := range msgs {
		if m.uid == 0 || uint32(m.uid) <= pos.last {
			continue // an unrequested FETCH, such as a flag change
		}
		if err := ctx.Err(); err != nil {
			storeErr = err
			break
		}
		if m.raw == nil {
			storeErr = fmt.Errorf("uid %d: the server sent no body", m.uid)
			break
		}
		if err := p.sink.Store(ctx, p.mb.ID, pos.uidValidity, uint32(m.uid), m.raw); err != nil {
			storeErr = fmt.Errorf("store uid %d: %w", m.uid, err)
			break
		}
		p.log.DebugContext(ctx, "imap message stored", "uid", uint32(m.uid), "size", len(m.raw))
		stored = append(stored, m.uid)
	}
	if len(stored) == 0 {
		return storeErr
	}
	if ctx.Err() != nil {
		// Stopping: what was stored is fetched and recognised next time.
		return ctx.Err()
	}
	if err := p.acknowledge(c, stored); err != nil {
		return errors.Join(err, storeErr)
	}
	pos.last = uint32(stored[len(stored)-1])
	if err := p.st.SavePosition(ctx, p.mb.ID, pos.uidValidity, pos.last); err != nil {
		return errors.Join(err, storeErr)
	}
	p.log.InfoContext(ctx, "imap messages taken", "count", len(stored), "last_uid", pos.last)
	return storeErr
}

// acknowledge tells the server the messages are taken: flags them \Seen,
// or moves them. Without MOVE, the copy must succeed before the originals
// are deleted; the library's own fallback sends all three commands
// without waiting, which would delete mail a failed COPY did not copy.
func (p *poller) acknowledge(c *conn, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	if p.mb.After != AfterMove {
		return c.do("UID STORE \\Seen", func() error {
			return c.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		})
	}
	if c.caps.Has(imap.CapMove) {
		return c.do("UID MOVE", func() error {
			_, err := c.c.Move(set, p.mb.MoveTo).Wait()
			return err
		})
	}
	if err := c.do("UID COPY", func() error { _, err := c.c.Copy(set, p.mb.MoveTo).Wait(); return err }); err != nil {
		return err
	}
	err := c.do("UID STORE \\Deleted", func() error {
		return c.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	})
	if err != nil {
		return err
	}
	return c.do("EXPUNGE", func() error {
		if c.caps.Has(imap.CapUIDPlus) {
			return c.c.UIDExpunge(set).Close()
		}
		return c.c.Expunge().Close()
	})
}

// wait returns when there may be new mail: the server announced some
// during IDLE, IdleRefresh passed, or, without IDLE, PollInterval passed.
func (p *poller) wait(ctx context.Context, c *conn) error {
	if !c.caps.Has(imap.CapIdle) {
		t := time.NewTimer(p.opt.PollInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.c.Closed():
			return errors.New("the server closed the connection")
		case <-c.wake:
		case <-t.C:
		}
		return nil
	}
	var idle *imapclient.IdleCommand
	err := c.do("IDLE", func() error {
		var err error
		idle, err = c.c.Idle()
		return err
	})
	if err != nil {
		return err
	}
	if p.hooks != nil && p.hooks.idle != nil {
		p.hooks.idle(p.mb.ID)
	}
	t := time.NewTimer(p.opt.IdleRefresh)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-c.c.Closed():
	case <-c.wake:
	case <-t.C:
	}
	err = c.do("DONE", func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
