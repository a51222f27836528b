package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"linedesk/internal/apperr"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q    string
		want Query
	}{
		{"printer", Query{Terms: []Term{{Text: "printer", Pos: 1}}}},
		{`  "exact phrase"  word `, Query{Terms: []Term{{Text: "exact phrase", Phrase: true, Pos: 3}, {Text: "word", Pos: 19}}}},
		{`vpn -"home office" -wifi`, Query{Terms: []Term{{Text: "vpn", Pos: 1}},
			Exclude: []Term{{Text: "home office", Phrase: true, Pos: 6}, {Text: "wifi", Pos: 21}}}},
		{`status:open priority:high company:"Acme Ltd" tag:vpn`, Query{Filters: []Filter{
			{Field: "status", Value: "open", Pos: 1}, {Field: "priority", Value: "high", Pos: 13},
			{Field: "company", Value: "Acme Ltd", Pos: 27}, {Field: "tag", Value: "vpn", Pos: 46}}}},
		{`Status:Open -status:closed`, Query{Filters: []Filter{{Field: "status", Value: "Open", Pos: 1},
			{Field: "status", Value: "closed", Not: true, Pos: 14}}}},
		{"from:user@x.lv assignee:me group:none", Query{Filters: []Filter{{Field: "from", Value: "user@x.lv", Pos: 1},
			{Field: "assignee", Value: "me", Pos: 16}, {Field: "group", Value: "none", Pos: 28}}}},
		{"#1042 #7 -#9", Query{Numbers: []int64{1042, 7}, Filters: []Filter{{Field: "number", Value: "9", Not: true, Pos: 11}}}},
		{"принтер не печатает", Query{Terms: []Term{{Text: "принтер", Pos: 1}, {Text: "не", Pos: 9}, {Text: "печатает", Pos: 12}}}},
		// Colons that are not filters: addresses, times, links, unknown words.
		{"http://x.lv/a fe80::1 10:30 error:0x80070005", Query{Terms: []Term{{Text: "http://x.lv/a", Pos: 1},
			{Text: "fe80::1", Pos: 15}, {Text: "10:30", Pos: 23}, {Text: "error:0x80070005", Pos: 29}}}},
		{"#abc - ", Query{Terms: []Term{{Text: "#abc", Pos: 1}, {Text: "-", Pos: 6}}}},
	}
	for _, tt := range tests {
		got, err := ParseQuery(tt.q, false)
		if err != nil {
			t.Errorf("%q: %v", tt.q, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryTyping(t *testing.T) {
	q, _ := ParseQuery("printer offl", true)
	if !q.Terms[1].Prefix || q.Terms[0].Prefix {
		t.Errorf("typing: %+v", q.Terms)
	}
	for _, s := range []string{"printer offl ", `"printer offl"`, "printer status:open", "printer -offl"} {
		q, _ := ParseQuery(s, true)
		for _, term := range q.Terms {
			if term.Prefix {
				t.Errorf("%q: %q is a prefix", s, term.Text)
			}
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		q        string
		code     string
		pos      int
		contains string
	}{
		{`printer "not closed`, "unterminated_quote", 9, "not closed"},
		{`company:"Acme`, "unterminated_quote", 9, "not closed"},
		{`vpn status:`, "empty_value", 5, "status: needs a value"},
		{`stauts:open`, "unknown_field", 1, "did you mean status:?"},
		{`form:anna@x.lv`, "unknown_field", 1, "did you mean from:?"},
		{`#99999999999999999999`, "bad_number", 1, "not a ticket number"},
		{`#0`, "bad_number", 1, "not a ticket number"},
		{strings.Repeat("a", MaxQueryLength+1), "too_long", 0, "longer than 500"},
		{strings.Repeat("a ", MaxQueryItems+1), "too_many", 65, "more than 32 terms"},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.q, false)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%q: error %v, want a query error", tt.q, err)
			continue
		}
		if qe.Code != tt.code || qe.Pos != tt.pos || !strings.Contains(qe.Error(), tt.contains) {
			t.Errorf("%q: %s at %d: %q; want %s at %d containing %q", tt.q, qe.Code, qe.Pos, qe.Error(), tt.code, tt.pos, tt.contains)
		}
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "q" {
			t.Errorf("%q: not an invalid q: %+v", tt.q, e)
		}
	}
}

// TestRenderQueries: what users type can never become engine syntax.
func TestRenderQueries(t *testing.T) {
	e := and(seqExpr{terms: []string{`a"b`}}, seqExpr{terms: []string{"x", "y"}, prefix: true},
		notExpr{pos: facetExpr{"~st:open"}, neg: seqExpr{terms: []string{`it's\`}}})
	if got, want := renderFTS(e, false), `("a""b" AND "x y"* AND ({meta} : "~st:open" NOT "it's\"))`; got != want {
		t.Errorf("FTS5:\n got %s\nwant %s", got, want)
	}
	if got, want := renderFTS(e, true), `({title body} : "a""b" AND {title body} : "x y"* AND ({meta} : "~st:open" NOT {title body} : "it's\"))`; got != want {
		t.Errorf("FTS5 for customers:\n got %s\nwant %s", got, want)
	}
	if got, want := renderTSQuery(e, true), `('a"b':AB & ('x':AB <-> 'y':*AB) & ('~st:open' & !'it''s\\':AB))`; got != want {
		t.Errorf("tsquery:\n got %s\nwant %s", got, want)
	}
}

func TestQueryAlternatives(t *testing.T) {
	a := NewAnalyzer()
	tests := []struct {
		term Term
		want [][]string
	}{
		{Term{Text: "paroli"}, [][]string{{"paroli"}, {"parol"}}},
		{Term{Text: "parolēm"}, [][]string{{"parol"}}},
		{Term{Text: "принтеры"}, [][]string{{"принтер"}}},
		{Term{Text: "user@x.lv"}, [][]string{{"user@x.lv"}}},
		{Term{Text: "0x80070005"}, [][]string{{"0x80070005"}}},
		{Term{Text: "Wi-Fi"}, [][]string{{"wi", "fi"}}},
		{Term{Text: "the"}, nil},
		{Term{Text: "printers offline", Phrase: true}, [][]string{{"printer", "offlin"}}},
		{Term{Text: "printing reset", Phrase: true}, [][]string{{"print", "reset"}, {"printing", "reset"}}},
		{Term{Text: "https://portal.acme.lv/login"}, [][]string{{"portal", "acm", "lv", "login"}}},
		{Term{Text: "mail user@x.lv", Phrase: true},
			[][]string{{"mail", "user@x.lv", "user", "x.lv", "user", "x", "lv"}, {"mail", "user@x.lv", "user", "x.lv", "user", "x", "lv"}}[:1]},
		{Term{Text: "prin", Prefix: true}, [][]string{{"prin"}, {"prin*"}}},
		{Term{Text: "e-pas", Prefix: true}, [][]string{{"e", "pas"}, {"e", "pas*"}}},
		{Term{Text: "user@x.l", Prefix: true}, [][]string{{"user@x.l"}, {"user@x.l*"}}},
		{Term{Text: "pr", Prefix: true}, [][]string{{"pr"}}},
	}
	for _, tt := range tests {
		g, _ := a.queryGroup(tt.term)
		var got [][]string
		for _, v := range g.variants {
			terms := append([]string(nil), v.terms...)
			if v.prefix {
				terms[len(terms)-1] += "*"
			}
			got = append(got, terms)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.term.Text, got, tt.want)
		}
	}
}
