package search

import (
	"context"
	"slices"
	"strings"
)

// Condition is a filter on documents: the key's value is one of Any, or
// with Not none of them. Screens and the API add their own (a list's
// group_id=3) to those of the query.
type Condition struct {
	Key string
	Any []string
	Not bool
}

// plan is a compiled query: what to match, how to rank it, what to mark.
type plan struct {
	match   matching
	groups  []termGroup // ranked, each counted once
	public  bool        // the viewer reads only what customers see
	marks   marks
	nothing bool // no kind can match: the answer is empty
	// minGroups is how many of the term groups a hit must hold, when
	// any term matches (Request.AnyTerm).
	minGroups int
}

// matching is what a search matches: every text term, no excluded text,
// and the filter terms (kinds, access, conditions). The engines take it
// as they index it: FTS5 as one expression, PostgreSQL the text against
// the text's vector and the filters against the filter terms' own.
type matching struct {
	text, exclude, filter expr // nil: none
	public                bool // text only where customers see it
}

// whole is the match as one expression.
func (m matching) whole() expr {
	e := and(m.text, m.filter)
	if m.exclude != nil {
		e = notExpr{pos: e, neg: m.exclude}
	}
	return e
}

// compile turns a parsed query into a plan for the viewer: the query's
// terms, the filters resolved to filter terms, the kinds the viewer may
// search with what each lets them find.
func (s *Service) compile(ctx context.Context, v Viewer, q Query, r Request) (plan, error) {
	p := plan{public: !v.Internal()}
	var text, excluded []expr
	for _, t := range q.Terms {
		if g, ok := s.an.queryGroup(t); ok {
			p.groups = append(p.groups, g)
			text = append(text, g.expr())
			p.marks.add(g)
		}
	}
	for _, t := range q.Exclude {
		if g, ok := s.an.queryGroup(t); ok {
			excluded = append(excluded, g.expr())
		}
	}
	conds, err := s.resolve(ctx, v, q)
	if err != nil {
		return p, err
	}
	conds = append(conds, r.Filters...)
	if len(text) == 0 && len(excluded) == 0 && len(conds) == 0 {
		if len(q.Terms)+len(q.Exclude) > 0 {
			return p, queryErr("no_terms", q.firstPos(), "the query has only very common words; add a more specific one")
		}
		return p, queryErr("empty", 0, "enter something to search for")
	}
	if err := s.checkKinds(r.Kinds); err != nil {
		return p, err
	}
	acc, err := s.accesses(ctx, v)
	if err != nil {
		return p, err
	}
	kinds := s.kindsExpr(acc, r.Kinds, conds)
	if kinds == nil && !s.unrestricted(acc, r.Kinds, conds) {
		p.nothing = true
		return p, nil
	}
	p.match = matching{text: and(text...), exclude: or(excluded...), filter: kinds, public: p.public}
	if r.AnyTerm {
		p.match.text, p.minGroups = or(text...), similarMinGroups(len(text))
	}
	if p.match.text == nil && p.match.filter == nil {
		// Only exclusions: anchor them to the kinds searched.
		p.match.filter = s.anyKind(r.Kinds)
	}
	return p, nil
}

func (q Query) firstPos() int {
	if len(q.Terms) > 0 {
		return q.Terms[0].Pos
	}
	if len(q.Exclude) > 0 {
		return q.Exclude[0].Pos
	}
	return 0
}

// kindsExpr is what limits the match to the kinds searched, each to what
// the viewer may find and to the conditions. A kind that does not carry
// a condition's key is left out. nil means no limit at all (every kind,
// everything in it) or nothing (see unrestricted).
func (s *Service) kindsExpr(accesses map[string]Access, want []string, conds []Condition) expr {
	if s.unrestricted(accesses, want, conds) {
		return nil
	}
	type searched struct {
		kind string
		src  Source
		acc  Access
	}
	var kinds []searched
	for _, kind := range s.searched(want) {
		src, _ := s.source(kind)
		acc := accesses[kind]
		if (acc.All || len(acc.Any) > 0) && carries(src, conds) {
			kinds = append(kinds, searched{kind, src, acc})
		}
	}
	var parts []expr
	for i, k := range kinds {
		var others []Source
		for j, o := range kinds {
			if j != i {
				others = append(others, o.src)
			}
		}
		kindPart := access(k.acc)
		if !ownKey(k.acc, conds, others) {
			kindPart = and(facetExpr{Facet(KeyKind, k.kind)}, kindPart)
		}
		for _, c := range conds {
			if !c.Not {
				kindPart = and(kindPart, anyFacet(facets(c)))
			}
		}
		if kindPart == nil {
			kindPart = facetExpr{Facet(KeyKind, k.kind)}
		}
		for _, c := range conds {
			if c.Not {
				kindPart = notExpr{pos: kindPart, neg: anyFacet(facets(c))}
			}
		}
		parts = append(parts, kindPart)
	}
	return or(parts...)
}

// accesses asks every kind what the viewer may find in it.
func (s *Service) accesses(ctx context.Context, v Viewer) (map[string]Access, error) {
	out := map[string]Access{}
	for _, kind := range s.Kinds() {
		src, _ := s.source(kind)
		a, err := src.Access(ctx, v)
		if err != nil {
			return nil, err
		}
		out[kind] = a
	}
	return out, nil
}

// ownKey reports whether the access or a condition of a kind already
// names filter keys no other searched kind carries: then those terms
// alone keep other kinds out, and the kind's own term (in every
// document of the kind, the costliest to match) is not needed.
func ownKey(acc Access, conds []Condition, others []Source) bool {
	unique := func(key string) bool {
		for _, o := range others {
			if slices.Contains(o.Keys(), key) {
				return false
			}
		}
		return true
	}
	for _, c := range conds { // conditions must all hold: one of its own is enough
		if !c.Not && unique(c.Key) {
			return true
		}
	}
	if acc.All || len(acc.Any) == 0 {
		return false
	}
	for _, f := range acc.Any { // any access term admits: all must be its own
		if !unique(facetKey(f)) {
			return false
		}
	}
	return true
}

// facetKey is the key of a filter term: "st" of "~st:open".
func facetKey(term string) string {
	k, _, _ := strings.Cut(strings.TrimPrefix(term, "~"), ":")
	return k
}

// unrestricted reports whether every registered kind is searched, the
// viewer sees all of each, and nothing is filtered: the text alone
// decides.
func (s *Service) unrestricted(accesses map[string]Access, want []string, conds []Condition) bool {
	if len(conds) > 0 || len(want) > 0 && len(want) < len(s.Kinds()) {
		return false
	}
	for _, kind := range s.Kinds() {
		if !accesses[kind].All {
			return false
		}
	}
	return true
}

func (s *Service) searched(want []string) []string {
	if len(want) == 0 {
		return s.Kinds()
	}
	return want
}

func (s *Service) anyKind(want []string) expr {
	var parts []expr
	for _, kind := range s.searched(want) {
		parts = append(parts, facetExpr{Facet(KeyKind, kind)})
	}
	return or(parts...)
}

func access(a Access) expr {
	if a.All {
		return nil
	}
	return anyFacet(a.Any)
}

func carries(src Source, conds []Condition) bool {
	keys := src.Keys()
	for _, c := range conds {
		if !slices.Contains(keys, c.Key) {
			return false
		}
	}
	return true
}

func facets(c Condition) []string {
	out := make([]string, len(c.Any))
	for i, v := range c.Any {
		out[i] = Facet(c.Key, v)
	}
	return out
}
