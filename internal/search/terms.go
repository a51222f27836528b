package search

import "strings"

// Limits of one document's terms. PostgreSQL keeps positions up to 16,383
// and 256 positions per lexeme; both engines index exactly what fits
// those limits, so they find the same documents.
const (
	maxTitleTerms  = 256
	maxNotesTerms  = 4000
	maxTerms       = 16000
	maxOccurrences = 256
)

// docTerms are a document's analyzed terms by column.
type docTerms struct {
	title, body, notes []string
	meta               []string // filter terms, the kind's first
}

// countsOf is how many text terms the document has per column.
func (t docTerms) countsOf() [3]int {
	return [3]int{len(t.title), len(t.body), len(t.notes)}
}

// analyzeDoc analyzes a document: the Latin language is detected for the
// whole document, then for each part that shows its own.
func (a *Analyzer) analyzeDoc(d Document) docTerms {
	parts := a.docParts(d)
	var t docTerms
	for _, tok := range parts[0].tokens {
		t.title = append(t.title, tok.Term)
	}
	for _, p := range parts[1:] {
		for _, tok := range p.tokens {
			if p.Internal {
				t.notes = append(t.notes, tok.Term)
			} else {
				t.body = append(t.body, tok.Term)
			}
		}
	}
	t.title = t.title[:min(len(t.title), maxTitleTerms)]
	t.notes = t.notes[:min(len(t.notes), maxNotesTerms)]
	t.body = t.body[:min(len(t.body), maxTerms-len(t.title)-len(t.notes))]
	t.meta = append([]string{Facet(KeyKind, d.Kind)}, d.Facets...)
	return t
}

// analyzedPart is a part of a document with its tokens; the first of a
// document's parts is its title with its keywords.
type analyzedPart struct {
	Part
	tokens []Token
}

func (a *Analyzer) docParts(d Document) []analyzedPart {
	title := Normalize(strings.TrimSpace(d.Title + " " + d.Keywords))
	lang := docLang(d)
	out := []analyzedPart{{Part: Part{Text: title}, tokens: a.AnalyzeAs(title, detectPart(title, lang))}}
	for _, p := range d.Parts {
		text := Normalize(p.Text)
		out = append(out, analyzedPart{Part: Part{Text: text, Internal: p.Internal},
			tokens: a.AnalyzeAs(text, detectPart(text, lang))})
	}
	return out
}

// capped returns the columns with every occurrence of a term past the
// 256th replaced by "": the engines leave those positions empty.
func capped(cols ...[]string) [][]string {
	seen := map[string]int{}
	out := make([][]string, len(cols))
	for i, col := range cols {
		out[i] = col
		for j, term := range col {
			seen[term]++
			if seen[term] > maxOccurrences {
				if &out[i][0] == &col[0] {
					out[i] = append([]string(nil), col...)
				}
				out[i][j] = ""
			}
		}
	}
	return out
}

// splitTerms splits a stored column of terms.
func splitTerms(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}
