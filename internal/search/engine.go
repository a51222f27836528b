package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
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
	// put writes a document, replacing the stored one (seq > 0); a new
	// one may collide with a concurrent writer (errRaced).
	put(ctx context.Context, tx *sql.Tx, old int64, r row) error
	drop(ctx context.Context, tx *sql.Tx, seq int64) error
	// match returns the seqs of the newest-written documents e matches.
	match(ctx context.Context, e expr, public bool, limit int) ([]int64, error)
	// count counts the documents e matches, up to upTo.
	count(ctx context.Context, e expr, public bool, upTo int) (int, error)
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

// fts5 is the SQLite engine: search_fts is a contentless FTS5 table whose
// rowid is search_docs.seq.
type fts5 struct{ db *db.DB }

func (e fts5) find(ctx context.Context, tx *sql.Tx, kind string, ref int64) (stored, bool, error) {
	return findStored(ctx, tx, findStoredSQL, kind, ref)
}

const (
	insertDocSQL = `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at, is_open, indexed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`
	insertFTSSQL = `INSERT INTO search_fts (rowid, title, body, notes, meta) VALUES ($1, $2, $3, $4, $5)`
)

func (e fts5) put(ctx context.Context, tx *sql.Tx, old int64, r row) error {
	if old > 0 {
		if err := e.drop(ctx, tx, old); err != nil {
			return err
		}
	}
	t := r.terms
	var seq int64
	err := tx.QueryRowContext(ctx, insertDocSQL, r.kind, r.ref, strings.Join(t.title, " "), strings.Join(t.body, " "),
		strings.Join(t.notes, " "), r.sortAt, r.open, r.indexedAt).Scan(&seq)
	if err != nil {
		return fmt.Errorf("index %s %d: %w", r.kind, r.ref, err)
	}
	cols := capped(t.title, t.body, t.notes)
	if _, err := tx.ExecContext(ctx, insertFTSSQL, seq, ftsText(cols[0]), ftsText(cols[1]), ftsText(cols[2]),
		strings.Join(t.meta, " ")); err != nil {
		return fmt.Errorf("index %s %d: %w", r.kind, r.ref, err)
	}
	return nil
}

// ftsText joins terms for FTS5, an empty (capped) position as "_": a
// token no query asks for, which keeps the positions after it in place.
func ftsText(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t == "" {
			t = "_"
		}
		b.WriteString(t)
	}
	return b.String()
}

func (e fts5) drop(ctx context.Context, tx *sql.Tx, seq int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, seq); err != nil {
		return fmt.Errorf("unindex %d: %w", seq, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE seq = $1`, seq); err != nil {
		return fmt.Errorf("unindex %d: %w", seq, err)
	}
	return nil
}

func (e fts5) match(ctx context.Context, x expr, public bool, limit int) ([]int64, error) {
	return querySeqs(ctx, e.db.R, `SELECT rowid FROM search_fts WHERE search_fts MATCH $1 ORDER BY rowid DESC LIMIT $2`,
		renderFTS(x, public), limit)
}

func (e fts5) count(ctx context.Context, x expr, public bool, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH $1 LIMIT $2) m`,
		renderFTS(x, public), upTo)
}

// pgfts is the PostgreSQL engine: search_docs.tsv, a tsvector Linedesk
// builds from the same terms with the positions FTS5 gives them, under a
// GIN index.
type pgfts struct{ db *db.DB }

func (e pgfts) find(ctx context.Context, tx *sql.Tx, kind string, ref int64) (stored, bool, error) {
	return findStored(ctx, tx, findStoredSQL+` FOR UPDATE`, kind, ref)
}

const (
	pgInsertSQL = `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at, is_open, indexed_at, tsv)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::tsvector) ON CONFLICT (kind, ref_id) DO NOTHING`
	pgUpdateSQL = `UPDATE search_docs SET seq = nextval('search_seq'), title_terms = $3, body_terms = $4, notes_terms = $5,
		sort_at = $6, is_open = $7, indexed_at = $8, tsv = $9::tsvector WHERE kind = $1 AND ref_id = $2`
)

func (e pgfts) put(ctx context.Context, tx *sql.Tx, old int64, r row) error {
	t := r.terms
	query := pgInsertSQL
	if old > 0 {
		query = pgUpdateSQL
	}
	res, err := tx.ExecContext(ctx, query, r.kind, r.ref, strings.Join(t.title, " "), strings.Join(t.body, " "),
		strings.Join(t.notes, " "), r.sortAt, r.open, r.indexedAt, tsvector(t))
	if err != nil {
		return fmt.Errorf("index %s %d: %w", r.kind, r.ref, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRaced
	}
	return nil
}

func (e pgfts) drop(ctx context.Context, tx *sql.Tx, seq int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE seq = $1`, seq); err != nil {
		return fmt.Errorf("unindex %d: %w", seq, err)
	}
	return nil
}

// The candidates are ordered by seq + 0: an expression, so the planner
// cannot walk the seq index testing every row's vector, and takes the
// GIN index's matches instead.
func (e pgfts) match(ctx context.Context, x expr, public bool, limit int) ([]int64, error) {
	return querySeqs(ctx, e.db.R, `SELECT seq FROM search_docs WHERE tsv @@ $1::tsquery ORDER BY seq + 0 DESC LIMIT $2`,
		renderTSQuery(x, public), limit)
}

func (e pgfts) count(ctx context.Context, x expr, public bool, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT 1 FROM search_docs WHERE tsv @@ $1::tsquery LIMIT $2) m`,
		renderTSQuery(x, public), upTo)
}

// tsvector writes a document's terms as a tsvector literal: title terms
// at positions 1…, weight A; body terms after a gap (so no phrase runs
// from one column into the next, as in FTS5), weight B; internal notes
// after another gap, weight C; filter terms without positions.
func tsvector(t docTerms) string {
	pos := map[string][]string{}
	var order []string
	next := 1
	cols := capped(t.title, t.body, t.notes)
	for i, col := range cols {
		weight := "ABC"[i : i+1]
		for _, term := range col {
			if term != "" {
				if _, ok := pos[term]; !ok {
					order = append(order, term)
				}
				pos[term] = append(pos[term], strconv.Itoa(next)+weight)
			}
			next++
		}
		next++
	}
	var b strings.Builder
	for _, term := range order {
		b.WriteString(quoteLexeme(term))
		b.WriteByte(':')
		b.WriteString(strings.Join(pos[term], ","))
		b.WriteByte(' ')
	}
	for _, m := range t.meta {
		b.WriteString(quoteLexeme(m))
		b.WriteByte(' ')
	}
	return b.String()
}

func querySeqs(ctx context.Context, q db.Queryer, query, match string, limit int) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, match, limit)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, seq)
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
