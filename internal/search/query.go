package search

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"linedesk/internal/apperr"
)

// Query is a parsed search: every term must match, no excluded term may,
// every filter must hold, and with numbers the ticket must be one of them.
type Query struct {
	Terms   []Term
	Exclude []Term
	Filters []Filter
	Numbers []int64
}

// Term is a word or a "phrase" to find.
type Term struct {
	Text   string
	Phrase bool
	Prefix bool // the word being typed: it matches the words it begins
	Pos    int  // 1-based character position in the query
}

// Filter is field:value, or -field:value when Not.
type Filter struct {
	Field string
	Value string
	Not   bool
	Pos   int
}

// Fields are the filters the query language knows.
var Fields = []string{"status", "priority", "type", "channel", "company", "group", "assignee", "from", "tag"}

// Limits of a query.
const (
	MaxQueryLength = 500 // characters
	MaxQueryItems  = 32
)

// QueryError is a query that cannot be run, with the position (1-based,
// in characters) it refers to. Its Code and Args let a screen say it in
// the reader's language; Error says it in English.
type QueryError struct {
	Code string // unterminated_quote, empty_value, unknown_field, bad_value, bad_number, no_match, too_long, too_many, no_terms, empty
	Pos  int
	Args []string
	msg  string
}

func (e *QueryError) Error() string { return e.msg }

// Arg is the i-th argument of the message, "" when there is none.
func (e *QueryError) Arg(i int) string {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return ""
}

// Unwrap makes a QueryError an invalid-input error on the field "q".
func (e *QueryError) Unwrap() error {
	return &apperr.Error{Code: apperr.Invalid, Field: "q", Message: e.msg}
}

func queryErr(code string, pos int, msg string, args ...string) *QueryError {
	if pos > 0 {
		msg += fmt.Sprintf(" (at position %d)", pos)
	}
	return &QueryError{Code: code, Pos: pos, Args: args, msg: msg}
}

// ParseQuery parses the query language: words, "exact phrases",
// -excluded words and phrases, field:value and field:"quoted value"
// filters (-field:value excludes), and #1042 for a ticket by number. With
// typing set, a last word not yet followed by a space is a prefix.
func ParseQuery(q string, typing bool) (Query, error) {
	rs := []rune(q)
	if len(rs) > MaxQueryLength {
		return Query{}, queryErr("too_long", 0, fmt.Sprintf("the query is longer than %d characters", MaxQueryLength),
			strconv.Itoa(MaxQueryLength))
	}
	p := parser{rs: rs}
	var out Query
	items := 0
	for {
		p.skipSpace()
		if p.i >= len(rs) {
			break
		}
		if items++; items > MaxQueryItems {
			return Query{}, queryErr("too_many", p.i+1, fmt.Sprintf("the query has more than %d terms", MaxQueryItems),
				strconv.Itoa(MaxQueryItems))
		}
		if err := p.item(&out); err != nil {
			return Query{}, err
		}
	}
	if typing && len(rs) > 0 && !unicode.IsSpace(rs[len(rs)-1]) && p.lastWord >= 0 {
		out.Terms[p.lastWord].Prefix = true
	}
	return out, nil
}

type parser struct {
	rs       []rune
	i        int
	lastWord int // index in Terms of a plain word that ended the query, or -1
}

func (p *parser) skipSpace() {
	for p.i < len(p.rs) && unicode.IsSpace(p.rs[p.i]) {
		p.i++
	}
}

// item parses one word, phrase, filter or ticket number.
func (p *parser) item(out *Query) error {
	p.lastWord = -1
	not := false
	if p.rs[p.i] == '-' && p.i+1 < len(p.rs) && !unicode.IsSpace(p.rs[p.i+1]) {
		not = true
		p.i++
	}
	pos := p.i + 1
	if p.rs[p.i] == '"' {
		text, err := p.quoted()
		if err != nil {
			return err
		}
		add(out, Term{Text: text, Phrase: true, Pos: pos}, not)
		return nil
	}
	word := p.word()
	if name, ok := fieldName(word); ok {
		return p.filter(out, name, word, pos, not)
	}
	if n, ok, err := ticketNumber(word, pos); ok || err != nil {
		if err == nil {
			if not {
				out.Filters = append(out.Filters, Filter{Field: "number", Value: strconv.FormatInt(n, 10), Not: true, Pos: pos})
			} else {
				out.Numbers = append(out.Numbers, n)
			}
		}
		return err
	}
	if not && word == "" {
		return nil
	}
	if !not {
		p.lastWord = len(out.Terms)
	}
	add(out, Term{Text: word, Pos: pos}, not)
	return nil
}

