package search

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"linedesk/internal/auth"
	"linedesk/internal/kb"
)

// articleFinder is the search engine as the knowledge base's Finder:
// full-text search of articles and suggestions for a ticket's text.
type articleFinder struct{ s *Service }

// FindArticles searches the articles' translations. A reader's text that
// is not a valid query (an unpaired quote) is searched as plain words.
func (f articleFinder) FindArticles(ctx context.Context, q kb.Query) ([]kb.Hit, int, error) {
	r := articleRequest(q)
	r.Query = q.Text
	res, err := f.s.Search(ctx, articleViewer(q.Reader), r)
	var qe *QueryError
	if errors.As(err, &qe) {
		r.Query = plainWords(q.Text)
		res, err = f.s.Search(ctx, articleViewer(q.Reader), r)
		if errors.As(err, &qe) {
			return []kb.Hit{}, 0, nil
		}
	}
	if err != nil {
		return nil, 0, err
	}
	return articleHits(res.Hits), res.Total, nil
}

// SimilarArticles suggests the articles most like a text.
func (f articleFinder) SimilarArticles(ctx context.Context, text string, q kb.Query) ([]kb.Hit, error) {
	res, err := f.s.Similar(ctx, articleViewer(q.Reader), text, articleRequest(q))
	if err != nil {
		return nil, err
	}
	return articleHits(res.Hits), nil
}

// articleViewer is the reader as the index sees them: agents find every
// article; a customer (with no tickets in this search) public ones and
// those of their plan.
func articleViewer(r kb.Reader) Viewer {
	if r.Agent {
		return AgentViewer(auth.System())
	}
	return ContactViewer(ContactScope{PlanID: r.PlanID})
}

// articleRequest is a search of articles with the query's filters; the
// offset is rounded down to a page.
func articleRequest(q kb.Query) Request {
	per := q.Limit
	if per <= 0 {
		per = 20
	}
	r := Request{Kinds: []string{KindArticle}, PerPage: per, Page: q.Offset/per + 1}
	if len(q.Languages) > 0 {
		r.Filters = append(r.Filters, Condition{Key: KeyLanguage, Any: q.Languages})
	}
	if q.CategoryID != nil {
		r.Filters = append(r.Filters, Condition{Key: KeyCategory, Any: []string{strconv.FormatInt(*q.CategoryID, 10)}})
	}
	return r
}

func articleHits(hits []Hit) []kb.Hit {
	out := make([]kb.Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, kb.Hit{ArticleID: h.ID, Language: h.Language, Score: h.Score, Snippet: h.Snippet})
	}
	return out
}

// plainWords is text with what the query language reads as syntax taken
// out: quotes, field names' colons, leading minus signs and hashes.
func plainWords(text string) string {
	text = strings.NewReplacer(`"`, " ", ":", " ").Replace(text)
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = strings.TrimLeft(w, "-#")
	}
	return strings.Join(words, " ")
}
