package email

import (
	"bytes"
	"fmt"
	"mime"
	"path"
	"strings"
)

// report collects what bounce detection needs from the MIME tree.
type report struct {
	reportType string   // report-type of a multipart/report, lower-case
	status     [][]byte // message/delivery-status bodies
	feedback   [][]byte // message/feedback-report bodies
	originals  [][]byte // returned messages or their headers
	texts      []leafText
}

// leafText is a text/* part that is not part of the body (a text attachment
// or the human-readable part of a report), decoded only when needed.
type leafText struct {
	data    []byte
	charset string
}

// bodyBuilder walks the MIME tree and sorts its leaves into body text, HTML,
// attachments and report material.
type bodyBuilder struct {
	m       *Message
	texts   []string
	htmls   []string
	report  *report
	hintSet bool
}

func newBodyBuilder(m *Message) *bodyBuilder {
	return &bodyBuilder{m: m, report: &report{}}
}

// walk visits n and its children. Of the alternatives in a
// multipart/alternative only the first text and the first HTML are kept: the
// others are the same content again.
func (b *bodyBuilder) walk(n *node) {
	if len(n.children) == 0 {
		b.leaf(n)
		return
	}
	if n.contentType == "multipart/report" && b.report.reportType == "" {
		b.report.reportType = strings.ToLower(n.params["report-type"])
	}
	nText, nHTML := len(b.texts), len(b.htmls)
	for _, c := range n.children {
		b.walk(c)
	}
	if n.contentType == "multipart/alternative" {
		b.texts = b.texts[:min(len(b.texts), nText+1)]
		b.htmls = b.htmls[:min(len(b.htmls), nHTML+1)]
	}
}

// leaf handles a part without children.
func (b *bodyBuilder) leaf(n *node) {
	ctype := n.contentType
	if ctype == "" {
		ctype = "text/plain"
	}
	data := b.decodeTransfer(n)
	filename := b.filename(n)
	bodyType := ctype == "text/plain" || ctype == "text/html" || strings.HasPrefix(ctype, "multipart/")
	if bodyType && n.disposition != "attachment" && filename == "" {
		b.bodyPart(n, ctype, data)
		return
	}
	switch ctype {
	case "message/delivery-status", "message/global-delivery-status":
		b.report.status = append(b.report.status, data)
	case "message/feedback-report":
		b.report.feedback = append(b.report.feedback, data)
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		b.report.originals = append(b.report.originals, data)
	}
	if strings.HasPrefix(ctype, "text/") {
		b.report.texts = append(b.report.texts, leafText{data, n.params["charset"]})
	}
	if filename == "" {
		filename = defaultFilename(ctype, len(b.m.Attachments)+1)
	}
	if len(data) > 0 && len(n.content) > 0 && &data[0] == &n.content[0] {
		data = bytes.Clone(data) // not decoded: do not hand out the caller's buffer
	}
	b.m.Attachments = append(b.m.Attachments, Part{
		Filename:    filename,
		ContentType: ctype,
		ContentID:   n.contentID,
		Inline:      strings.HasPrefix(ctype, "image/") && n.disposition != "attachment" && (n.contentID != "" || n.disposition == "inline"),
		Data:        data,
	})
}

// bodyPart decodes a text or HTML body part to UTF-8.
func (b *bodyBuilder) bodyPart(n *node, ctype string, data []byte) {
	charset := n.params["charset"]
	if charset == "" && ctype == "text/html" {
		charset = htmlCharset(data)
	}
	if !b.hintSet {
		b.m.charsetHint, b.hintSet = charset, true
	}
	s, problem := decodeBytes(data, charset)
	if problem != "" {
		b.m.problem("part %s: %s", n.id, problem)
	}
	s = normalizeNewlines(s)
	if ctype == "text/html" {
		b.htmls = append(b.htmls, s)
	} else {
		b.texts = append(b.texts, s)
	}
}

