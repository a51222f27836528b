package kb

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// PlainText writes an article's Markdown as plain text, as it is put into
// a reply: the words, lists numbered or bulleted, links and images as
// their text followed by their URL. Raw HTML is left out, as on a page.
// files gives the URL of the article's own files ("" leaves only the
// image's description).
func PlainText(md string, files FileURL) string {
	src := []byte(md)
	pc := parser.NewContext()
	pc.Set(filesKey, files)
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	w := plainWriter{src: src}
	w.blocks(doc, "")
	return strings.TrimSpace(w.b.String())
}

type plainWriter struct {
	src []byte
	b   strings.Builder
}

// blocks writes the block children of n, a blank line between them, each
// line starting with indent.
func (w *plainWriter) blocks(n ast.Node, indent string) {
	first := true
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.HTMLBlock); ok {
			continue
		}
		if !first && !isTight(n) {
			w.b.WriteString(strings.TrimRight(indent, " ") + "\n")
		}
		first = false
		w.block(c, indent)
	}
}

func isTight(n ast.Node) bool {
	if item, ok := n.(*ast.ListItem); ok {
		if l, ok := item.Parent().(*ast.List); ok {
			return l.IsTight
		}
	}
	return false
}

func (w *plainWriter) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		w.lines(indent, w.inline(n))
	case *ast.ThematicBreak:
		w.lines(indent, "---")
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		var code strings.Builder
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			code.Write(seg.Value(w.src))
		}
		w.lines(indent+"    ", strings.TrimRight(code.String(), "\n"))
	case *ast.Blockquote:
		w.blocks(n, indent+"> ")
	case *ast.List:
		w.list(n, indent)
	case *extast.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			var cells []string
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				cells = append(cells, w.inline(cell))
			}
			w.lines(indent, strings.Join(cells, " | "))
		}
	default:
		w.blocks(n, indent)
	}
}

func (w *plainWriter) list(l *ast.List, indent string) {
	n := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "- "
		if l.IsOrdered() {
			marker = strconv.Itoa(n) + ". "
			n++
		}
		var sub plainWriter
		sub.src = w.src
		sub.blocks(item, "")
		body := strings.TrimRight(sub.b.String(), "\n")
		pad := strings.Repeat(" ", len(marker))
		for i, line := range strings.Split(body, "\n") {
			if i == 0 {
				w.b.WriteString(indent + marker + line + "\n")
			} else {
				w.b.WriteString(strings.TrimRight(indent+pad+line, " ") + "\n")
			}
		}
		if !l.IsTight && item.NextSibling() != nil {
			w.b.WriteString("\n")
		}
	}
}

// lines writes text, each of its lines after indent.
func (w *plainWriter) lines(indent, text string) {
	for _, line := range strings.Split(text, "\n") {
		w.b.WriteString(strings.TrimRight(indent+line, " ") + "\n")
	}
}

// inline is the text of n's inline children.
func (w *plainWriter) inline(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.inlineNode(&b, c)
	}
	return b.String()
}

func (w *plainWriter) inlineNode(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.Write(n.Segment.Value(w.src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte('\n')
		}
	case *ast.String:
		b.Write(n.Value)
	case *ast.RawHTML:
	case *ast.AutoLink:
		b.Write(n.URL(w.src))
	case *ast.Link:
		label := w.inline(n)
		b.WriteString(label)
		if dest := safeURL(n.Destination); dest != "" && dest != label {
			b.WriteString(" (" + dest + ")")
		}
	case *ast.Image:
		alt := w.inline(n)
		switch dest := safeURL(n.Destination); {
		case dest == "":
			b.WriteString("[" + alt + "]")
		case alt == "":
			b.WriteString(dest)
		default:
			b.WriteString(alt + ": " + dest)
		}
	case *extast.TaskCheckBox:
		if n.IsChecked {
			b.WriteString("[x] ")
		} else {
			b.WriteString("[ ] ")
		}
	default:
		b.WriteString(w.inline(n))
	}
}

// safeURL keeps web and mail addresses; anything else (javascript: and
// its like) is left out of the text.
func safeURL(dest []byte) string {
	d := string(dest)
	l := strings.ToLower(d)
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:") ||
		(strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//")) {
		return d
	}
	return ""
}
