package search

import "strings"

// expr is a match expression over the index, written once and rendered
// for each engine: an FTS5 MATCH string or a PostgreSQL tsquery.
type expr interface{ isExpr() }

// seqExpr matches text: one term, or a phrase of terms in a row; with
// prefix set, the last term matches any term it begins.
type seqExpr struct {
	terms  []string
	prefix bool
}

// facetExpr matches a filter term.
type facetExpr struct{ term string }

// andExpr matches what all its parts match; orExpr what any matches.
type (
	andExpr []expr
	orExpr  []expr
)

// notExpr matches what pos matches and neg does not.
type notExpr struct{ pos, neg expr }

func (seqExpr) isExpr()   {}
func (facetExpr) isExpr() {}
func (andExpr) isExpr()   {}
func (orExpr) isExpr()    {}
func (notExpr) isExpr()   {}

// and joins expressions, leaving out nils; nil when none is left.
func and(parts ...expr) expr {
	var out andExpr
	for _, p := range parts {
		if p != nil {
			out = append(out, p)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// or joins alternatives; nil when there are none.
func or(parts ...expr) expr {
	var out orExpr
	for _, p := range parts {
		if p != nil {
			out = append(out, p)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// mapSeqs rewrites each text sequence of e with f, through conjunctions,
// alternatives and the kept side of an exclusion; the excluded side stays
// as it is, since a looser exclusion would leave out documents it does
// not match. flagged reports whether f flagged any sequence.
func mapSeqs(e expr, f func(seqExpr) (expr, bool)) (out expr, flagged bool) {
	switch e := e.(type) {
	case seqExpr:
		return f(e)
	case andExpr:
		parts := make(andExpr, len(e))
		for i, p := range e {
			var fl bool
			parts[i], fl = mapSeqs(p, f)
			flagged = flagged || fl
		}
		return parts, flagged
	case orExpr:
		parts := make(orExpr, len(e))
		for i, p := range e {
			var fl bool
			parts[i], fl = mapSeqs(p, f)
			flagged = flagged || fl
		}
		return parts, flagged
	case notExpr:
		pos, fl := mapSeqs(e.pos, f)
		return notExpr{pos: pos, neg: e.neg}, fl
	}
	return e, false
}

// anyFacet matches documents carrying any of the filter terms.
func anyFacet(terms []string) expr {
	parts := make([]expr, len(terms))
	for i, t := range terms {
		parts[i] = facetExpr{t}
	}
	return or(parts...)
}

// renderFTS writes e as an FTS5 query. Every term is quoted, so nothing
// a user types is read as FTS5 syntax. With public set, text matches only
// in the columns customers see.
func renderFTS(e expr, public bool) string {
	var b strings.Builder
	writeFTS(&b, e, public)
	return b.String()
}

func writeFTS(b *strings.Builder, e expr, public bool) {
	switch e := e.(type) {
	case seqExpr:
		if public {
			b.WriteString("{title body} : ")
		}
		b.WriteByte('"')
		for i, t := range e.terms {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		}
		b.WriteByte('"')
		if e.prefix {
			b.WriteByte('*')
		}
	case facetExpr:
		b.WriteString(`{meta} : "` + e.term + `"`)
	case andExpr:
		writeJoinedFTS(b, e, " AND ", public)
	case orExpr:
		writeJoinedFTS(b, e, " OR ", public)
	case notExpr:
		b.WriteByte('(')
		writeFTS(b, e.pos, public)
		b.WriteString(" NOT ")
		writeFTS(b, e.neg, public)
		b.WriteByte(')')
	}
}

func writeJoinedFTS(b *strings.Builder, parts []expr, op string, public bool) {
	b.WriteByte('(')
	for i, p := range parts {
		if i > 0 {
			b.WriteString(op)
		}
		writeFTS(b, p, public)
	}
	b.WriteByte(')')
}

// renderTSQuery writes e as a PostgreSQL tsquery literal; its lexemes are
// quoted and taken as they are, with no dictionary. With public set, text
// matches only lexemes of weight A (title) or B (customer-visible body).
// A filter term expression given after e is ANDed to it.
func renderTSQuery(e expr, public bool, and ...expr) string {
	var b strings.Builder
	for _, x := range and {
		if x != nil {
			e = andExpr{e, x}
		}
	}
	writeTS(&b, e, public)
	return b.String()
}

func writeTS(b *strings.Builder, e expr, public bool) {
	switch e := e.(type) {
	case seqExpr:
		if len(e.terms) > 1 {
			b.WriteByte('(')
		}
		for i, t := range e.terms {
			if i > 0 {
				b.WriteString(" <-> ")
			}
			b.WriteString(quoteLexeme(t))
			label := ""
			if e.prefix && i == len(e.terms)-1 {
				label = "*"
			}
			if public {
				label += "AB"
			}
			if label != "" {
				b.WriteString(":" + label)
			}
		}
		if len(e.terms) > 1 {
			b.WriteByte(')')
		}
	case facetExpr:
		b.WriteString(quoteLexeme(e.term))
	case andExpr:
		writeJoinedTS(b, e, " & ", public)
	case orExpr:
		writeJoinedTS(b, e, " | ", public)
	case notExpr:
		b.WriteByte('(')
		writeTS(b, e.pos, public)
		b.WriteString(" & !")
		writeTS(b, e.neg, public)
		b.WriteByte(')')
	}
}

func writeJoinedTS(b *strings.Builder, parts []expr, op string, public bool) {
	b.WriteByte('(')
	for i, p := range parts {
		if i > 0 {
			b.WriteString(op)
		}
		writeTS(b, p, public)
	}
	b.WriteByte(')')
}

// quoteLexeme quotes a lexeme for tsvector and tsquery input.
func quoteLexeme(s string) string {
	return "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(s) + "'"
}
