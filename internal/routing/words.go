package routing

import (
	"slices"
	"strings"

	"linedesk/internal/search"
)

// Word conditions match analyzed terms, as search does: tokenised,
// folded and stemmed, so "принтер" finds "принтеры" and "parole" finds
// "paroli". A Latin word may be English or Latvian, so text and words
// are analyzed both ways (Cyrillic is always Russian) and a word matches
// when it does in either.
var latinLangs = []search.Lang{search.English, search.Latvian}

// analyzed is a text's terms, in order, once per Latin language.
type analyzed struct {
	seqs [2][]string
	sets [2]map[string]struct{}
	raw  string // the folded text, for words that analyze to nothing
}

func (s *Service) analyze(text string) *analyzed {
	a := &analyzed{raw: strings.ToLower(text)}
	norm := search.Normalize(text)
	for i, lang := range latinLangs {
		toks := s.analyzer.AnalyzeAs(norm, lang)
		seq := make([]string, len(toks))
		set := make(map[string]struct{}, len(toks))
		for j, t := range toks {
			seq[j] = t.Term
			set[t.Term] = struct{}{}
		}
		a.seqs[i], a.sets[i] = seq, set
	}
	return a
}

// pattern is a word or phrase of a condition, analyzed once when the
// rules are loaded.
type pattern struct {
	terms [2][]string
	raw   string
}

func (s *Service) compilePattern(text string) pattern {
	p := pattern{raw: strings.ToLower(strings.TrimSpace(text))}
	norm := search.Normalize(text)
	for i, lang := range latinLangs {
		for _, t := range s.analyzer.AnalyzeAs(norm, lang) {
			p.terms[i] = append(p.terms[i], t.Term)
		}
	}
	return p
}

// has reports whether the text holds the pattern's terms in order.
func (a *analyzed) has(p pattern) bool {
	if len(p.terms[0]) == 0 && len(p.terms[1]) == 0 {
		return p.raw != "" && strings.Contains(a.raw, p.raw) // a stop word alone: compare the text itself
	}
	for i := range latinLangs {
		terms := p.terms[i]
		if len(terms) == 0 {
			continue
		}
		if len(terms) == 1 {
			if _, ok := a.sets[i][terms[0]]; ok {
				return true
			}
			continue
		}
		if containsRun(a.seqs[i], terms) {
			return true
		}
	}
	return false
}

func containsRun(seq, run []string) bool {
	for i := 0; i+len(run) <= len(seq); i++ {
		if seq[i] == run[0] && slices.Equal(seq[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// matchWords applies a word condition's operator.
func matchWords(a *analyzed, op string, ps []pattern) bool {
	switch op {
	case OpAll:
		for _, p := range ps {
			if !a.has(p) {
				return false
			}
		}
		return len(ps) > 0
	default: // any, phrase (one pattern of several terms)
		for _, p := range ps {
			if a.has(p) {
				return true
			}
		}
		return false
	}
}
