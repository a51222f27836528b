package kb

import (
	"context"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"linedesk/internal/db"
)

// A portal reader is shown each article once, in their language when it
// has a translation in it, else in the first other language it has:
// English, Russian, Latvian.

// bestTranslations lists, for each article q's reader may read, its
// translation best for a reader of lang; q.Text matches the title of any
// of its published translations, so an article is found by the words of
// whatever language it is written in.
func (s *Service) bestTranslations(ctx context.Context, q Query, lang string) ([]Found, int, error) {
	q.Limit = limit(q.Limit)
	var w db.Where
	visibleTo(&w, q.Reader)
	if q.Text != "" {
		w.Add(`EXISTS (SELECT 1 FROM kb_translations m WHERE m.article_id = t.article_id AND m.published_at IS NOT NULL
			AND m.title_key LIKE ` + w.Arg(likeContains(titleKey(q.Text))) + ` ESCAPE '\')`)
	}
	inCategory(&w, q.CategoryID)
	// Counted by article: one with any translation the reader may read
	// is listed once.
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_articles a WHERE EXISTS (SELECT 1 FROM kb_translations t
		WHERE t.article_id = a.id AND `+strings.TrimPrefix(w.String(), " WHERE ")+`)`, w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	w.Add(`t.language = (SELECT b.language FROM kb_translations b WHERE b.article_id = t.article_id AND b.published_at IS NOT NULL
		ORDER BY CASE b.language WHEN ` + w.Arg(lang) + ` THEN 0 WHEN 'en' THEN 1 WHEN 'ru' THEN 2 ELSE 3 END LIMIT 1)`)
	list, err := s.found(ctx, w, true, q.Offset, q.Limit)
	return list, total, err
}

// onePerArticle keeps the first hit of each article, in order, taking
// the reader's language instead when a later hit of the same article is
// in it.
func onePerArticle(found []Found, lang string) []Found {
	at := map[int64]int{}
	out := []Found{}
	for _, f := range found {
		i, seen := at[f.Article.ID]
		switch {
		case !seen:
			at[f.Article.ID] = len(out)
			out = append(out, f)
		case f.Translation.Language == lang && out[i].Translation.Language != lang:
			out[i] = f
		}
	}
	return out
}

// excerptLength is how many characters of an article a list shows.
const excerptLength = 200

// Excerpt is the beginning of an article's text for a list: the words of
// its paragraphs and lists, without headings, code blocks, tables, images,
// raw HTML or link targets, cut at a word boundary at about max
// characters.
func Excerpt(md string, max int) string {
	src := []byte(md)
	if len(src) > 8*max {
		cut := 8 * max
		for cut > 0 && !utf8.RuneStart(src[cut]) {
			cut--
		}
		src = src[:cut]
	}
	doc := markdown.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading, *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock, *ast.Image, *ast.RawHTML, *ast.AutoLink,
			*extast.Table:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			b.Write(n.Segment.Value(src))
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		}
		if b.Len() > 8*max {
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return cutWords(strings.Fields(b.String()), max)
}

// cutWords joins words up to about max characters, with an ellipsis when
// some are left out.
func cutWords(words []string, max int) string {
	var b strings.Builder
	n := 0
	for i, w := range words {
		l := utf8.RuneCountInString(w)
		if i > 0 && n+1+l > max {
			b.WriteString("…")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// snippetPolicy lets through a search snippet's <mark> and nothing else
// of HTML: the search engine escapes its passages, and the portal still
// does not take that on trust.
var snippetPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("mark")
	return p
}()

var spaces = regexp.MustCompile(`\s+`)

// SnippetHTML is a search hit's snippet, safe to put into a page.
func SnippetHTML(snippet string) template.HTML {
	return template.HTML(spaces.ReplaceAllString(snippetPolicy.Sanitize(snippet), " "))
}
