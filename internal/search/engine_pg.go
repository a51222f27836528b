package search

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"linedesk/internal/db"
)

// pgfts is the PostgreSQL engine: search_docs.tsv, a tsvector Linedesk
// builds from the same terms with the positions FTS5 gives them, with the
// filter terms and the document's seq bucket, under a GIN index.
type pgfts struct{ db *db.DB }

// nextSeqs reserves n seqs, in order.
func nextSeqs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT nextval('search_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("reserve seqs: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		out = append(out, seq)
	}
	return out, rows.Err()
}

func (e pgfts) find(ctx context.Context, tx *sql.Tx, kind string, ref int64) (stored, bool, error) {
	return findStored(ctx, tx, findStoredSQL+` FOR UPDATE`, kind, ref)
}

const (
	pgInsertSQL = `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at, is_open, indexed_at,
		seq, tsv) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::tsvector) ON CONFLICT (kind, ref_id) DO NOTHING`
	pgUpdateSQL = `UPDATE search_docs SET title_terms = $3, body_terms = $4, notes_terms = $5, sort_at = $6, is_open = $7,
		indexed_at = $8, seq = $9, tsv = $10::tsvector WHERE kind = $1 AND ref_id = $2`
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
	seqs, err := nextSeqs(ctx, tx, len(rows))
	if err != nil {
		return nil, err
	}
	var args []any
	for i, r := range rows {
		args = append(args, append(docArgs(r), seqs[i], tsvector(r.terms, seqs[i]))...)
	}
	res, err := tx.QueryContext(ctx, `INSERT INTO search_docs (kind, ref_id, title_terms, body_terms, notes_terms, sort_at,
		is_open, indexed_at, seq, tsv) VALUES `+values(len(rows), 10, "", "", "", "", "", "", "", "", "", "tsvector")+`
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
	seqs, err := nextSeqs(ctx, tx, 1)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, query, r.kind, r.ref, strings.Join(t.title, " "), strings.Join(t.body, " "),
		strings.Join(t.notes, " "), r.sortAt, r.open, r.indexedAt, seqs[0], tsvector(t, seqs[0]))
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

// match asks for the matches among the newest seq buckets first: a
// common term matches thousands of documents, the GIN index gives them
// in no useful order, and every one would be read from the table to find
// the newest. With the buckets' terms in the query the index itself
// keeps only the documents of those buckets (it skips through the
// common term's entries to the few buckets' ones), and with the filter
// terms' bucket twins it reads only the short lists of what the viewer
// may see there. When the counted frequencies say the matches are few
// (expect), or the buckets hold too few, the whole index is asked.
func (e pgfts) match(ctx context.Context, m matching, limit, expect int) ([]candidate, error) {
	var out []candidate
	err := e.read(ctx, func(tx *sql.Tx, ix pgIndex) error {
		// fetch reads the newest want matches of the range (nil buckets:
		// the whole index).
		fetch := func(buckets []int64, want int) ([]candidate, error) {
			query, verify := ix.render(m, buckets)
			if !verify {
				return queryCandidates(ctx, tx, pgMatchSQL, query, want)
			}
			return verifiedPages(want, func(before int64) ([]candidate, error) {
				if before == 0 {
					return queryCandidates(ctx, tx, pgMatchSQL, query, want)
				}
				return queryCandidates(ctx, tx, pgMatchBeforeSQL, query, want, before)
			}, func(c *candidate) bool { return holds(m.text, c, m.public) })
		}
		if expect == 0 || expect >= fewMatches*limit {
			// Each round's buckets are older than the last's: their
			// candidates come after those already found.
			done, err := bucketRounds(ix.top, limit, func(buckets []int64, want int) (int, error) {
				more, err := fetch(buckets, want)
				out = append(out, more...)
				return len(more), err
			})
			if done || err != nil {
				return err
			}
		}
		var err error
		out, err = fetch(nil, limit)
		return err
	})
	return out, err
}

// The candidates are ordered by seq + 0, an expression, so the planner
// does not walk the seq index testing each row's vector.
const (
	pgMatchSQL = `SELECT ` + candidateColumns + ` FROM search_docs d WHERE d.tsv @@ $1::tsquery
		ORDER BY d.seq + 0 DESC LIMIT $2`
	pgMatchBeforeSQL = `SELECT ` + candidateColumns + ` FROM search_docs d WHERE d.tsv @@ $1::tsquery AND d.seq + 0 < $3
		ORDER BY d.seq + 0 DESC LIMIT $2`
)

// count counts in the newest buckets first too: a common term reaches
// upTo there, and only a rarer one is counted over the whole index, where
// its short list is cheap to read. (What it counts, a group's words and
// prefixes of at most four letters, its prefix terms match exactly.)
func (e pgfts) count(ctx context.Context, x expr, upTo int) (int, error) {
	const query = `SELECT count(*) FROM (SELECT 1 FROM search_docs WHERE tsv @@ $1::tsquery LIMIT $2) m`
	var n int
	err := e.read(ctx, func(tx *sql.Tx, ix pgIndex) error {
		m := matching{text: x}
		done, err := bucketRounds(ix.top, upTo, func(buckets []int64, want int) (int, error) {
			q, _ := ix.render(m, buckets)
			k, err := countUpTo(ctx, tx, query, q, want)
			n += k
			return k, err
		})
		if done || err != nil {
			return err
		}
		q, _ := ix.render(m, nil)
		n, err = countUpTo(ctx, tx, query, q, upTo)
		return err
	})
	return n, err
}

// read runs f in a read-only transaction that plans each query for its
// own terms (a plan made for parameters in general cannot tell a rare
// term from a common one), with the state of the index.
func (e pgfts) read(ctx context.Context, f func(tx *sql.Tx, ix pgIndex) error) error {
	tx, err := e.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	var ix pgIndex
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(max(seq), 0) FROM search_docs),
		(SELECT COALESCE(min(seq), 0) FROM search_docs), form_from FROM search_stats WHERE id = 1`).
		Scan(&ix.top, &ix.bottom, &ix.formFrom); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return f(tx, ix)
}

// upgrade has nothing to do: documents written before the facet twins
// are searched as they are (see pgIndex).
func (e pgfts) upgrade(context.Context, bool) (bool, error) { return true, nil }

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
// after another gap, weight C; then, without positions, the prefix terms
// of its words' first three and four letters, the filter terms, the seq's
// bucket term and each filter term's bucket twin.
func tsvector(t docTerms, seq int64) string {
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
	prefixes := map[string]bool{}
	for _, term := range order {
		b.WriteString(quoteLexeme(term))
		b.WriteByte(':')
		b.WriteString(strings.Join(pos[term], ","))
		b.WriteByte(' ')
		if r := []rune(term); len(r) >= minPrefix {
			prefixes[prefixTerm(string(r[:minPrefix]), minPrefix)] = true
			if len(r) >= indexedPrefix {
				prefixes[prefixTerm(string(r[:indexedPrefix]), indexedPrefix)] = true
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(prefixes)) {
		b.WriteString(quoteLexeme(p))
		b.WriteByte(' ')
	}
	bucket := seq >> bucketBits
	for _, m := range t.meta {
		b.WriteString(quoteLexeme(m))
		b.WriteByte(' ')
		if twin := facetTwin(m, bucket); twin != m {
			b.WriteString(quoteLexeme(twin))
			b.WriteByte(' ')
		}
	}
	b.WriteString(quoteLexeme(bucketTerm(bucket)))
	return b.String()
}