// maxHTML bounds the HTML that is sanitised for display: sanitising runs at
// a few MB/s, so a larger body is kept as an attachment instead.
const maxHTML = 1 << 20

// finish assembles Text and HTML.
func (b *bodyBuilder) finish() {
	b.m.Text = strings.Join(b.texts, "\n")
	html := strings.Join(b.htmls, "\n")
	switch {
	case len(html) > maxHTML:
		b.m.problem("HTML body of %d bytes is over %d: not displayed, kept as attachment body.html", len(html), maxHTML)
		b.m.Attachments = append(b.m.Attachments, Part{Filename: "body.html", ContentType: "text/html", Data: []byte(html)})
		if strings.TrimSpace(b.m.Text) == "" {
			b.m.Text = stripTags(html)
		}
	case html != "":
		b.m.HTML = sanitizeHTML(html)
		if strings.TrimSpace(b.m.Text) == "" {
			b.m.Text = htmlToText(b.m.HTML)
		}
	}
}

// decodeTransfer undoes the Content-Transfer-Encoding.
func (b *bodyBuilder) decodeTransfer(n *node) []byte {
	cte := strings.ToLower(strings.Trim(n.header.Get("Content-Transfer-Encoding"), " \t\"'"))
	switch {
	case cte == "" || cte == "7bit" || cte == "8bit" || cte == "binary":
		return n.content
	case strings.Contains(cte, "base64"):
		data, ok := decodeBase64(n.content)
		if !ok {
			b.m.problem("part %s: malformed base64", n.id)
		}
		return data
	case strings.Contains(cte, "quoted"):
		return decodeQuotedPrintable(n.content)
	}
	b.m.problem("part %s: unknown Content-Transfer-Encoding %q, kept as is", n.id, truncate(cte, 40))
	return n.content
}

// decodeQuotedPrintable decodes quoted-printable tolerantly: malformed
// escapes are kept literally and soft line breaks may end in CRLF or LF.
func decodeQuotedPrintable(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		switch j := i + 1; {
		case j+1 < len(in) && isHex(in[j]) && isHex(in[j+1]):
			out = append(out, unhex(in[j])<<4|unhex(in[j+1]))
			i += 2
		default:
			k := j // a soft line break: '=' then optional blanks then a newline
			for k < len(in) && (in[k] == ' ' || in[k] == '\t') {
				k++
			}
			switch {
			case k < len(in) && in[k] == '\n':
				i = k
			case k+1 < len(in) && in[k] == '\r' && in[k+1] == '\n':
				i = k + 1
			case k == len(in):
				i = k
			default:
				out = append(out, c)
			}
		}
	}
	return out
}

// filename returns the decoded file name of a part (RFC 2231 or RFC 2047
// parameters: Content-Disposition filename, then Content-Type name or the
// old file), without any path.
func (b *bodyBuilder) filename(n *node) string {
	hint := b.m.charsetHint
	name := paramValue(headerParams(n.header.Get("Content-Disposition")), "filename", hint)
	if name == "" {
		ctype := headerParams(n.header.Get("Content-Type"))
		if name = paramValue(ctype, "name", hint); name == "" {
			name = paramValue(ctype, "file", hint)
		}
	}
	name = strings.ReplaceAll(name, `\`, "/")
	if name = path.Base(name); name == "." || name == "/" || name == ".." {
		return ""
	}
	return name
}

// extensions names unnamed attachments of the commonest types.
var extensions = map[string]string{
	"message/rfc822": ".eml", "message/global": ".eml", "text/plain": ".txt",
	"text/html": ".html", "text/calendar": ".ics", "text/rfc822-headers": ".txt",
	"message/delivery-status": ".txt", "message/feedback-report": ".txt",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
}

func defaultFilename(ctype string, n int) string {
	ext, ok := extensions[ctype]
	if !ok {
		ext = ".bin"
		if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

// normalizeNewlines makes every line end "\n" and drops NUL bytes, which
// text columns cannot hold.
func normalizeNewlines(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.ContainsRune(s, 0) {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}
