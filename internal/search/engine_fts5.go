package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"linedesk/internal/db"
)

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

// ftsTableSQL is search_fts as Linedesk writes it now: terms are written
// by Linedesk's analyzer, separated by spaces, and the tokenizer only
// splits them again ('~' starts filter terms, in meta); prefix indexes of
// three and four characters serve the word being typed, which would
// otherwise merge the lists of every term it begins.
const ftsTableSQL = `CREATE VIRTUAL TABLE search_fts USING fts5(title, body, notes, meta, content = '', contentless_delete = 1,
	prefix = '3 4', tokenize = "unicode61 remove_diacritics 0 tokenchars '._@-:/\#+~'")`

// upgrade gives search_fts its current form. An FTS5 table's options
// cannot change and this one keeps no content to copy, so it is made
// anew, empty, when the index is empty anyway or a rebuild is about to
// fill it; otherwise it stays as it is, and current is false.
func (e fts5) upgrade(ctx context.Context, rebuilding bool) (current bool, err error) {
	var ddl string
	if err := e.db.R.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'search_fts'`).Scan(&ddl); err != nil {
		return false, fmt.Errorf("search index form: %w", err)
	}
	if strings.Contains(ddl, "prefix") {
		return true, nil
	}
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		if !rebuilding {
			if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM search_docs)`).Scan(&current); err != nil || !current {
				return err
			}
		}
		current = true
		for _, q := range []string{`DROP TABLE search_fts`, ftsTableSQL, `DELETE FROM search_docs`,
			`UPDATE search_stats SET docs = 0, title_count = 0, body_count = 0, notes_count = 0`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("renew the search index: %w", err)
	}
	return current, nil
}

const (
	matchFTSSQL = `SELECT ` + candidateColumns + ` FROM search_fts f JOIN search_docs d ON d.seq = f.rowid
		WHERE search_fts MATCH $1 ORDER BY f.rowid DESC LIMIT $2`
	matchFTSBeforeSQL = `SELECT ` + candidateColumns + ` FROM search_fts f JOIN search_docs d ON d.seq = f.rowid
		WHERE search_fts MATCH $1 AND f.rowid < $3 ORDER BY f.rowid DESC LIMIT $2`
)

// match reads the newest matches by rowid. A word being typed that is
// longer than the prefix indexes is matched by its indexed prefix, and
// the matches are checked against the whole word, page after page until
// limit of them hold.
func (e fts5) match(ctx context.Context, m matching, limit, _ int) ([]candidate, error) {
	loose, changed := shortened(m.text, indexedPrefix)
	if !changed {
		return queryCandidates(ctx, e.db.R, matchFTSSQL, renderFTS(m.whole(), m.public), limit)
	}
	wide := m
	wide.text = loose
	query := renderFTS(wide.whole(), m.public)
	return verifiedPages(limit, func(before int64) ([]candidate, error) {
		if before == 0 {
			return queryCandidates(ctx, e.db.R, matchFTSSQL, query, limit)
		}
		return queryCandidates(ctx, e.db.R, matchFTSBeforeSQL, query, limit, before)
	}, func(c *candidate) bool { return holds(m.text, c, m.public) })
}

func (e fts5) count(ctx context.Context, x expr, upTo int) (int, error) {
	return countUpTo(ctx, e.db.R, `SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH $1 LIMIT $2) m`,
		renderFTS(x, false), upTo)
}

// tidy merges FTS5's segments into one, which its queries read fastest.
func (e fts5) tidy(ctx context.Context) error {
	_, err := e.db.W.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`)
	return err
}
