package routing

import (
	"slices"
	"strings"
	"unicode"

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
	seqs  [2][]string
	sets  [2]map[string]struct{}
	raw   string      // the folded text, for words that analyze to nothing
	text  string      // the text itself, for phraseWords
	words [2][]string // every word stemmed, stop words kept (phrases); nil until asked
}

func (s *Service) analyze(text string) *analyzed {
	a := &analyzed{raw: strings.ToLower(text), text: text}
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

// phraseWords are the words of text, each stemmed as the analyzer does
// but with stop words kept as they are: in a phrase they count ("не
// печатает" is not "печатает").
func (s *Service) phraseWords(text string, lang search.Lang) []string {
	var out []string
	for _, w := range strings.FieldsFunc(search.Normalize(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		toks := s.analyzer.AnalyzeAs(w, lang)
		if len(toks) == 0 {
			out = append(out, strings.ReplaceAll(strings.ToLower(w), "ё", "е"))
		}
		for _, t := range toks {
			out = append(out, t.Term)
		}
	}
	return out
}

// pattern is a word or phrase of a condition, analyzed once when the
// rules are loaded.
type pattern struct {
	terms  [2][]string
	phrase [2][]string // for a phrase: its words, stop words kept
	raw    string
}

func (s *Service) compilePhrase(text string) pattern {
	p := s.compilePattern(text)
	for i, lang := range latinLangs {
		p.phrase[i] = s.phraseWords(text, lang)
	}
	return p
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

// hasPhrase reports whether the text holds the phrase's words in order,
// stop words included.
func (s *Service) hasPhrase(a *analyzed, p pattern) bool {
	for i, lang := range latinLangs {
		if a.words[i] == nil {
			a.words[i] = s.phraseWords(a.text, lang)
		}
		if len(p.phrase[i]) > 0 && containsRun(a.words[i], p.phrase[i]) {
			return true
		}
	}
	return false
}

// matchWords applies a word condition's operator.
func (s *Service) matchWords(a *analyzed, op string, ps []pattern) bool {
	switch op {
	case OpPhrase:
		return len(ps) == 1 && s.hasPhrase(a, ps[0])
	case OpAll:
		for _, p := range ps {
			if !a.has(p) {
				return false
			}
		}
		return len(ps) > 0
	default: // any
		for _, p := range ps {
			if a.has(p) {
				return true
			}
		}
		return false
	}
}
