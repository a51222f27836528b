package kb

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"linedesk/internal/db"
)

// suggestWords is how many words of a subject the title match looks for.
const suggestWords = 8

// PublicSuggestions are the articles a customer may read that match what
// they are typing as the subject of a request, best first, each once, in
// their language where it has a translation in it (f.Q is the text,
// f.Limit how many, 5 when 0). With the search engine they are its
// suggestions (Suggest); until it is plugged in, the articles whose titles
// hold most of the text's words (Search's title match, word by word).
func (s *Service) PublicSuggestions(ctx context.Context, f PublicFilter) ([]PublicSummary, error) {
	if err := checkLanguage("language", f.Language); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 5
	}
	f.Limit = min(f.Limit, 20)
	q := Query{Reader: Reader{PlanID: f.PlanID}, Limit: 4 * f.Limit}
	var found []Found
	var err error
	if s.HasFinder() {
		found, err = s.Suggest(ctx, f.Q, q)
		found = onePerArticle(found, f.Language)
	} else {
		found, err = s.titleWords(ctx, f.Q, q, f.Language)
	}
	if err != nil {
		return nil, err
	}
	out := []PublicSummary{}
	for _, fd := range found[:min(len(found), f.Limit)] {
		t := fd.Translation
		out = append(out, PublicSummary{ArticleID: fd.Article.ID, Language: t.Language, Slug: t.Slug, Title: t.Title,
			CategoryID: fd.Article.CategoryID, PublishedAt: *t.PublishedAt, Snippet: fd.Snippet,
			Fallback: t.Language != f.Language})
	}
	return out, nil
}

// titleWords finds the articles q's reader may read with a published
// title holding words of text, ranked by how many words one of their
// titles holds, then by the articles' order; each is shown in the
// reader's language when it has a translation in it, else in the
// language whose title matched best.
func (s *Service) titleWords(ctx context.Context, text string, q Query, lang string) ([]Found, error) {
	words := matchWords(text)
	if len(words) == 0 {
		return []Found{}, nil
	}
	var w db.Where
	visibleTo(&w, q.Reader)
	var ors []string
	for _, word := range words {
		ors = append(ors, `m.title_key LIKE `+w.Arg(likeContains(word))+` ESCAPE '\'`)
	}
	w.Add(`EXISTS (SELECT 1 FROM kb_translations m WHERE m.article_id = t.article_id AND m.published_at IS NOT NULL
		AND (` + strings.Join(ors, ` OR `) + `))`)
	list, err := s.found(ctx, w, false, 0, 300)
	if err != nil {
		return nil, err
	}
	type ranked struct {
		f      Found
		words  int // the most words one of its titles holds
		theirs bool
	}
	best := map[int64]*ranked{}
	var all []*ranked
	for _, f := range list {
		n := wordsIn(titleKey(f.Translation.Title), words)
		theirs := f.Translation.Language == lang
		r, seen := best[f.Article.ID]
		if !seen {
			r = &ranked{f: f, words: n, theirs: theirs}
			best[f.Article.ID] = r
			all = append(all, r)
			continue
		}
		if theirs || (!r.theirs && n > r.words) {
			r.f, r.theirs = f, theirs
		}
		r.words = max(r.words, n)
	}
	slices.SortStableFunc(all, func(a, b *ranked) int { return b.words - a.words })
	out := make([]Found, 0, min(len(all), q.Limit))
	for _, r := range all[:min(len(all), q.Limit)] {
		out = append(out, r.f)
	}
	return out, nil
}

func wordsIn(key string, words []string) int {
	n := 0
	for _, word := range words {
		if strings.Contains(key, word) {
			n++
		}
	}
	return n
}

// matchWords are the words of a text a title match looks for: lower-cased,
// at least three letters, each long one shortened by its last two letters
// so that "printers" finds "printer" and "принтера" finds "принтер".
func matchWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(titleKey(text), func(r rune) bool {
		return !(r == '-' || r == '+' || r == '#' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		w = strings.Trim(w, "-")
		n := utf8.RuneCountInString(w)
		if n < 3 {
			continue
		}
		if n > 5 {
			w = string([]rune(w)[:max(5, n-2)])
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
		if len(out) == suggestWords {
			break
		}
	}
	return out
}
