package kb

import (
	"context"
	"fmt"
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
		q.Limit = f.Limit
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
// language whose title holds most words. The database ranks the articles
// by their ids alone; only the few shown are loaded.
func (s *Service) titleWords(ctx context.Context, text string, q Query, lang string) ([]Found, error) {
	words := matchWords(text)
	if len(words) == 0 {
		return []Found{}, nil
	}
	var w db.Where
	visibleTo(&w, q.Reader)
	var ors, score []string
	for _, word := range words {
		p := w.Arg(likeContains(word))
		ors = append(ors, `t.title_key LIKE `+p+` ESCAPE '\'`)
		score = append(score, `CASE WHEN t.title_key LIKE `+p+` ESCAPE '\' THEN 1 ELSE 0 END`)
	}
	w.Add(`(` + strings.Join(ors, ` OR `) + `)`)
	rows, err := s.db.R.QueryContext(ctx, `SELECT a.id FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id`+w.String()+`
		GROUP BY a.id, a.position ORDER BY max(`+strings.Join(score, ` + `)+`) DESC, a.position, a.id LIMIT `+w.Arg(q.Limit), w.Args...)
	if err != nil {
		return nil, fmt.Errorf("suggest articles: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return []Found{}, err
	}
	return s.shownIn(ctx, q.Reader, ids, lang, words)
}

// shownIn loads the articles of ids, in that order, each in the reader's
// language when it has a translation in it, else in the one whose title
// holds most of words.
func (s *Service) shownIn(ctx context.Context, r Reader, ids []int64, lang string, words []string) ([]Found, error) {
	var w db.Where
	visibleTo(&w, r)
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = w.Arg(id)
	}
	w.Add(`a.id IN (` + strings.Join(in, ", ") + `)`)
	list, err := s.found(ctx, w, false, 0, len(ids)*len(Languages))
	if err != nil {
		return nil, err
	}
	score := func(f Found) int {
		n, key := 0, titleKey(f.Translation.Title)
		for _, word := range words {
			if strings.Contains(key, word) {
				n++
			}
		}
		if f.Translation.Language == lang {
			n += len(words) + 1
		}
		return n
	}
	best := map[int64]Found{}
	for _, f := range list {
		if b, ok := best[f.Article.ID]; !ok || score(f) > score(b) {
			best[f.Article.ID] = f
		}
	}
	out := make([]Found, 0, len(ids))
	for _, id := range ids {
		if f, ok := best[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
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
