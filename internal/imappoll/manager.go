package imappoll

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Manager runs one poller per active mailbox whose lock it holds, and
// follows the mailbox list as it changes.
type Manager struct {
	src   Source
	sink  Sink
	st    *DBState
	lock  Locker
	log   *slog.Logger
	opt   Options
	hooks hooks

	mu      sync.Mutex
	running map[int64]*worker
}

// worker is a running poller and what it takes to stop it.
type worker struct {
	mb      Mailbox
	cancel  context.CancelFunc
	done    chan struct{}
	release func()
}

// NewManager returns a Manager that stores mail through sink, keeps each
// mailbox's position in st and locks mailboxes through st.
func NewManager(src Source, sink Sink, st *DBState, log *slog.Logger, opt Options) *Manager {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Manager{
		src: src, sink: sink, st: st, lock: st, log: log, opt: opt.withDefaults(),
		running: map[int64]*worker{},
	}
}

// Run polls the active mailboxes it can lock, reading the list again every
// ListInterval to start, stop or restart pollers for added, removed or
// changed mailboxes and to take over mailboxes another node let go. It
// returns nil once ctx is done and every poller has stopped.
func (m *Manager) Run(ctx context.Context) error {
	m.log.InfoContext(ctx, "imap manager started", "list_interval", m.opt.ListInterval)
	defer m.stopAll()
	t := time.NewTicker(m.opt.ListInterval)
	defer t.Stop()
	for {
		m.reconcile(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// reconcile makes the running pollers match the mailbox list.
func (m *Manager) reconcile(ctx context.Context) {
	list, err := m.src.ActiveIMAP(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.ErrorContext(ctx, "list imap mailboxes", "err", err)
		}
		return // keep the pollers running; try again next time
	}
	want := make(map[int64]Mailbox, len(list))
	for _, mb := range list {
		want[mb.ID] = mb
	}
	m.mu.Lock()
	var stale []*worker
	for id, w := range m.running {
		if mb, ok := want[id]; !ok || mb != w.mb {
			stale = append(stale, w)
			delete(m.running, id)
		}
	}
	m.mu.Unlock()
	for _, w := range stale {
		m.stop(w)
	}
	for _, mb := range list {
		if ctx.Err() != nil {
			return
		}
		m.mu.Lock()
		_, on := m.running[mb.ID]
		m.mu.Unlock()
		if on {
			continue
		}
		release, ok, err := m.lock.TryLock(ctx, mb.ID)
		if err != nil {
			if ctx.Err() == nil {
				m.log.ErrorContext(ctx, "lock imap mailbox", "mailbox", mb.ID, "err", err)
			}
			continue
		}
		if !ok {
			m.log.DebugContext(ctx, "imap mailbox polled elsewhere", "mailbox", mb.ID)
			continue
		}
		m.start(ctx, mb, release)
	}
}

func (m *Manager) start(ctx context.Context, mb Mailbox, release func()) {
	wctx, cancel := context.WithCancel(ctx)
	w := &worker{mb: mb, cancel: cancel, done: make(chan struct{}), release: release}
	p := &poller{mb: mb, sink: m.sink, st: m.st, opt: m.opt, hooks: &m.hooks,
		log: m.log.With("mailbox", mb.ID)}
	m.mu.Lock()
	m.running[mb.ID] = w
	m.mu.Unlock()
	go func() {
		defer close(w.done)
		p.run(wctx)
	}()
}

// stop ends a poller, waits for it, then lets go of its lock.
func (m *Manager) stop(w *worker) {
	w.cancel()
	<-w.done
	w.release()
}

func (m *Manager) stopAll() {
	m.mu.Lock()
	all := make([]*worker, 0, len(m.running))
	for id, w := range m.running {
		all = append(all, w)
		delete(m.running, id)
	}
	m.mu.Unlock()
	for _, w := range all {
		w.cancel()
	}
	for _, w := range all {
		m.stop(w)
	}
	m.log.Info("imap manager stopped")
}

// polling lists the mailboxes this Manager polls now.
func (m *Manager) polling() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]int64, 0, len(m.running))
	for id := range m.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
