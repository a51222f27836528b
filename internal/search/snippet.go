package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// marks are the terms a hit highlights: every alternative of every
// searched term (not the excluded ones), and the prefixes being typed,
// each with the query term (group) it stands for.
type marks struct {
	terms    map[string]int
	prefixes []markPrefix
	groups   int
}

type markPrefix struct {
	prefix string
	group  int
}

func (m *marks) add(g termGroup) {
	if m.terms == nil {
		m.terms = map[string]int{}
	}
	for _, v := range g.variants {
		for i, t := range v.terms {
			if v.prefix && i == len(v.terms)-1 {
				m.prefixes = append(m.prefixes, markPrefix{t, m.groups})
			} else if _, ok := m.terms[t]; !ok {
				m.terms[t] = m.groups
			}
		}
	}
	m.groups++
}

// group returns the query term a token's term stands for.
func (m marks) group(term string) (int, bool) {
	if g, ok := m.terms[term]; ok {
		return g, true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(term, p.prefix) {
			return p.group, true
		}
	}
	return 0, false
}

func (m marks) match(term string) bool {
	_, ok := m.group(term)
	return ok
}

// snippetLength is about how many characters of text a snippet shows.
const snippetLength = 220

// highlight builds a hit's title and snippet from the document's own
// text, HTML-escaped, with the matching words in <mark>. The snippet
// comes from the part matching the most of the query's terms that the
// viewer may read (never an internal note for a customer); with no match
// in the text, it is the beginning of the first part the viewer reads.
func (a *Analyzer) highlight(d Document, m marks, internal bool) (title, snippet string) {
	lang := docLang(d)
	t := Normalize(d.Title)
	title = markText(t, a.AnalyzeAs(t, detectPart(t, lang)), m, 0, len(t))
	bestScore, bestText := -1, ""
	var bestToks []Token
	for _, p := range d.Parts {
		if bestScore >= m.groups {
			break // a part holds every term: no later one can show more
		}
		if p.Internal && !internal || strings.TrimSpace(p.Text) == "" {
			continue
		}
		text := Normalize(p.Text)
		toks := a.AnalyzeAs(text, detectPart(text, lang))
		distinct := map[int]bool{}
		for _, tok := range toks {
			if g, ok := m.group(tok.Term); ok {
				distinct[g] = true
			}
		}
		if len(distinct) > bestScore {
			bestScore, bestText, bestToks = len(distinct), text, toks
		}
	}
	if bestScore < 0 {
		return title, ""
	}
	lo, hi := window(bestText, bestToks, m)
	snippet = markText(bestText, bestToks, m, lo, hi)
	if lo > 0 {
		snippet = "…" + snippet
	}
	if hi < len(bestText) {
		snippet += "…"
	}
	return title, snippet
}

// docLang is the Latin language of a whole document, as the index
// detected it.
func docLang(d Document) Lang {
	var all strings.Builder
	all.WriteString(d.Title + " " + d.Keywords)
	for _, p := range d.Parts {
		all.WriteByte('\n')
		all.WriteString(p.Text)
	}
	return DetectLatin(Normalize(all.String()))
}

// window picks about snippetLength characters of text around its first
// matching token, cut at spaces.
func window(text string, toks []Token, m marks) (lo, hi int) {
	center := 0
	for _, tok := range toks {
		if m.match(tok.Term) {
			center = tok.Start
			break
		}
	}
	lo = back(text, center, snippetLength/3)
	hi = forward(text, lo, snippetLength)
	return lo, hi
}

// back moves up to n characters left of i and on to the next word start.
func back(text string, i, n int) int {
	j := i
	for k := 0; k < n && j > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(text[:j])
		j -= size
	}
	if j == 0 {
		return 0
	}
	if sp := strings.IndexFunc(text[j:i], unicode.IsSpace); sp >= 0 {
		return j + sp + 1
	}
	return j
}

// forward moves n characters right of i, back to the last space if any.
func forward(text string, i, n int) int {
	j := i
	for k := 0; k < n && j < len(text); k++ {
		_, size := utf8.DecodeRuneInString(text[j:])
		j += size
	}
	if j >= len(text) {
		return len(text)
	}
	if sp := strings.LastIndexFunc(text[i:j], unicode.IsSpace); sp > 0 {
		return i + sp
	}
	return j
}

// markText escapes text[lo:hi] and wraps the spans of matching tokens in
// <mark>; overlapping spans (an address and its parts) merge.
func markText(text string, toks []Token, m marks, lo, hi int) string {
	var found []span
	for _, tok := range toks {
		if tok.End > lo && tok.Start < hi && m.match(tok.Term) {
			found = append(found, span{max(tok.Start, lo), min(tok.End, hi)})
		}
	}
	slices.SortFunc(found, func(a, b span) int { return a.lo - b.lo })
	var spans []span
	for _, s := range found {
		if n := len(spans); n > 0 && s.lo <= spans[n-1].hi {
			spans[n-1].hi = max(spans[n-1].hi, s.hi)
			continue
		}
		spans = append(spans, s)
	}
	var b strings.Builder
	at := lo
	for _, s := range spans {
		b.WriteString(html.EscapeString(text[at:s.lo]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.lo:s.hi]))
		b.WriteString("</mark>")
		at = s.hi
	}
	b.WriteString(html.EscapeString(text[at:hi]))
	return collapseSpace(b.String())
}

// collapseSpace folds runs of white space (line breaks of an e-mail) into
// one space, as a one-line snippet shows them.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
