package search

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// BM25 parameters, and how much more a term in the title counts.
const (
	bm25K1      = 1.2
	bm25B       = 0.75
	titleWeight = 2.0
)

// candidate is a matching document as ranking sees it.
type candidate struct {
	seq                int64
	kind               string
	ref                int64
	title, body, notes string // the stored terms, space-separated
	sortAt             time.Time
	open               bool
	score              float64
}

// candidateColumns are what ranking reads of a match (alias d: search_docs).
const candidateColumns = `d.seq, d.kind, d.ref_id, d.title_terms, d.body_terms, d.notes_terms, d.sort_at, d.is_open`

// weights are what ranking needs of the whole index: each term group's
// idf, from the documents it matches (df, counted up to DocFreqUpTo),
// and the average document length.
type weights struct {
	df  []int
	idf []float64
	avg float64
}

// weigh counts the plan's term groups before the match, so that the
// match knows when its text can match few documents.
func (s *Service) weigh(ctx context.Context, p plan) (weights, error) {
	if len(p.groups) == 0 {
		return weights{}, nil
	}
	col, err := s.collection(ctx)
	if err != nil {
		return weights{}, err
	}
	w := weights{avg: avgLength(col, !p.public)}
	if w.df, err = s.docFreqs(ctx, p); err != nil {
		return weights{}, err
	}
	for _, df := range w.df {
		n := math.Max(float64(col.docs), float64(df))
		w.idf = append(w.idf, math.Log(1+(n-float64(df)+0.5)/(float64(df)+0.5)))
	}
	return w, nil
}

// expect is how many documents the plan's text matches at most, from
// the counts; 0 when they cannot tell (no text, or counts that reached
// the cap).
func (w weights) expect(p plan, upTo int) int {
	if len(w.df) == 0 {
		return 0
	}
	least, sum := upTo, 0
	for _, df := range w.df {
		least, sum = min(least, df), sum+df
	}
	switch {
	case p.minGroups > 0 && slices.Contains(w.df, upTo): // any term: each may match many
		return 0
	case p.minGroups > 0:
		return max(sum, 1)
	case least < upTo: // every term: no more than the rarest
		return max(least, 1)
	}
	return 0
}

// rank scores the candidates with BM25F over their columns (the title
// weighted, internal notes only for viewers who read them) and orders
// them: best first, then open before closed, then fresher, then by id.
// Everything it uses is read from the index the same way on both
// databases, and computed here, so both rank alike.
func (s *Service) rank(p plan, w weights, cands []candidate, newest bool) {
	if len(p.groups) > 0 {
		for i := range cands {
			cands[i].score = bm25(p, w.idf, w.avg, &cands[i])
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int { return order(a, b, newest) })
}

// order is a total order, so any sort gives the same result.
func order(a, b candidate, newest bool) int {
	switch {
	case !newest && a.score != b.score:
		return cmpDesc(a.score, b.score)
	case a.open != b.open && !newest:
		if a.open {
			return -1
		}
		return 1
	case !a.sortAt.Equal(b.sortAt):
		return b.sortAt.Compare(a.sortAt)
	case a.kind != b.kind:
		return strings.Compare(a.kind, b.kind)
	}
	return cmpDesc(a.ref, b.ref)
}

func cmpDesc[T int64 | float64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func avgLength(c collection, notes bool) float64 {
	if c.docs == 0 {
		return 1
	}
	n := titleWeight*float64(c.title) + float64(c.body)
	if notes {
		n += float64(c.notes)
	}
	return math.Max(n/float64(c.docs), 1)
}

// docFreqs counts the documents each term group matches, up to
// DocFreqUpTo, remembered for DocFreqTTL. A phrase counts as its words:
// the documents that hold them all (as BM25 engines commonly weigh a
// phrase by its words), which the index counts without reading a
// document, and which phrases and queries of the same words share.
func (s *Service) docFreqs(ctx context.Context, p plan) ([]int, error) {
	out := make([]int, len(p.groups))
	for i, g := range p.groups {
		e := g.wordsExpr()
		key := renderFTS(e, false)
		df, ok := s.df.get(key)
		if !ok {
			var err error
			if df, err = s.eng.count(ctx, e, s.cfg.DocFreqUpTo); err != nil {
				return nil, err
			}
			s.df.put(key, df)
		}
		out[i] = df
	}
	return out, nil
}

func bm25(p plan, idf []float64, avg float64, c *candidate) float64 {
	length := titleWeight*float64(termCount(c.title)) + float64(termCount(c.body))
	if !p.public {
		length += float64(termCount(c.notes))
	}
	norm := bm25K1 * (1 - bm25B + bm25B*length/avg)
	score := 0.0
	for i, g := range p.groups {
		tf := 0.0
		for _, v := range g.variants {
			tf += titleWeight*float64(occurrences(v, c.title)) + float64(occurrences(v, c.body))
			if !p.public {
				tf += float64(occurrences(v, c.notes))
			}
		}
		if tf > 0 {
			score += idf[i] * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	// Rounded, so that ties are ties whatever the order of the sums.
	return math.Round(score*1e9) / 1e9
}

// matchedGroups is how many of the plan's term groups a candidate holds
// where the viewer reads.
func matchedGroups(p plan, c *candidate) int {
	n := 0
	for _, g := range p.groups {
		for _, v := range g.variants {
			if occurrences(v, c.title) > 0 || occurrences(v, c.body) > 0 || !p.public && occurrences(v, c.notes) > 0 {
				n++
				break
			}
		}
	}
	return n
}

// termCount is how many terms a stored column holds.
func termCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, " ") + 1
}

// occurrences counts where the sequence appears in a stored column, read
// in place: terms are whole between spaces, but the last one of a prefix
// sequence only has to begin there.
func occurrences(v seqExpr, terms string) int {
	needle := strings.Join(v.terms, " ")
	n := 0
	for at := 0; at+len(needle) <= len(terms); {
		i := strings.Index(terms[at:], needle)
		if i < 0 {
			break
		}
		i += at
		end := i + len(needle)
		if (i == 0 || terms[i-1] == ' ') && (v.prefix || end == len(terms) || terms[end] == ' ') {
			n++
		}
		at = i + 1
	}
	return n
}
