package search

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"linedesk/internal/db"
)

// rebuildBatch is how many documents a rebuild reads, analyzes and
// writes at once. A batch's write is one transaction: short enough that
// SQLite's single writer is not held from the requests served meanwhile.
const rebuildBatch = 100

// Progress is how far a rebuild has come.
type Progress struct {
	Done, Total int
	Started     time.Time
}

// Rate is documents per second so far.
func (p Progress) Rate() float64 {
	s := time.Since(p.Started).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(p.Done) / s
}

// ETA is the time left at the rate so far.
func (p Progress) ETA() time.Duration {
	r := p.Rate()
	if r <= 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done)/r) * time.Second
}

// Upgrade brings the index's structure up to date at start-up where it
// can without a rebuild (an empty index), and says in the log when an
// older one is left for `linedesk reindex` to renew.
func (s *Service) Upgrade(ctx context.Context) error {
	current, err := s.eng.upgrade(ctx, false)
	if err == nil && !current {
		s.log.Warn("the search index predates prefix indexes: searches while typing are slower until `linedesk reindex` rebuilds it")
	}
	return err
}

// Rebuild indexes every document of every kind again, then removes from
// the index whatever was not written since it began (documents deleted
// meanwhile, kinds no longer searched). It is safe while Linedesk serves:
// it writes a batch at a time, and like every index write it never
// replaces a document indexed from a later reading. (An index in an older
// form that cannot change in place is emptied first: until the rebuild
// ends, searches find only what it has written.) Documents are read
// and analyzed on every core while one writer writes. progress, when not
// nil, is called after every batch. At the end the index is compacted.
func (s *Service) Rebuild(ctx context.Context, progress func(Progress)) error {
	if _, err := s.eng.upgrade(ctx, true); err != nil {
		return err
	}
	p := Progress{Started: time.Now()}
	started := db.Now()
	kinds := s.Kinds()
	counts := map[string]int{}
	for _, kind := range kinds {
		src, _ := s.source(kind)
		n, err := src.Count(ctx)
		if err != nil {
			return err
		}
		counts[kind] = n
		p.Total += n
	}
	// The smallest kinds first: the largest (tickets) is then written
	// last, its newest documents with the newest seqs, which searches
	// read first.
	slices.SortStableFunc(kinds, func(a, b string) int { return counts[a] - counts[b] })
	for _, kind := range kinds {
		if err := s.rebuildKind(ctx, kind, &p, progress); err != nil {
			return err
		}
	}
	if err := s.sweep(ctx, started); err != nil {
		return err
	}
	s.df.forget()
	if err := s.eng.tidy(ctx); err != nil {
		return fmt.Errorf("compact the search index: %w", err)
	}
	return nil
}

// rebuildKind pipes batches of one kind from readers to the writer,
// which writes them in order of id: the newest documents get the newest
// seqs, as their changes would have given them.
func (s *Service) rebuildKind(ctx context.Context, kind string, p *Progress, progress func(Progress)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	src, _ := s.source(kind)
	type numbered struct {
		n   int
		ids []int64
		b   batch
	}
	idBatches := make(chan numbered)
	ready := make(chan numbered, 2)
	go func() {
		defer close(idBatches)
		for after, n := int64(0), 0; ; n++ {
			ids, err := src.IDs(ctx, after, rebuildBatch)
			if err != nil {
				cancel(err)
				return
			}
			if len(ids) == 0 {
				return
			}
			after = ids[len(ids)-1]
			select {
			case idBatches <- numbered{n: n, ids: ids}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var readers sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		readers.Go(func() {
			for nb := range idBatches {
				b, err := s.prepare(ctx, kind, nb.ids)
				if err != nil {
					cancel(err)
					return
				}
				select {
				case ready <- numbered{n: nb.n, b: b}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { readers.Wait(); close(ready) }()
	waiting := map[int]batch{}
	next := 0
	for nb := range ready {
		waiting[nb.n] = nb.b
		for b, ok := waiting[next]; ok && context.Cause(ctx) == nil; b, ok = waiting[next] {
			delete(waiting, next)
			next++
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, b) }); err != nil {
				cancel(err)
				break
			}
			p.Done += len(b.rows) + len(b.gone)
			if progress != nil {
				progress(*p)
			}
		}
	}
	if err := context.Cause(ctx); err != nil && err != context.Canceled {
		return fmt.Errorf("rebuild %s index: %w", kind, err)
	}
	return nil
}

// sweep removes documents not written since a rebuild began.
func (s *Service) sweep(ctx context.Context, before time.Time) error {
	for {
		rows, err := s.db.R.QueryContext(ctx, `SELECT seq, kind, ref_id FROM search_docs WHERE indexed_at < $1 LIMIT 500`, before)
		if err != nil {
			return fmt.Errorf("sweep index: %w", err)
		}
		byKind := map[string][]int64{}
		var stray []int64
		n := 0
		for rows.Next() {
			var seq, ref int64
			var kind string
			if err := rows.Scan(&seq, &kind, &ref); err != nil {
				rows.Close()
				return fmt.Errorf("sweep index: %w", err)
			}
			n++
			if _, ok := s.source(kind); ok {
				byKind[kind] = append(byKind[kind], ref)
			} else {
				stray = append(stray, seq)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sweep index: %w", err)
		}
		if n == 0 {
			return nil
		}
		for kind, refs := range byKind {
			// Indexing them again removes the gone ones and refreshes any
			// the rebuild missed; either way they leave the sweep.
			if err := s.Index(ctx, kind, refs); err != nil {
				return err
			}
		}
		if err := s.dropStray(ctx, stray); err != nil {
			return err
		}
	}
}

// dropStray removes documents of kinds no longer registered.
func (s *Service) dropStray(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var delta statsDelta
		for _, seq := range seqs {
			var title, body, notes string
			err := tx.QueryRowContext(ctx, `SELECT title_terms, body_terms, notes_terms FROM search_docs WHERE seq = $1`, seq).
				Scan(&title, &body, &notes)
			if err != nil {
				return fmt.Errorf("sweep index: %w", err)
			}
			if err := s.eng.drop(ctx, tx, seq); err != nil {
				return err
			}
			delta.add(-1, [3]int{len(splitTerms(title)), len(splitTerms(body)), len(splitTerms(notes))})
		}
		return addStats(ctx, tx, delta)
	})
}
