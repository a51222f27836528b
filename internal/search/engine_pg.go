package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"linedesk/internal/db"
)

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
