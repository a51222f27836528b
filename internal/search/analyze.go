// Package search is Linedesk's full-text search: one analyzer in Go
// (tokenise, fold, drop stop words, stem Russian, English and Latvian)
// whose tokens are indexed in SQLite FTS5 or PostgreSQL full-text, a query
// language parsed into a tree, ranking computed in Go so both databases
// answer alike, and permissions applied inside every query.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Lang is the language a word is stemmed as.
type Lang string

// The languages the analyzer stems.
const (
	English Lang = "en"
	Russian Lang = "ru"
	Latvian Lang = "lv"
)

// Token is one indexed term and the span of the text it came from.
type Token struct {
	Term       string
	Start, End int // byte offsets in the normalised text
}

// maxTermBytes drops longer terms (base64 blobs, pasted hashes): no one
// searches for them, and PostgreSQL limits a lexeme's length.
const maxTermBytes = 120

// Analyzer turns text into index terms. It is safe for concurrent use and
// remembers the stems it computed.
type Analyzer struct {
	stems *stemCache
}

// NewAnalyzer returns an analyzer.
func NewAnalyzer() *Analyzer {
	return &Analyzer{stems: newStemCache(200_000)}
}

// Normalize is the form of text the analyzer reads and token offsets
// refer to: Unicode NFC.
func Normalize(text string) string {
	if norm.NFC.IsNormalString(text) {
		return text
	}
	return norm.NFC.String(text)
}

// Analyze returns the terms of text, detecting the language of its Latin
// words; Cyrillic words are always Russian. text must be Normalized.
func (a *Analyzer) Analyze(text string) []Token {
	return a.AnalyzeAs(text, DetectLatin(text))
}

// AnalyzeAs returns the terms of text, stemming Latin words without
// Latvian letters as latin (English or Latvian).
func (a *Analyzer) AnalyzeAs(text string, latin Lang) []Token {
	var out []Token
	forChunks(text, func(start int, chunk string) {
		out = a.chunkTokens(out, start, chunk, latin)
	})
	return out
}

// chunkTokens appends the terms of one chunk: a run of text without
// spaces or hard punctuation, such as "user@x.lv," or "ERR_CONNECTION_RESET".
func (a *Analyzer) chunkTokens(out []Token, start int, chunk string, latin Lang) []Token {
	lo, hi := trimChunk(chunk)
	if lo >= hi {
		return out
	}
	core := chunk[lo:hi]
	at := start + lo
	wholes, words := technical(core)
	for _, w := range wholes {
		if term := strings.ToLower(core[w.lo:w.hi]); validWhole(term) {
			out = append(out, Token{Term: term, Start: at + w.lo, End: at + w.hi})
		}
	}
	if !words {
		return out
	}
	forWords(core, func(ws, we int) {
		if term := a.word(core[ws:we], latin); term != "" {
			out = append(out, Token{Term: term, Start: at + ws, End: at + we})
		}
	})
	return out
}

// word folds, filters and stems one word; "" when it is a stop word.
func (a *Analyzer) word(w string, latin Lang) string {
	f := foldWord(w)
	if f == "" || len(f) > maxTermBytes {
		return ""
	}
	lang := wordLang(f, latin)
	if isStopWord(lang, f) {
		return ""
	}
	if strings.ContainsFunc(f, unicode.IsDigit) {
		return f
	}
	return a.stems.stem(lang, f)
}

// wordLang is the language a folded word is stemmed as: Cyrillic is
// Russian, a word with Latvian letters Latvian, other Latin words the
// text's Latin language, anything else is only folded.
func wordLang(f string, latin Lang) Lang {
	r, _ := utf8.DecodeRuneInString(f)
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		return Russian
	case hasLatvianLetter(f):
		return Latvian
	case unicode.Is(unicode.Latin, r):
		return latin
	}
	return ""
}

// foldWord lower-cases a word, folds ё to е, and drops apostrophes and
// combining marks left after NFC.
func foldWord(w string) string {
	if folded(w) {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r == '\'' || r == '’' || unicode.Is(unicode.M, r):
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// folded reports whether foldWord would return w as it is: ASCII lower
// case and digits (most words of most text), or lower-case letters that
// need no folding.
func folded(w string) bool {
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r < utf8.RuneSelf:
			return false
		case r == 'ё' || r == '’' || !unicode.IsLower(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}

// validWhole reports whether a technical term holds only characters both
// full-text engines keep inside one token.
func validWhole(term string) bool {
	if term == "" || len(term) > maxTermBytes {
		return false
	}
	for _, r := range term {
		if !isWordRune(r) && !strings.ContainsRune(wholeChars, r) {
			return false
		}
		if unicode.Is(unicode.M, r) {
			return false
		}
	}
	return true
}

// wholeChars are the punctuation a technical token keeps (FTS5 is told to
// treat them as token characters; "~" is kept for filter terms only).
const wholeChars = `._@-:/\#+`

// isWordRune reports whether r is part of a word: letters, digits and the
// marks NFC leaves attached to them.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

// forWords calls fn with the byte spans of the words in s: runs of
// letters and digits, apostrophes inside a word included ("don't").
func forWords(s string, fn func(start, end int)) {
	start := -1
	for i, r := range s {
		inWord := isWordRune(r)
		if !inWord && start >= 0 && (r == '\'' || r == '’') {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			inWord = isWordRune(next)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			fn(start, i)
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(s))
	}
}
