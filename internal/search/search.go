package search

import (
	"context"
	"slices"
	"time"

	"linedesk/internal/apperr"
)

// Request is one search.
type Request struct {
	Query   string      // the query language (see ParseQuery)
	Kinds   []string    // the kinds to search; all when empty
	Filters []Condition // more conditions, from a screen's or the API's own parameters
	Typing  bool        // the query is being typed: its last word is a prefix
	AnyTerm bool        // documents holding any of the terms match (see Similar)
	Newest  bool        // newest first instead of best first
	Page    int         // 1-based
	PerPage int         // 20 when 0, at most 100
}

// Result is a page of hits.
type Result struct {
	Hits  []Hit
	Total int  // how many documents match, up to the candidates ranked
	More  bool // there are more than Total: only the newest matches were ranked
	Query Query
}

// Hit is one found document: its title and a snippet of its text as
// HTML, escaped, with the matching words in <mark>. An article's hit
// names the article and the language of the translation that matched.
type Hit struct {
	Kind      string    `json:"kind"`
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	TitleHTML string    `json:"title_html"`
	Subtitle  string    `json:"subtitle,omitempty"`
	Snippet   string    `json:"snippet"`
	Score     float64   `json:"score"`
	Number    int64     `json:"number,omitempty"`
	Status    string    `json:"status,omitempty"`
	Language  string    `json:"language,omitempty"` // an article's translation
	Updated   time.Time `json:"updated_at"`
}

// Search finds what the viewer may see. Permissions apply inside the
// query (the index holds who may see each document) and are checked
// again against the current state before anything is ranked, counted or
// paged: a viewer never sees, and never counts, a hit they may not open.
func (s *Service) Search(ctx context.Context, v Viewer, r Request) (Result, error) {
	if v.Agent == nil && v.Contact == nil {
		return Result{}, apperr.Errorf(apperr.Forbidden, "a search needs an agent or a contact")
	}
	r.Page = max(r.Page, 1)
	if r.PerPage <= 0 {
		r.PerPage = 20
	}
	r.PerPage = min(r.PerPage, 100)
	q, err := ParseQuery(r.Query, r.Typing)
	if err != nil {
		return Result{}, err
	}
	return s.run(ctx, v, q, r)
}

// run compiles a parsed query and pages its ranked hits.
func (s *Service) run(ctx context.Context, v Viewer, q Query, r Request) (Result, error) {
	p, err := s.compile(ctx, v, q, r)
	if err != nil || p.nothing {
		return Result{Query: q, Hits: []Hit{}}, err
	}
	ranked, total, more, err := s.matches(ctx, v, p, r.Newest)
	if err != nil {
		return Result{}, err
	}
	from := min((r.Page-1)*r.PerPage, len(ranked))
	hits, err := s.hits(ctx, v, p, ranked[from:min(from+r.PerPage, len(ranked))])
	if err != nil {
		return Result{}, err
	}
	return Result{Hits: hits, Total: total, More: more, Query: q}, nil
}

// matches runs the plan: the newest-written matches from the index, those
// the viewer may open now, ranked; how many they are, and whether the
// index holds more matches than were ranked.
func (s *Service) matches(ctx context.Context, v Viewer, p plan, newest bool) ([]candidate, int, bool, error) {
	limit := s.cfg.Candidates
	if p.minGroups > 0 {
		limit = min(limit, similarCandidates)
	}
	w, err := s.weigh(ctx, p)
	if err != nil {
		return nil, 0, false, err
	}
	cands, err := s.eng.match(ctx, p.match, limit+1, w.expect(p, s.cfg.DocFreqUpTo))
	if err != nil {
		return nil, 0, false, err
	}
	capped := len(cands) > limit
	cands = cands[:min(len(cands), limit)]
	if cands, err = s.allowed(ctx, v, cands); err != nil {
		return nil, 0, false, err
	}
	s.rank(p, w, cands, newest)
	if p.minGroups > 1 {
		cands = slices.DeleteFunc(cands, func(c candidate) bool { return matchedGroups(p, &c) < p.minGroups })
	}
	return cands, len(cands), capped, nil
}

// allowed keeps the candidates the viewer may open now, asking each
// kind about its own.
func (s *Service) allowed(ctx context.Context, v Viewer, cands []candidate) ([]candidate, error) {
	byKind := map[string][]int64{}
	for _, c := range cands {
		byKind[c.kind] = append(byKind[c.kind], c.ref)
	}
	ok := map[string]map[int64]bool{}
	for kind, ids := range byKind {
		src, found := s.source(kind)
		if !found {
			continue
		}
		keep, err := src.Allowed(ctx, v, ids)
		if err != nil {
			return nil, err
		}
		ok[kind] = map[int64]bool{}
		for _, id := range keep {
			ok[kind][id] = true
		}
	}
	out := cands[:0]
	for _, c := range cands {
		if ok[c.kind][c.ref] {
			out = append(out, c)
		}
	}
	return out, nil
}

// hits loads the page's documents as they are now and builds their
// snippets.
func (s *Service) hits(ctx context.Context, v Viewer, p plan, page []candidate) ([]Hit, error) {
	byKind := map[string][]int64{}
	for _, c := range page {
		byKind[c.kind] = append(byKind[c.kind], c.ref)
	}
	docs := map[string]map[int64]Document{}
	for kind, ids := range byKind {
		src, _ := s.source(kind)
		list, err := src.Load(ctx, ids)
		if err != nil {
			return nil, err
		}
		docs[kind] = map[int64]Document{}
		for _, d := range list {
			docs[kind][d.ID] = d
		}
	}
	out := []Hit{}
	for _, c := range page {
		d, ok := docs[c.kind][c.ref]
		if !ok {
			continue // gone since it was indexed
		}
		title, snippet := s.an.highlight(d, p.marks, v.Internal())
		id := c.ref
		if d.HitID != 0 {
			id = d.HitID
		}
		out = append(out, Hit{Kind: c.kind, ID: id, Title: d.Title, TitleHTML: title, Subtitle: d.Subtitle, Snippet: snippet,
			Score: c.score, Number: d.Number, Status: d.Status, Language: d.Language, Updated: d.Updated})
	}
	return out, nil
}
