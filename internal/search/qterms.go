package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxVariants bounds how many spellings of a phrase a query tries: each
// Latin word may be English or Latvian, and a phrase of many such words
// would try every combination.
const maxVariants = 16

// minPrefix is the shortest word being typed that is matched as a prefix.
const minPrefix = 3

// termGroup is one term of a query as the index sees it: the term
// sequences any of which satisfies it (stems in both Latin languages, a
// prefix while typing).
type termGroup struct {
	variants []seqExpr
}

func (g termGroup) expr() expr {
	parts := make([]expr, len(g.variants))
	for i, v := range g.variants {
		parts[i] = v
	}
	return or(parts...)
}

// wordsExpr is the group as its document frequency is counted: each
// phrase loosened to its words, all of them anywhere in the document, and
// a word being typed cut to the letters the index keeps prefixes of.
func (g termGroup) wordsExpr() expr {
	parts := make([]expr, len(g.variants))
	for i, v := range g.variants {
		words := make([]expr, len(v.terms))
		for j, t := range v.terms {
			words[j] = seqExpr{terms: []string{t}, prefix: v.prefix && j == len(v.terms)-1}
		}
		parts[i] = and(words...)
	}
	e, _ := shortened(or(parts...), indexedPrefix)
	return e
}

// queryGroup analyzes one term of a query; ok is false when nothing of it
// is indexed (stop words, punctuation).
func (a *Analyzer) queryGroup(t Term) (termGroup, bool) {
	text := Normalize(t.Text)
	var positions [][]string
	forChunks(text, func(_ int, chunk string) {
		positions = append(positions, a.chunkAlternatives(chunk, t.Phrase)...)
	})
	var g termGroup
	for _, seq := range variants(positions, DetectLatin(text)) {
		g.variants = append(g.variants, seqExpr{terms: seq})
	}
	if t.Prefix {
		if v, ok := prefixVariant(text, g.variants); ok {
			g.variants = append(g.variants, v)
		}
	}
	return g, len(g.variants) > 0
}

// prefixVariant is the word being typed as a prefix: the last word of
// the text folded as the index folds it, after the terms before it
// ("e-pas" is "e" then any term beginning "pas").
func prefixVariant(text string, vs []seqExpr) (seqExpr, bool) {
	var last span
	forWords(text, func(s, e int) { last = span{s, e} })
	whole := prefixOf(text)
	switch {
	case whole != "" && (len(vs) == 0 || len(vs[0].terms) <= 1):
		return seqExpr{terms: []string{whole}, prefix: true}, true
	case len(vs) == 0 || last.hi == 0:
		return seqExpr{}, false
	}
	p := prefixOf(text[last.lo:last.hi])
	if p == "" {
		return seqExpr{}, false
	}
	terms := append(slices.Clone(vs[0].terms[:len(vs[0].terms)-1]), p)
	return seqExpr{terms: terms, prefix: true}, true
}

// chunkAlternatives returns the term positions of one chunk, each with
// its alternatives. A word of the query that is one technical token (an
// address, a path, an error code) is searched as that token, and other
// words as their words; in a phrase a chunk gives exactly the terms the
// index holds for it, so the phrase's terms stay neighbours.
func (a *Analyzer) chunkAlternatives(chunk string, phrase bool) [][]string {
	lo, hi := trimChunk(chunk)
	if lo >= hi {
		return nil
	}
	core := chunk[lo:hi]
	wholes, words := technical(core)
	var out [][]string
	for _, w := range wholes {
		term := strings.ToLower(core[w.lo:w.hi])
		switch {
		case !validWhole(term):
		case !phrase && w == (span{0, len(core)}):
			return [][]string{{term}}
		case phrase || !words:
			out = append(out, []string{term})
		}
	}
	if !words {
		return out
	}
	forWords(core, func(s, e int) {
		if alts := a.alternatives(core[s:e]); len(alts) > 0 {
			out = append(out, alts)
		}
	})
	return out
}

// alternatives are the terms a word of a query may be indexed as: one
// stem for Cyrillic words and words with Latvian letters, the English and
// the Latvian stem for other Latin words (a query is too short to tell
// its language; documents are indexed in the language they are written
// in, so the query tries both).
func (a *Analyzer) alternatives(w string) []string {
	f := foldWord(w)
	if f == "" || len(f) > maxTermBytes {
		return nil
	}
	lang := wordLang(f, English)
	if isStopWord(lang, f) {
		return nil
	}
	if strings.ContainsFunc(f, unicode.IsDigit) {
		return []string{f}
	}
	if lang != English {
		return []string{a.stems.stem(lang, f)}
	}
	en, lv := a.stems.stem(English, f), a.stems.stem(Latvian, f)
	if en == lv {
		return []string{en}
	}
	return []string{en, lv}
}

// variants expands term positions with alternatives into the term
// sequences to try. Past maxVariants, each Latin word takes the stem of
// the language the text reads as.
func variants(positions [][]string, lang Lang) [][]string {
	if len(positions) == 0 {
		return nil
	}
	n := 1
	for _, alts := range positions {
		n *= len(alts)
		if n > maxVariants {
			return [][]string{pick(positions, lang)}
		}
	}
	out := [][]string{nil}
	for _, alts := range positions {
		var next [][]string
		for _, prefix := range out {
			for _, alt := range alts {
				next = append(next, append(slices.Clone(prefix), alt))
			}
		}
		out = next
	}
	return out
}

// pick takes one alternative per position: the Latvian stem (second) for
// Latvian text, else the first.
func pick(positions [][]string, lang Lang) []string {
	out := make([]string, len(positions))
	for i, alts := range positions {
		out[i] = alts[0]
		if lang == Latvian {
			out[i] = alts[len(alts)-1]
		}
	}
	return out
}

// prefixOf is the prefix a word being typed matches: the word folded as
// the index folds it (Latvian letters folded, as Latvian stems are), at
// least minPrefix characters.
func prefixOf(text string) string {
	lo, hi := trimChunk(text)
	if lo >= hi {
		return ""
	}
	p := foldWord(text[lo:hi])
	if hasLatvianLetter(p) {
		p = FoldLatvian(p)
	}
	if utf8.RuneCountInString(p) < minPrefix || !validWhole(p) {
		return ""
	}
	return p
}
