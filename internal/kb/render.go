package kb

import (
	"bytes"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Articles are written in Markdown (CommonMark with GitHub's tables,
// strike-through, task lists and bare links). Raw HTML in the Markdown is
// never passed through: goldmark drops it, drops the target of
// javascript:, vbscript:, file: and data: links, and the HTML it makes is
// sanitised again by bluemonday's policy for user content. An article's
// own files are linked as attachment:ID, which each reader's page turns
// into the URL they can open the file at.

// FileURL gives the URL an article's file is read at, or "" when id is
// not one of the article's files (its link then goes nowhere).
type FileURL func(id int64) string

// fileScheme is how an article's Markdown names its own files.
const fileScheme = "attachment:"

// FileRef is the Markdown destination naming one of an article's files.
func FileRef(id int64) string { return fileScheme + strconv.FormatInt(id, 10) }

var filesKey = parser.NewContextKey()

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(fileLinks{}, 100))),
)

var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]+$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// Render turns an article's Markdown into HTML safe to show in a page.
func Render(md string, files FileURL) template.HTML {
	var buf bytes.Buffer
	pc := parser.NewContext()
	pc.Set(filesKey, files)
	if err := markdown.Convert([]byte(md), &buf, parser.WithContext(pc)); err != nil {
		// goldmark fails only when writing fails, which a buffer does not.
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}

// fileLinks points attachment:ID links and images at the reader's URL of
// the article's file.
type fileLinks struct{}

func (fileLinks) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	files, _ := pc.Get(filesKey).(FileURL)
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = resolveFile(n.Destination, files)
		case *ast.Image:
			n.Destination = resolveFile(n.Destination, files)
		}
		return ast.WalkContinue, nil
	})
}

func resolveFile(dest []byte, files FileURL) []byte {
	ref, ok := strings.CutPrefix(strings.ToLower(string(dest)), fileScheme)
	if !ok {
		return dest
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || files == nil {
		return nil
	}
	return []byte(files(id))
}

// FileLinks is the FileURL of an article's files, given their ids and
// how a reader's page addresses one.
func FileLinks(ids []int64, url func(id int64) string) FileURL {
	own := map[int64]bool{}
	for _, id := range ids {
		own[id] = true
	}
	return func(id int64) string {
		if !own[id] {
			return ""
		}
		return url(id)
	}
}
