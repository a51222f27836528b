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
	// match returns the newest-written documents e matches, with their
	// stored terms.
	match(ctx context.Context, e expr, public bool, limit int) ([]candidate, error)
	// count counts the documents e matches, up to upTo.
	count(ctx context.Context, e expr, public bool, upTo int) (int, error)
	// tidy compacts the index after a rebuild.
	tidy(ctx context.Context) error
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

func (e fts5) findMany(ctx context.Context, tx *sql.Tx, kind string, refs []int64) (map[int64]stored, error) {
	return findManyStored(ctx, tx, findManySQL, kind, refs)
}

func (e fts5) dropMany(ctx context.Context, tx *sql.Tx, seqs []int64) error {
	for _, seq := range seqs {
		if err := e.drop(ctx, tx, seq); err != nil {
			return err
		}
	}
	return nil
}

// insertMany inserts the documents' rows, then their FTS5 rows under the
// seqs the first insert gave. SQLite has one writer: nothing races.
func (e fts5) insertMany(ctx context.Context, tx *sql.Tx, rows []row) ([]row, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var args []any
	for _, r := range rows {
		args = append(args, docArgs(r)...)
	}
	res, err := tx.QueryContext(ctx, `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at,
		is_open, indexed_at) VALUES `+values(len(rows), 8)+` RETURNING ref_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", rows[0].kind, err)
	}
	seqs := map[int64]int64{}
	for res.Next() {
		var ref, seq int64
		if err := res.Scan(&ref, &seq); err != nil {
			res.Close()
			return nil, fmt.Errorf("index %s: %w", rows[0].kind, err)
		}
		seqs[ref] = seq
	}
	res.Close()
	if err := res.Err(); err != nil {
		return nil, err
	}
	args = args[:0]
	for _, r := range rows {
		cols := capped(r.terms.title, r.terms.body, r.terms.notes)
		args = append(args, seqs[r.ref], ftsText(cols[0]), ftsText(cols[1]), ftsText(cols[2]), strings.Join(r.terms.meta, " "))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, body, notes, meta) VALUES `+values(len(rows), 5),
		args...); err != nil {
		return nil, fmt.Errorf("index %s: %w", rows[0].kind, err)
	}
	return nil, nil
}

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

func (e fts5) match(ctx context.Context, x expr, public bool, limit int) ([]candidate, error) {
	return queryCandidates(ctx, e.db.R, `SELECT `+candidateColumns+` FROM search_fts f JOIN search_docs d ON d.seq = f.rowid
		WHERE search_fts MATCH $1 ORDER BY f.rowid DESC LIMIT $2`, renderFTS(x, public), limit)
}

func (e fts5) count(ctx context.Context, x expr, public bool, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH $1 LIMIT $2) m`,
		renderFTS(x, public), upTo)
}

// tidy merges FTS5's segments into one, which its queries read fastest.
func (e fts5) tidy(ctx context.Context) error {
	_, err := e.db.W.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`)
	return err
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

func (e pgfts) findMany(ctx context.Context, tx *sql.Tx, kind string, refs []int64) (map[int64]stored, error) {
	return findManyStored(ctx, tx, findManySQL+` FOR UPDATE`, kind, refs)
}

func (e pgfts) dropMany(ctx context.Context, tx *sql.Tx, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	in, args := db.In(seqs, 1)
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE seq IN (`+in+`)`, args...); err != nil {
		return fmt.Errorf("unindex: %w", err)
	}
	return nil
}

// insertMany inserts the documents in one statement; a document another
// transaction indexed since findMany (a new one both saw missing) is left
// to the caller.
func (e pgfts) insertMany(ctx context.Context, tx *sql.Tx, rows []row) ([]row, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var args []any
	for _, r := range rows {
		args = append(args, append(docArgs(r), tsvector(r.terms))...)
	}
	res, err := tx.QueryContext(ctx, `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at,
		is_open, indexed_at, tsv) VALUES `+values(len(rows), 9, "", "", "", "", "", "", "", "", "tsvector")+`
		ON CONFLICT (kind, ref_id) DO NOTHING RETURNING ref_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", rows[0].kind, err)
	}
	defer res.Close()
	done := map[int64]bool{}
	for res.Next() {
		var ref int64
		if err := res.Scan(&ref); err != nil {
			return nil, fmt.Errorf("index %s: %w", rows[0].kind, err)
		}
		done[ref] = true
	}
	var raced []row
	for _, r := range rows {
		if !done[r.ref] {
			raced = append(raced, r)
		}
	}
	return raced, res.Err()
}

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

// match looks for the newest matches in a window of the newest seqs
// first, widened eightfold until it holds enough (the last window is
// everything). A common term matches thousands of documents, and the
// GIN index gives them in no useful order: without the window every one
// of them is read from the table to find the newest. The candidates are
// ordered by seq + 0, an expression, so the planner does not walk the
// seq index testing each row's vector.
func (e pgfts) match(ctx context.Context, x expr, public bool, limit int) ([]candidate, error) {
	q := renderTSQuery(x, public)
	var top int64
	if err := e.db.R.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) FROM search_docs`).Scan(&top); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for window := int64(limit) * 32; ; window *= 8 {
		if top-window <= 0 {
			return queryCandidates(ctx, e.db.R, `SELECT `+candidateColumns+` FROM search_docs d WHERE tsv @@ $1::tsquery
				ORDER BY d.seq + 0 DESC LIMIT $2`, q, limit)
		}
		out, err := queryCandidates(ctx, e.db.R, `SELECT `+candidateColumns+` FROM search_docs d WHERE tsv @@ $1::tsquery
			AND d.seq > $3 ORDER BY d.seq + 0 DESC LIMIT $2`, q, limit, top-window)
		if err != nil || len(out) >= limit {
			return out, err
		}
	}
}

func (e pgfts) count(ctx context.Context, x expr, public bool, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT 1 FROM search_docs WHERE tsv @@ $1::tsquery LIMIT $2) m`,
		renderTSQuery(x, public), upTo)
}

// tidy moves the GIN index's pending entries into the index proper and
// refreshes the planner's statistics.
func (e pgfts) tidy(ctx context.Context) error {
	if _, err := e.db.W.ExecContext(ctx, `SELECT gin_clean_pending_list('search_docs_tsv'::regclass)`); err != nil {
		return err
	}
	_, err := e.db.W.ExecContext(ctx, `ANALYZE search_docs`)
	return err
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