func add(out *Query, t Term, not bool) {
	if not {
		out.Exclude = append(out.Exclude, t)
	} else {
		out.Terms = append(out.Terms, t)
	}
}

// quoted reads a quoted text starting at the opening quote.
func (p *parser) quoted() (string, error) {
	open := p.i
	end := open + 1
	for end < len(p.rs) && p.rs[end] != '"' {
		end++
	}
	if end >= len(p.rs) {
		return "", queryErr("unterminated_quote", open+1, "the quote is not closed; add the closing \"")
	}
	p.i = end + 1
	return string(p.rs[open+1 : end]), nil
}

// word reads up to the next space, and a quoted value right after a
// field name's colon.
func (p *parser) word() string {
	start := p.i
	for p.i < len(p.rs) && !unicode.IsSpace(p.rs[p.i]) {
		p.i++
	}
	return string(p.rs[start:p.i])
}

// filter parses field:value; the value may be quoted and hold spaces.
func (p *parser) filter(out *Query, name, word string, pos int, not bool) error {
	value := word[strings.IndexByte(word, ':')+1:]
	if strings.HasPrefix(value, `"`) {
		p.i -= len([]rune(value))
		v, err := p.quoted()
		if err != nil {
			return err
		}
		if p.i < len(p.rs) && !unicode.IsSpace(p.rs[p.i]) {
			p.word() // text glued to the closing quote belongs to the value's token
		}
		value = v
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return queryErr("empty_value", pos, fmt.Sprintf("%s: needs a value, e.g. %s", name, example(name)), name)
	}
	if !known(name) {
		return queryErr("unknown_field", pos, fmt.Sprintf("there is no filter %q; did you mean %s:?", name+":",
			nearest(name)), name, nearest(name))
	}
	out.Filters = append(out.Filters, Filter{Field: name, Value: value, Not: not, Pos: pos})
	return nil
}

// fieldName returns the lower-case name before a colon when the word is
// a filter, or a near miss of one ("stauts:open"); other words with
// colons (URLs, times, addresses) are words.
func fieldName(word string) (string, bool) {
	i := strings.IndexByte(word, ':')
	if i <= 0 {
		return "", false
	}
	name := strings.ToLower(word[:i])
	for _, r := range name {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	if known(name) {
		return name, true
	}
	rest := word[i+1:]
	return name, rest != "" && !strings.HasPrefix(rest, "/") && len(name) >= 4 && distance(name, nearest(name)) <= maxTypo(name)
}

func known(name string) bool {
	for _, f := range Fields {
		if f == name {
			return true
		}
	}
	return false
}

func maxTypo(name string) int {
	if len(name) <= 5 {
		return 1
	}
	return 2
}

// nearest is the known field closest to name.
func nearest(name string) string {
	best, bestD := Fields[0], 1<<30
	for _, f := range Fields {
		if d := distance(name, f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// distance is the edit distance of two short ASCII names, a swap of two
// neighbours counting as one edit.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func example(field string) string {
	switch field {
	case "status":
		return "status:open"
	case "priority":
		return "priority:high"
	case "company":
		return `company:"Acme Ltd"`
	case "from":
		return "from:user@example.com"
	case "assignee":
		return "assignee:me"
	}
	return field + ":…"
}

// ticketNumber reads "#1042"; ok is false for words that are not "#"
// and digits.
func ticketNumber(word string, pos int) (int64, bool, error) {
	if len(word) < 2 || word[0] != '#' || !allDigits(word[1:]) {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(word[1:], 10, 64)
	if err != nil || n <= 0 {
		return 0, true, queryErr("bad_number", pos, fmt.Sprintf("%q is not a ticket number", word), word)
	}
	return n, true, nil
}
