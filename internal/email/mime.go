package email

import (
	"bufio"
	"bytes"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"

	"linedesk/internal/apperr"
)

// node is one part of the MIME tree. Leaves keep their content as sliced
// from the raw message, still transfer-encoded.
type node struct {
	id          string // "0" for the root, "1", "1.2", ... below
	header      textproto.MIMEHeader
	contentType string            // lower-case, "" when missing or unreadable
	params      map[string]string // Content-Type parameters
	disposition string            // lower-case
	contentID   string            // without <>
	content     []byte
	children    []*node
}

// splitter builds the MIME tree with enmime's tolerant header and media
// type readers. It does its own boundary splitting: enmime's part reader
// copies every byte through one reader per nesting level and is several
// times slower than the rest of parsing together. The splitter finds
// delimiter lines with bytes.Index and never copies content, and it enforces
// the limits while it splits, so a MIME bomb fails at its first excess part.
type splitter struct {
	m      *Message
	limits Limits
	parts  int
}

// maxHeaderBytes bounds one header section. Real ones stay far below (MTAs
// such as Postfix cut headers at 100 KB); huge ones cost seconds and
// gigabytes to read.
const maxHeaderBytes = 1 << 20

// parse reads one entity (header and body) and, for a multipart, its parts.
func (s *splitter) parse(data []byte, id string, depth int, defaultType string) (*node, error) {
	head, body := splitHeader(data)
	if len(head) > maxHeaderBytes {
		if id == "0" {
			return nil, tooComplex("header section is %d bytes, over %d", len(head), maxHeaderBytes)
		}
		s.m.problem("part %s: no end of header in %d bytes, read as content", id, maxHeaderBytes)
		head, body = nil, data
	}
	n := &node{id: id, header: s.readHeader(head, id)}
	ctype := n.header.Get("Content-Type")
	if ctype == "" {
		ctype = defaultType
	}
	n.contentType, n.params = s.mediaType(ctype, id, "Content-Type")
	if d := n.header.Get("Content-Disposition"); d != "" {
		n.disposition, _ = s.mediaType(d, id, "Content-Disposition")
	}
	n.contentID = strings.Trim(strings.TrimSpace(n.header.Get("Content-Id")), "<>")
	n.content = body
	if !strings.HasPrefix(n.contentType, "multipart/") {
		return n, nil
	}
	return n, s.parseParts(n, depth)
}

// parseParts splits a multipart node into its children. A multipart that
// cannot be split stays a leaf and is read as text.
func (s *splitter) parseParts(n *node, depth int) error {
	boundary := n.params["boundary"]
	if boundary == "" {
		s.m.problem("part %s: multipart without a boundary, read as text", n.id)
		return nil
	}
	if depth+1 > s.limits.MaxDepth {
		return tooComplex("multipart nesting is deeper than %d levels", s.limits.MaxDepth)
	}
	parts, closed := splitParts(n.content, []byte("--"+boundary), s.limits.MaxParts-s.parts+1)
	if s.parts += len(parts); s.parts > s.limits.MaxParts {
		return tooComplex("message has more than %d MIME parts", s.limits.MaxParts)
	}
	if len(parts) == 0 {
		s.m.problem("part %s: boundary %q never appears, read as text", n.id, truncate(boundary, 70))
		return nil
	}
	if !closed {
		s.m.problem("part %s: boundary %q is not closed", n.id, truncate(boundary, 70))
	}
	childType := "text/plain"
	if n.contentType == "multipart/digest" {
		childType = "message/rfc822"
	}
	for i, p := range parts {
		id := strconv.Itoa(i + 1)
		if n.id != "0" {
			id = n.id + "." + id
		}
		child, err := s.parse(p, id, depth+1, childType)
		if err != nil {
			return err
		}
		n.children = append(n.children, child)
	}
	n.content = nil
	return nil
}

// readHeader parses a header block, recording what enmime had to repair.
func (s *splitter) readHeader(head []byte, id string) textproto.MIMEHeader {
	h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(head)), &problemCollector{s.m, id})
	if err != nil {
		s.m.problem("part %s: header: %v", id, err)
	}
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h
}

// mediaType parses a Content-Type or Content-Disposition value; an
// unreadable one counts as missing.
func (s *splitter) mediaType(v, id, field string) (string, map[string]string) {
	mtype, params, invalid, err := mediatype.ParseWithOptions(v, mediatype.ParseOptions{StripMediaTypeInvalidCharacters: true})
	if err != nil {
		s.m.problem("part %s: unreadable %s %q", id, field, truncate(v, 80))
		return "", map[string]string{}
	}
	for _, p := range invalid {
		s.m.problem("part %s: malformed %s parameter %q", id, field, truncate(p, 40))
	}
	return strings.ToLower(mtype), params
}

// problemCollector passes enmime's header repairs on as Problems.
type problemCollector struct {
	m  *Message
	id string
}

func (c *problemCollector) AddError(name, format string, args ...any) {
	c.m.problem("part %s: %s: %s", c.id, name, truncate(fmt.Sprintf(format, args...), 120))
}

func (c *problemCollector) AddWarning(name, format string, args ...any) {
	c.AddError(name, format, args...)
}

// splitHeader cuts an entity at the first empty line. Without one, it is
// all header.
func splitHeader(data []byte) (head, body []byte) {
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			break
		}
		line := data[pos : pos+end]
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return data[:pos], data[pos+end+1:]
		}
		pos += end + 1
	}
	return data, nil
}

// splitParts returns the parts of a multipart body
// and whether the closing delimiter was found; it stops after limit parts.
// A delimiter is a line that
// starts with "--boundary" followed by nothing, by blanks, or by "--" for
// the closing one; the line break before it belongs to the delimiter.
func splitParts(body, delim []byte, limit int) (parts [][]byte, closed bool) {
	start := -1 // start of the current part, -1 in the preamble
	for pos := 0; pos < len(body); {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		at := pos + i
		pos = at + len(delim)
		if at > 0 && body[at-1] != '\n' {
			continue
		}
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		if lineEnd < 0 {
			lineEnd = len(body) - pos
		}
		rest := body[pos : pos+lineEnd]
		final := bytes.HasPrefix(rest, []byte("--"))
		if !final && len(bytes.TrimSpace(rest)) > 0 && rest[0] != ' ' && rest[0] != '\t' {
			continue // a longer boundary that starts with this one
		}
		if start >= 0 {
			parts = append(parts, body[start:max(trimLineBreak(body, at), start)])
			if len(parts) >= limit {
				return parts, false
			}
		}
		if final {
			return parts, true
		}
		pos += lineEnd + 1
		start = min(pos, len(body))
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

// trimLineBreak returns the end of the content before a delimiter at index
// at: the CRLF or LF before the delimiter is not content.
func trimLineBreak(body []byte, at int) int {
	if at > 0 && body[at-1] == '\n' {
		at--
		if at > 0 && body[at-1] == '\r' {
			at--
		}
	}
	return at
}

func tooComplex(format string, args ...any) error {
	return apperr.Errorf(apperr.Invalid, "MIME structure rejected: "+format, args...)
}
