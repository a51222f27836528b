package search

import (
	"context"
	"slices"
	"strconv"

	"linedesk/internal/db"
	"linedesk/internal/kb"
)

// KindArticle is a published translation of a knowledge-base article.
const KindArticle = "article"

// Filter keys of articles.
const (
	KeyReaders  = "kbr" // who may read: internal, public, plan-<id>
	KeyLanguage = "lang"
	KeyCategory = "cat" // the article's category and its parent
)

// An article's translations are documents of their own, so a hit names
// the language it matched in: a translation's id is its article's id
// times four plus the language's place in kb.Languages, from one.

// ArticleRef is the document id of an article's translation.
func ArticleRef(articleID int64, lang string) int64 {
	return articleID*4 + int64(slices.Index(kb.Languages, lang)+1)
}

// ArticleOf is the article and the language of a translation's id.
func ArticleOf(ref int64) (int64, string) {
	i := int(ref%4) - 1
	if i < 0 || i >= len(kb.Languages) {
		return ref / 4, ""
	}
	return ref / 4, kb.Languages[i]
}

// ArticleSource is the knowledge base's published translations as
// documents: the title, and the body as plain text. Agents find every
// one; customers the public ones, and those limited to plans only under
// one of them.
type ArticleSource struct {
	kb     *kb.Service
	search *Service
}

// NewArticleSource returns the article kind of s, reading base. It
// plugs itself into the knowledge base: base's changes queue their
// indexing, and base's searches and suggestions run on s.
func NewArticleSource(s *Service, base *kb.Service) *ArticleSource {
	src := &ArticleSource{kb: base, search: s}
	base.SetIndexer(src.changed)
	base.SetFinder(articleFinder{s})
	return src
}

// changed queues the indexing of every translation an article may have,
// in the change's transaction: those no longer published leave the
// index.
func (s *ArticleSource) changed(ctx context.Context, q db.Queryer, articleID int64) error {
	refs := make([]int64, len(kb.Languages))
	for i, l := range kb.Languages {
		refs[i] = ArticleRef(articleID, l)
	}
	return s.search.Enqueue(ctx, q, KindArticle, refs...)
}

// Kind is "article".
func (s *ArticleSource) Kind() string { return KindArticle }

// Keys: articles are filtered by readers, language and category.
func (s *ArticleSource) Keys() []string { return []string{KeyReaders, KeyLanguage, KeyCategory} }

// Load reads the translations' articles.
func (s *ArticleSource) Load(ctx context.Context, ids []int64) ([]Document, error) {
	want := map[int64]bool{}
	var articles []int64
	for _, ref := range ids {
		want[ref] = true
		if a, _ := ArticleOf(ref); !slices.Contains(articles, a) {
			articles = append(articles, a)
		}
	}
	var out []Document
	for _, a := range articles {
		docs, err := s.kb.Documents(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if ref := ArticleRef(d.ArticleID, d.Language); want[ref] {
				out = append(out, articleDoc(ref, d))
			}
		}
	}
	return out, nil
}

func articleDoc(ref int64, d kb.Document) Document {
	facets := []string{Facet(KeyLanguage, d.Language)}
	for _, c := range []*int64{d.CategoryID, d.ParentID} {
		if c != nil {
			facets = append(facets, Facet(KeyCategory, strconv.FormatInt(*c, 10)))
		}
	}
	switch {
	case d.Visibility != kb.Public:
		facets = append(facets, Facet(KeyReaders, "internal"))
	case !d.PlanLimited:
		facets = append(facets, Facet(KeyReaders, "public"))
	default:
		for _, p := range d.PlanIDs {
			facets = append(facets, Facet(KeyReaders, "plan-"+strconv.FormatInt(p, 10)))
		}
	}
	return Document{Kind: KindArticle, ID: ref, Title: d.Title, Parts: []Part{{Text: d.Text}}, Facets: facets,
		HitID: d.ArticleID, Language: d.Language, Updated: d.PublishedAt, Open: true}
}

// IDs lists the ids of published translations after the given one for
// a rebuild, whole articles at a time (a batch may hold a few more than
// limit).
func (s *ArticleSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	from, _ := ArticleOf(after)
	list, err := s.kb.PublishedAfter(ctx, from, max(1, limit/len(kb.Languages)))
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(list))
	for _, p := range list {
		out = append(out, ArticleRef(p.ArticleID, p.Language))
	}
	slices.Sort(out)
	return out, nil
}

// Count says how many published translations there are.
func (s *ArticleSource) Count(ctx context.Context) (int, error) { return s.kb.CountPublished(ctx) }

// Access: agents read every article; a customer the public ones and
// those limited to their plan.
func (s *ArticleSource) Access(_ context.Context, v Viewer) (Access, error) {
	if v.Agent != nil {
		return Access{All: true}, nil
	}
	any := []string{Facet(KeyReaders, "public")}
	if v.Contact.PlanID != nil {
		any = append(any, Facet(KeyReaders, "plan-"+strconv.FormatInt(*v.Contact.PlanID, 10)))
	}
	return Access{Any: any}, nil
}

// Allowed keeps the translations still published and readable now.
func (s *ArticleSource) Allowed(ctx context.Context, v Viewer, ids []int64) ([]int64, error) {
	r := kb.Reader{Agent: v.Agent != nil}
	if v.Contact != nil {
		r.PlanID = v.Contact.PlanID
	}
	var articles []int64
	for _, ref := range ids {
		a, _ := ArticleOf(ref)
		articles = append(articles, a)
	}
	readable, err := s.kb.Readable(ctx, r, articles)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, ref := range ids {
		if a, lang := ArticleOf(ref); slices.Contains(readable[a], lang) {
			out = append(out, ref)
		}
	}
	return out, nil
}
