package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/db"
)

// row is one document as the index stores it.
type row struct {
	kind      string
	ref       int64
	terms     docTerms
	sortAt    time.Time
	open      bool
	indexedAt time.Time
}

// stored is what the index holds of a document before it is replaced.
type stored struct {
	seq       int64
	indexedAt time.Time
	counts    [3]int
}

// engine is what differs between SQLite FTS5 and PostgreSQL full-text:
// how a document is written and how a match is run. Everything else (the
// analyzer, the query, ranking, snippets) is shared, so both give the
// same answers.
type engine interface {
	// find returns the stored state of a document, locked for the
	// transaction's writes; ok is false when it is not indexed.
	find(ctx context.Context, tx *sql.Tx, kind string, ref int64) (stored, bool, error)
	// findMany is find for many documents of a kind, by ref.
	findMany(ctx context.Context, tx *sql.Tx, kind string, refs []int64) (map[int64]stored, error)
	// dropMany removes documents; insertMany adds documents not indexed
	// and returns those a concurrent writer indexed meanwhile.
	dropMany(ctx context.Context, tx *sql.Tx, seqs []int64) error
	insertMany(ctx context.Context, tx *sql.Tx, rows []row) ([]row, error)
	// put writes a document, replacing the stored one (seq > 0); a new
	// one may collide with a concurrent writer (errRaced).
	put(ctx context.Context, tx *sql.Tx, old int64, r row) error
	drop(ctx context.Context, tx *sql.Tx, seq int64) error
	// match returns the newest-written documents m matches, with their
	// stored terms; expect, when not 0, is how many documents its text
	// matches at most, as counted for ranking.
	match(ctx context.Context, m matching, limit, expect int) ([]candidate, error)
	// count counts the documents the text expression e matches, up to
	// upTo.
	count(ctx context.Context, e expr, upTo int) (int, error)
	// tidy compacts the index after a rebuild.
	tidy(ctx context.Context) error
	// upgrade brings the index's structure up to date where that is
	// possible without losing what it holds, or, when rebuilding, before
	// the rebuild fills it; current is false when the index is left in an
	// older form, to be rebuilt.
	upgrade(ctx context.Context, rebuilding bool) (current bool, err error)
}

// errRaced: another writer indexed the same new document at the same
// moment; the write is tried again.
var errRaced = errors.New("search: document indexed concurrently")

const findStoredSQL = `SELECT seq, indexed_at, title_terms, body_terms, notes_terms FROM search_docs
	WHERE kind = $1 AND ref_id = $2`

func findStored(ctx context.Context, tx *sql.Tx, query, kind string, ref int64) (stored, bool, error) {
	var s stored
	var title, body, notes string
	err := tx.QueryRowContext(ctx, query, kind, ref).Scan(&s.seq, &s.indexedAt, &title, &body, &notes)
	if errors.Is(err, sql.ErrNoRows) {
		return stored{}, false, nil
	}
	if err != nil {
		return stored{}, false, fmt.Errorf("find indexed %s %d: %w", kind, ref, err)
	}
	s.counts = [3]int{len(splitTerms(title)), len(splitTerms(body)), len(splitTerms(notes))}
	return s, true, nil
}

const findManySQL = `SELECT ref_id, seq, indexed_at, title_terms, body_terms, notes_terms FROM search_docs
	WHERE kind = $1 AND ref_id IN (%s)`

func findManyStored(ctx context.Context, tx *sql.Tx, query, kind string, refs []int64) (map[int64]stored, error) {
	out := map[int64]stored{}
	if len(refs) == 0 {
		return out, nil
	}
	in, args := db.In(refs, 2)
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(query, in), append([]any{kind}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("find indexed %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref int64
		var s stored
		var title, body, notes string
		if err := rows.Scan(&ref, &s.seq, &s.indexedAt, &title, &body, &notes); err != nil {
			return nil, fmt.Errorf("find indexed %s: %w", kind, err)
		}
		s.counts = [3]int{termCount(title), termCount(body), termCount(notes)}
		out[ref] = s
	}
	return out, rows.Err()
}

// values writes the placeholders of a multi-row insert of n rows of cols
// columns, the i-th column of each cast when casts[i] is set.
func values(n, cols int, casts ...string) string {
	var b strings.Builder
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", r*cols+c+1)
			if c < len(casts) && casts[c] != "" {
				b.WriteString("::" + casts[c])
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// docArgs are a row's values for search_docs, in insert order.
func docArgs(r row) []any {
	t := r.terms
	return []any{r.kind, r.ref, strings.Join(t.title, " "), strings.Join(t.body, " "), strings.Join(t.notes, " "),
		r.sortAt, r.open, r.indexedAt}
}

func queryCandidates(ctx context.Context, q db.Queryer, query string, args ...any) ([]candidate, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.seq, &c.kind, &c.ref, &c.title, &c.body, &c.notes, &c.sortAt, &c.open); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func countUpTo(ctx context.Context, q db.Queryer, query, match string, upTo int) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, query, match, upTo).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: count: %w", err)
	}
	return n, nil
}
