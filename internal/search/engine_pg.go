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
	pgInsertSQL = `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at, is_open, indexed_at, tsv,
		meta) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::tsvector, $10::tsvector) ON CONFLICT (kind, ref_id) DO NOTHING`
	pgUpdateSQL = `UPDATE search_docs SET seq = nextval('search_seq'), title_terms = $3, body_terms = $4, notes_terms = $5,
		sort_at = $6, is_open = $7, indexed_at = $8, tsv = $9::tsvector, meta = $10::tsvector WHERE kind = $1 AND ref_id = $2`
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
		args = append(args, append(docArgs(r), tsvector(r.terms), metaVector(r.terms))...)
	}
	res, err := tx.QueryContext(ctx, `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at,
		is_open, indexed_at, tsv, meta) VALUES `+values(len(rows), 10, "", "", "", "", "", "", "", "", "tsvector", "tsvector")+`
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
		strings.Join(t.notes, " "), r.sortAt, r.open, r.indexedAt, tsvector(t), metaVector(t))
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
// first: a common term matches thousands of documents, and the GIN index
// gives them in no useful order, so without the window every one of them
// is read from the table to find the newest. A window that holds too few
// is widened to about twice what it should take, from the matches it
// held; when those say all matches are few, the whole index is asked.
func (e pgfts) match(ctx context.Context, m matching, limit int) ([]candidate, error) {
	where, args := pgWhere(m)
	var top int64
	if err := e.db.R.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) FROM search_docs`).Scan(&top); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	tx, err := e.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	// Within a window the planner would walk the seq index testing each
	// row (it cannot tell how many of the window's rows match); bitmaps of
	// the GIN indexes' matches ANDed with the window's read only the rows
	// that match. The candidates are ordered by seq + 0 for the same
	// reason.
	// Plans are made for each query's own terms: a plan made for
	// parameters in general cannot tell a rare term from a common one.
	for _, set := range []string{`SET LOCAL enable_indexscan = off`, `SET LOCAL plan_cache_mode = force_custom_plan`} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	query := `SELECT ` + candidateColumns + ` FROM search_docs d WHERE ` + where
	limitArg := "$" + strconv.Itoa(len(args)+1)
	for window := int64(limit) * 32; top-window > 0; {
		windowArg := "$" + strconv.Itoa(len(args)+2)
		out, err := queryCandidates(ctx, tx, query+` AND d.seq > `+windowArg+` ORDER BY d.seq + 0 DESC LIMIT `+limitArg,
			append(args, limit, top-window)...)
		if err != nil || len(out) >= limit {
			return out, err
		}
		if int64(len(out))*top/window < 8*int64(limit) {
			break // few matches in all: reading them all is cheap
		}
		window = window * 2 * int64(limit) / int64(len(out))
	}
	return queryCandidates(ctx, tx, query+` ORDER BY d.seq + 0 DESC LIMIT `+limitArg, append(args, limit)...)
}

// pgWhere is the match as conditions: the text against the text's
// vector, the filters against the filter terms' vector.
func pgWhere(m matching) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, e expr, public bool) {
		args = append(args, renderTSQuery(e, public))
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if m.text != nil {
		add("d.tsv @@ $%d::tsquery", m.text, m.public)
	}
	if m.exclude != nil {
		add("NOT d.tsv @@ $%d::tsquery", m.exclude, m.public)
	}
	if m.filter != nil {
		add("d.meta @@ $%d::tsquery", m.filter, false)
	}
	return strings.Join(conds, " AND "), args
}

func (e pgfts) count(ctx context.Context, x expr, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT 1 FROM search_docs WHERE tsv @@ $1::tsquery LIMIT $2) m`,
		renderTSQuery(x, false), upTo)
}

// tidy moves the GIN index's pending entries into the index proper and
// refreshes the planner's statistics.
func (e pgfts) tidy(ctx context.Context) error {
	for _, index := range []string{"search_docs_tsv", "search_docs_meta"} {
		if _, err := e.db.W.ExecContext(ctx, `SELECT gin_clean_pending_list($1::regclass)`, index); err != nil {
			return err
		}
	}
	_, err := e.db.W.ExecContext(ctx, `ANALYZE search_docs`)
	return err
}

// tsvector writes a document's terms as a tsvector literal: title terms
// at positions 1…, weight A; body terms after a gap (so no phrase runs
// from one column into the next, as in FTS5), weight B; internal notes
// after another gap, weight C. Filter terms have a vector of their own
// (metaVector).
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
	return b.String()
}

// metaVector writes a document's filter terms as a tsvector literal.
func metaVector(t docTerms) string {
	var b strings.Builder
	for _, m := range t.meta {
		b.WriteString(quoteLexeme(m))
		b.WriteByte(' ')
	}
	return b.String()
}
