package email

import (
	stdhtml "html"
	"regexp"
	"strings"

	"github.com/inbucket/html2text"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// htmlPolicy is built once; bluemonday policies are safe for concurrent use.
var htmlPolicy = newHTMLPolicy()

// newHTMLPolicy allows the formatting mail needs and nothing that runs code,
// loads content by itself or reaches outside the message: no scripts, styles
// sheets, forms, frames, event handlers or id/class attributes, and only
// http, https, mailto, cid and data:image URLs (rewriteHTML narrows these
// further per element).
func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowURLSchemes("cid")
	p.AllowDataURIImages()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()
	p.AllowElements("article", "aside", "section", "figure", "figcaption", "summary", "details",
		"h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "br", "div", "hr", "p", "span", "wbr",
		"abbr", "acronym", "cite", "code", "dfn", "em", "mark", "s", "samp", "strong", "sub",
		"sup", "var", "b", "i", "pre", "small", "strike", "tt", "u", "center", "big", "blockquote", "q")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowImages()
	p.AllowLists()
	p.AllowTables()
	color := regexp.MustCompile(`^#?[0-9a-zA-Z]{1,20}$`)
	p.AllowAttrs("color").Matching(color).OnElements("font")
	p.AllowAttrs("face").Matching(regexp.MustCompile(`^[\p{L}\p{N}\s,'"-]{1,100}$`)).OnElements("font")
	p.AllowAttrs("size").Matching(regexp.MustCompile(`^[+-]?[1-7]$`)).OnElements("font")
	p.AllowAttrs("bgcolor").Matching(color).OnElements("table", "tr", "td", "th")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`(?i)^(left|right|center|justify)$`)).
		OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowStyles("color", "background-color", "text-align", "font-weight", "font-style",
		"font-size", "font-family", "text-decoration").Globally()
	p.AddSpaceWhenStrippingTag(true)
	return p
}

// sanitizeHTML makes mail HTML safe to show: the policy strips what is not
// allowed, then rewriteHTML disarms remote images and links.
func sanitizeHTML(s string) string {
	return rewriteHTML(htmlPolicy.Sanitize(s))
}

// rewriteHTML keeps remote images from loading (the URL moves to
// data-remote-src, which the display layer may restore on request), keeps
// cid: and data:image/ images, drops any other image source, and makes every
// link open in a new tab without an opener or a referrer.
func rewriteHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(raw)
			continue
		}
		raw = append([]byte(nil), raw...) // Token may overwrite z.Raw's buffer
		tok := z.Token()
		switch tok.Data {
		case "img":
			tok.Attr = imgAttrs(tok.Attr)
		case "a", "area":
			tok.Attr = linkAttrs(tok.Attr)
		default:
			b.Write(raw)
			continue
		}
		b.WriteString(tok.String())
	}
}

func imgAttrs(attrs []html.Attribute) []html.Attribute {
	out := attrs[:0]
	for _, a := range attrs {
		if a.Key == "src" {
			v := strings.TrimSpace(a.Val)
			switch lower := strings.ToLower(v); {
			case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
				a = html.Attribute{Key: "data-remote-src", Val: v}
			case strings.HasPrefix(lower, "//"):
				a = html.Attribute{Key: "data-remote-src", Val: "https:" + v}
			case strings.HasPrefix(lower, "cid:"), strings.HasPrefix(lower, "data:image/"):
			default: // relative URLs would hit the help desk's own origin
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func linkAttrs(attrs []html.Attribute) []html.Attribute {
	out := attrs[:0]
	for _, a := range attrs {
		switch a.Key {
		case "rel", "target":
			continue
		case "href":
			lower := strings.ToLower(strings.TrimSpace(a.Val))
			if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
				continue
			}
		}
		out = append(out, a)
	}
	return append(out,
		html.Attribute{Key: "rel", Val: "noopener noreferrer"},
		html.Attribute{Key: "target", Val: "_blank"})
}

// htmlToText renders sanitised HTML as plain text for the Text field when a
// message has no text/plain part.
func htmlToText(s string) string {
	text, err := html2text.FromString(s, html2text.Options{})
	if err != nil {
		return ""
	}
	return normalizeNewlines(text)
}

// blockTags end a line when stripTags removes them.
var blockTags = regexp.MustCompile(`(?i)^</?(p|div|br|tr|li|h[1-6]|table|blockquote|pre|hr)\b`)

// stripTags is a fast, plain conversion of HTML to text for bodies too large
// for htmlToText: tags go, script and style content goes, block elements end
// lines, entities are decoded.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		lower := strings.ToLower(s[:min(len(s), 8)])
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(lower, "<"+skip) {
				s = s[closingTag(s, skip):]
			}
		}
		if blockTags.MatchString(s[:min(len(s), 16)]) {
			b.WriteByte('\n')
		}
		j := strings.IndexByte(s, '>')
		if j < 0 {
			break
		}
		s = s[j+1:]
	}
	return normalizeNewlines(stdhtml.UnescapeString(b.String()))
}

// closingTag returns the index of the first "</name" in s, in any case, or
// len(s).
func closingTag(s, name string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], "</")
		if j < 0 {
			return len(s)
		}
		i += j
		if end := i + 2 + len(name); end <= len(s) && strings.EqualFold(s[i+2:end], name) {
			return i
		}
		i += 2
	}
}
