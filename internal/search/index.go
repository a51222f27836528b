package search

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/db"
)

// Index reads the documents of a kind as they are now and writes them to
// the index; ids that no longer exist leave it. It is idempotent, and
// safe beside other writers: each write records when its documents were
// read, and a document read earlier never replaces one read later.
func (s *Service) Index(ctx context.Context, kind string, ids []int64) error {
	b, err := s.prepare(ctx, kind, ids)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.write(ctx, tx, b) })
}

// batch is documents of one kind read and analyzed, ready to write.
type batch struct {
	kind   string
	rows   []row
	gone   []int64 // ids that no longer exist
	readAt time.Time
}

// prepare reads and analyzes documents; the expensive part of indexing,
// done outside any transaction.
func (s *Service) prepare(ctx context.Context, kind string, ids []int64) (batch, error) {
	src, ok := s.source(kind)
	if !ok {
		return batch{}, fmt.Errorf("search: no kind %q", kind)
	}
	b := batch{kind: kind, readAt: db.Now()}
	docs, err := src.Load(ctx, ids)
	if err != nil {
		return batch{}, fmt.Errorf("index %s: %w", kind, err)
	}
	// In id order whatever order the kind loads them in: a rebuild gives
	// the newest documents the newest seqs, which searches read first.
	slices.SortFunc(docs, func(a, b Document) int { return cmp.Compare(a.ID, b.ID) })
	found := map[int64]bool{}
	for _, d := range docs {
		found[d.ID] = true
		b.rows = append(b.rows, row{kind: kind, ref: d.ID, terms: s.an.analyzeDoc(d), sortAt: d.Updated.UTC(),
			open: d.Open, indexedAt: b.readAt})
	}
	for _, id := range ids {
		if !found[id] && !slices.Contains(b.gone, id) {
			b.gone = append(b.gone, id)
		}
	}
	return b, nil
}

// statsDelta is how a write changes the collection statistics.
type statsDelta struct {
	docs, title, body, notes int
}

func (d *statsDelta) add(sign int, counts [3]int) {
	d.docs += sign
	d.title += sign * counts[0]
	d.body += sign * counts[1]
	d.notes += sign * counts[2]
}

// write writes a batch in a few statements: the stored documents are
// read (and locked) at once, the replaced ones removed, and the new
// versions inserted in one go. A document the index holds from a later
// reading stays.
func (s *Service) write(ctx context.Context, tx *sql.Tx, b batch) error {
	refs := make([]int64, 0, len(b.rows)+len(b.gone))
	for _, r := range b.rows {
		refs = append(refs, r.ref)
	}
	refs = append(refs, b.gone...)
	stored, err := s.eng.findMany(ctx, tx, b.kind, refs)
	if err != nil {
		return err
	}
	var delta statsDelta
	var drop []int64
	var insert []row
	for _, r := range b.rows {
		old, ok := stored[r.ref]
		if ok && old.indexedAt.After(r.indexedAt) {
			continue
		}
		if ok {
			drop = append(drop, old.seq)
			delta.add(-1, old.counts)
		}
		insert = append(insert, r)
		delta.add(1, r.terms.countsOf())
	}
	for _, id := range b.gone {
		if old, ok := stored[id]; ok && !old.indexedAt.After(b.readAt) {
			drop = append(drop, old.seq)
			delta.add(-1, old.counts)
		}
	}
	if err := s.eng.dropMany(ctx, tx, drop); err != nil {
		return err
	}
	raced, err := s.eng.insertMany(ctx, tx, insert)
	if err != nil {
		return err
	}
	for _, r := range raced { // indexed by a concurrent writer just now: replace it as one write
		delta.add(-1, r.terms.countsOf())
		if err := s.put(ctx, tx, r, &delta); err != nil {
			return err
		}
	}
	return addStats(ctx, tx, delta)
}

func addStats(ctx context.Context, tx *sql.Tx, delta statsDelta) error {
	if delta == (statsDelta{}) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE search_stats SET docs = docs + $1, title_count = title_count + $2,
		body_count = body_count + $3, notes_count = notes_count + $4 WHERE id = 1`,
		delta.docs, delta.title, delta.body, delta.notes)
	if err != nil {
		return fmt.Errorf("update search statistics: %w", err)
	}
	return nil
}

// put writes one document unless the index holds a later reading of it.
func (s *Service) put(ctx context.Context, tx *sql.Tx, r row, delta *statsDelta) error {
	for attempt := 0; ; attempt++ {
		old, ok, err := s.eng.find(ctx, tx, r.kind, r.ref)
		if err != nil {
			return err
		}
		if ok && old.indexedAt.After(r.indexedAt) {
			return nil
		}
		err = s.eng.put(ctx, tx, old.seq, r)
		if errors.Is(err, errRaced) && attempt == 0 {
			continue
		}
		if err != nil {
			return err
		}
		if ok {
			delta.add(-1, old.counts)
		}
		delta.add(1, r.terms.countsOf())
		return nil
	}
}
