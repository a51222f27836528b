package live

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"time"

	"linedesk/internal/db"
)

const (
	// defaultInterval is how often a Watcher reads the tickets table.
	defaultInterval = 500 * time.Millisecond
	// overlap is how far behind the newest change seen each poll looks
	// again. A transaction takes its updated_at before it commits, so a
	// change may become visible after later-stamped ones have been read;
	// the overlap also absorbs small clock differences between nodes.
	overlap = 5 * time.Second
	// defaultPageSize bounds the rows one query reads; a poll reads on
	// until a page comes back short.
	defaultPageSize = 1000
)

// changedSQL reads tickets changed at or after $1, continuing after the
// row ($1, $2) in (updated_at, id) order so that a page boundary inside a
// run of equal timestamps loses nothing. The index tickets_updated serves
// it on both databases.
const changedSQL = `
	SELECT id, group_id, assignee_id, requester_id, company_id, version, updated_at FROM tickets
	WHERE updated_at >= $1 AND (updated_at > $1 OR id > $2)
	ORDER BY updated_at, id LIMIT $3`

// Watcher turns database changes into ticket events: it polls the tickets
// table every Interval and publishes one Event per changed (id, version,
// updated_at): a comment touches a ticket without a new version.
// Because it reads the database, it sees changes made by every node and
// every code path (API, e-mail intake, jobs) without those writers knowing
// about it.
type Watcher struct {
	// Interval is the time between polls (default 500 ms); set it before Run.
	Interval time.Duration

	db   *db.DB
	hub  *Hub
	log  *slog.Logger
	wake chan struct{}
	page int // rows per query

	// Owned by the goroutine in Run.
	mark time.Time            // the newest updated_at seen (at first: when Run started)
	seen map[change]time.Time // changes published, by updated_at, pruned as mark moves

	afterPoll func() // set by tests: called after each poll
}

// change is one state of one ticket: a version, or a comment that
// touched it without changing its fields.
type change struct{ id, version, at int64 }

// NewWatcher returns a Watcher that publishes changes to d's tickets on hub.
func NewWatcher(d *db.DB, hub *Hub, log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Watcher{Interval: defaultInterval, db: d, hub: hub, log: log,
		wake: make(chan struct{}, 1), page: defaultPageSize, seen: map[change]time.Time{}}
}

// Run polls until ctx is done, then returns nil. It starts at the time it
// is called: changes made before then are not replayed (only those in the
// last few seconds may be). A failed poll is logged and retried at the next
// tick.
func (w *Watcher) Run(ctx context.Context) error {
	if w.mark.IsZero() {
		w.mark = db.Now()
	}
	w.log.InfoContext(ctx, "ticket watcher started", "interval", w.interval())
	t := time.NewTimer(w.interval())
	defer t.Stop()
	for {
		if err := w.poll(ctx); err != nil && ctx.Err() == nil {
			w.log.ErrorContext(ctx, "watch tickets", "err", err)
		}
		if w.afterPoll != nil {
			w.afterPoll()
		}
		t.Reset(w.interval())
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-t.C:
		}
	}
}

// Poke makes the running Watcher poll now, for snappy updates after a
// local write. It never blocks; pokes made while a poll is pending merge.
func (w *Watcher) Poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Watcher) interval() time.Duration {
	if w.Interval <= 0 {
		return defaultInterval
	}
	return w.Interval
}

// poll publishes every change since mark less the overlap that was not
// published before, then forgets changes the next poll cannot return.
func (w *Watcher) poll(ctx context.Context) error {
	from, afterID := w.mark.Add(-overlap), int64(0)
	for {
		n, last, err := w.read(ctx, from, afterID)
		if err != nil {
			return err
		}
		if n < w.page {
			break
		}
		from, afterID = last.at, last.id
	}
	floor := w.mark.Add(-overlap)
	for c, at := range w.seen {
		if at.Before(floor) {
			delete(w.seen, c)
		}
	}
	return nil
}

// row is where a page ended.
type row struct {
	id int64
	at time.Time
}

// read reads one page of changes and publishes the new ones. It returns
// how many rows it read and the last of them.
func (w *Watcher) read(ctx context.Context, from time.Time, afterID int64) (int, row, error) {
	rows, err := w.db.R.QueryContext(ctx, changedSQL, from, afterID, w.page)
	if err != nil {
		return 0, row{}, fmt.Errorf("read changed tickets: %w", err)
	}
	defer rows.Close()
	n, last := 0, row{}
	for rows.Next() {
		var e Event
		var group, assignee, company sql.NullInt64
		if err := rows.Scan(&e.TicketID, &group, &assignee, &e.RequesterID, &company, &e.Version, &last.at); err != nil {
			return 0, row{}, fmt.Errorf("read changed tickets: %w", err)
		}
		n, last.id = n+1, e.TicketID
		if last.at.After(w.mark) {
			w.mark = last.at
		}
		c := change{e.TicketID, e.Version, last.at.UnixMicro()}
		if _, ok := w.seen[c]; ok {
			continue
		}
		w.seen[c] = last.at
		e.Kind, e.GroupID, e.AssigneeID, e.CompanyID = KindTicket, nullID(group), nullID(assignee), nullID(company)
		e.UpdatedAt = last.at
		w.hub.Publish(e)
	}
	if err := rows.Err(); err != nil {
		return 0, row{}, fmt.Errorf("read changed tickets: %w", err)
	}
	return n, last, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}
