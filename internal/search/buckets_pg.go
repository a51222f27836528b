package search

import (
	"slices"
	"strconv"
)

// bucketBits sizes PostgreSQL's seq buckets: each document's vector holds
// the term ~b:<seq >> bucketBits>, so a search can ask the GIN index for
// the matches among the newest documents only. (A variable for tests
// only.)
var bucketBits = 14

func bucketTerm(bucket int64) string { return "~b:" + strconv.FormatInt(bucket, 10) }

func bucketTerms(buckets []int64) []string {
	out := make([]string, len(buckets))
	for i, b := range buckets {
		out[i] = bucketTerm(b)
	}
	return out
}

// facetTwin is a filter term joined to a bucket: "~g:3@110" is in the
// documents of group 3 in bucket 110. A ticket number is in one document
// and has no twin.
func facetTwin(term string, bucket int64) string {
	if facetKey(term) == KeyNumber {
		return term
	}
	return term + "@" + strconv.FormatInt(bucket, 10)
}

// pgIndex is the state of PostgreSQL's index a search reads: the newest
// and the oldest seq, and the first seq whose documents carry the terms
// of the current form (filter-term twins, word prefixes).
type pgIndex struct {
	top, bottom, formFrom int64
}

// render writes the match for the newest buckets given, or for the whole
// index when buckets is nil. Where every document there has the current
// form, the filter is asked through twins ("may see it, and in one of
// these buckets" becomes one short list per access term and bucket,
// where the plain terms' lists run through the whole index) and a word
// being typed through its prefix term; verify reports that the matches
// are then to be checked against the text (see prefixTerms).
func (ix pgIndex) render(m matching, buckets []int64) (query string, verify bool) {
	var in expr
	oldest := ix.bottom
	if buckets != nil {
		in, oldest = anyFacet(bucketTerms(buckets)), buckets[len(buckets)-1]<<bucketBits
	}
	if oldest < ix.formFrom {
		return renderTSQuery(m.whole(), m.public, in), false
	}
	m.text, verify = prefixTerms(m.text, m.public)
	if buckets != nil {
		if f, ok := twinned(m.filter, buckets); ok {
			m.filter, in = f, nil
		}
	}
	return renderTSQuery(m.whole(), m.public, in), verify
}

// prefixTerm is the term PostgreSQL's vectors hold for the first n
// letters of their words: "~4:prin" (n is 3 or 4).
func prefixTerm(word string, n int) string { return "~" + strconv.Itoa(n) + ":" + word }

// prefixTerms is the text expression e with each word being typed asked
// through its prefix term: of its first four letters at most, and after
// the words before it anywhere in the document. loose reports that the
// terms match more than e (a longer word, words out of order, or a word
// only in internal notes for a viewer who reads public text only), so
// that matches are to be checked against e.
func prefixTerms(e expr, public bool) (out expr, loose bool) {
	return mapSeqs(e, func(s seqExpr) (expr, bool) {
		last := []rune(s.terms[len(s.terms)-1])
		if !s.prefix || len(last) < minPrefix {
			return s, false
		}
		n := min(len(last), indexedPrefix)
		var p expr = facetExpr{prefixTerm(string(last[:n]), n)}
		if len(s.terms) > 1 {
			p = and(seqExpr{terms: s.terms[:len(s.terms)-1]}, p)
		}
		return p, public || len(last) > n || len(s.terms) > 1
	})
}

// twinned is the filter expression e limited to the buckets through
// twins: a filter term becomes any of its twins, an alternative holds
// when each of its branches is twinned, and a conjunction when one of its
// parts is (the first that can be). ok is false when e cannot be.
func twinned(e expr, buckets []int64) (expr, bool) {
	switch e := e.(type) {
	case nil:
		return nil, false
	case facetExpr:
		if facetKey(e.term) == KeyNumber {
			return nil, false
		}
		twins := make([]string, len(buckets))
		for i, b := range buckets {
			twins[i] = facetTwin(e.term, b)
		}
		return anyFacet(twins), true
	case orExpr:
		out := make(orExpr, len(e))
		for i, part := range e {
			t, ok := twinned(part, buckets)
			if !ok {
				return nil, false
			}
			out[i] = t
		}
		return out, true
	case andExpr:
		for i, part := range e {
			if t, ok := twinned(part, buckets); ok {
				out := slices.Clone(e)
				out[i] = t
				return out, true
			}
		}
	case notExpr:
		if pos, ok := twinned(e.pos, buckets); ok {
			return notExpr{pos: pos, neg: e.neg}, true
		}
	}
	return nil, false
}

// fewMatches: when fewer than fewMatches times the documents wanted
// match in all, reading them all is cheaper than asking bucket by bucket.
const fewMatches = 8

// bucketRounds asks try for the matches among the newest seq buckets,
// two first, then older ones, until they add up to want: each round's
// buckets are as many as should hold about one and a half times want at
// the density found so far, and try is told how many are still wanted.
// It returns false when the matches are too few in all for buckets to
// help: the whole index is to be asked.
func bucketRounds(top int64, want int, try func(buckets []int64, want int) (int, error)) (bool, error) {
	last := top >> bucketBits
	held := func(n int64) int64 { return top - (last-n+1)<<bucketBits + 1 } // seqs in the n newest buckets
	found := 0
	for asked, n := int64(0), int64(2); n <= last; {
		var buckets []int64
		for b := last - asked; b > last-n; b-- {
			buckets = append(buckets, b)
		}
		k, err := try(buckets, want-found)
		if err != nil {
			return false, err
		}
		if found += k; found >= want {
			return true, nil
		}
		h := held(n)
		if int64(found)*top/h < fewMatches*int64(want) {
			return false, nil
		}
		need := 3 * int64(want) * h / (2 * int64(found)) // more than h: found < want
		asked = n
		for n <= last && held(n) < need {
			n++
		}
	}
	return false, nil
}
