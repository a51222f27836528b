package search

// indexedPrefix is the longest prefix SQLite's index keeps a list for
// (search_fts's prefix indexes). A longer word being typed would have
// FTS5 merge the lists of every term it begins; it is matched by its
// first indexedPrefix letters instead, and each match checked against
// the document's stored terms. Both engines weigh a word being typed by
// those letters too, so they rank alike.
const indexedPrefix = 4

// shortened is e with every prefix cut to its first n letters; changed
// reports whether any was longer.
func shortened(e expr, n int) (out expr, changed bool) {
	return mapSeqs(e, func(s seqExpr) (expr, bool) {
		last := []rune(s.terms[len(s.terms)-1])
		if !s.prefix || len(last) <= n {
			return s, false
		}
		terms := append(append([]string(nil), s.terms[:len(s.terms)-1]...), string(last[:n]))
		return seqExpr{terms: terms, prefix: true}, true
	})
}

// holds reports whether a candidate's stored terms satisfy the text
// expression e where the viewer reads (public: title and public body).
func holds(e expr, c *candidate, public bool) bool {
	switch e := e.(type) {
	case seqExpr:
		return occurrences(e, c.title) > 0 || occurrences(e, c.body) > 0 || !public && occurrences(e, c.notes) > 0
	case andExpr:
		for _, p := range e {
			if !holds(p, c, public) {
				return false
			}
		}
		return true
	case orExpr:
		for _, p := range e {
			if holds(p, c, public) {
				return true
			}
		}
		return false
	case notExpr:
		return holds(e.pos, c, public) && !holds(e.neg, c, public)
	}
	return true // filter terms are not text: the index has matched them
}

// verifiedPages reads pages of want candidates, newest first, until want
// of them keep: page(before) reads the page below seq before (0: the
// newest).
func verifiedPages(want int, page func(before int64) ([]candidate, error), keep func(*candidate) bool) ([]candidate, error) {
	var out []candidate
	for before := int64(0); ; {
		p, err := page(before)
		if err != nil {
			return nil, err
		}
		for i := range p {
			if keep(&p[i]) {
				out = append(out, p[i])
			}
		}
		if len(out) >= want || len(p) < want {
			return out[:min(len(out), want)], nil
		}
		before = p[len(p)-1].seq
	}
}
