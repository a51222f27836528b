package search

import (
	"cmp"
	"context"
	"slices"

	"linedesk/internal/apperr"
)

// Bounds of a similarity search: the text read, the distinct words of
// it searched for, and the newest matches ranked (a few are shown, and
// any of many words matches a lot).
const (
	similarTextRunes  = 8000
	similarTerms      = 24
	similarCandidates = 200
)

// Similar finds the documents most like a text (a ticket's subject,
// description and replies, for suggested articles): documents holding
// any of the text's most frequent words, ranked by BM25 over all of
// them; a hit shares at least two of the words when the text has four
// or more (a subject being typed may share one). r.Query is unused.
func (s *Service) Similar(ctx context.Context, v Viewer, text string, r Request) (Result, error) {
	if v.Agent == nil && v.Contact == nil {
		return Result{}, apperr.Errorf(apperr.Forbidden, "a search needs an agent or a contact")
	}
	r.Page, r.PerPage, r.AnyTerm = max(r.Page, 1), min(max(r.PerPage, 1), 100), true
	q := Query{Terms: s.an.similarTerms(text)}
	if len(q.Terms) == 0 {
		return Result{Hits: []Hit{}, Query: q}, nil
	}
	return s.run(ctx, v, q, r)
}

// similarTerms picks the words of a text to search for: the indexed
// ones (stop words left out), each analyzed form once, the most frequent
// first.
func (a *Analyzer) similarTerms(text string) []Term {
	if rs := []rune(text); len(rs) > similarTextRunes {
		text = string(rs[:similarTextRunes])
	}
	type word struct {
		term  Term
		count int
	}
	byKey := map[string]*word{}
	var words []*word
	norm := Normalize(text)
	forWords(norm, func(start, end int) {
		t := Term{Text: norm[start:end]}
		g, ok := a.queryGroup(t)
		if !ok {
			return
		}
		key := renderFTS(g.expr(), false)
		if w, dup := byKey[key]; dup {
			w.count++
			return
		}
		w := &word{term: t, count: 1}
		byKey[key] = w
		words = append(words, w)
	})
	slices.SortStableFunc(words, func(x, y *word) int { return cmp.Compare(y.count, x.count) })
	out := make([]Term, 0, min(len(words), similarTerms))
	for _, w := range words[:min(len(words), similarTerms)] {
		out = append(out, w.term)
	}
	return out
}

// similarMinGroups is how many of a similarity search's words a hit
// must share: one word in common means little in a long text.
func similarMinGroups(words int) int {
	if words >= 4 {
		return 2
	}
	return 1
}
