package attachment

import (
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilenameBytes is the longest file name kept, in bytes of UTF-8: what
// common file systems accept for one path element.
const maxFilenameBytes = 255

// CleanFilename makes a user-supplied name safe to store and to offer back
// for download: it keeps the real name (any script) but drops any
// directory part, control and bidirectional-override characters and
// invalid UTF-8, and cuts it to 255 bytes on a rune boundary, keeping a
// short extension. An empty result becomes "attachment".
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if strings.Trim(name, ".") == "" {
		return "attachment"
	}
	if len(name) <= maxFilenameBytes {
		return name
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
		ext = name[i:]
	}
	return truncate(name[:len(name)-len(ext)], maxFilenameBytes-len(ext)) + ext
}

// isBidiControl reports the invisible characters that reorder text, the
// trick that makes "invoice\u202Efdp.exe" look like a PDF.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// truncate cuts s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// inlineTypes are the only types a browser is allowed to display inline:
// raster images it decodes without running anything. SVG is missing on
// purpose: it can carry script.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
}

// Inline reports whether the attachment may be shown in the browser
// rather than downloaded. Only raster images qualify, and an attachment
// only carries such a type when its bytes were sniffed as that image.
func (a Attachment) Inline() bool {
	return inlineTypes[baseType(a.ContentType)]
}

// detectType decides the stored content type from the declared one and the
// first bytes of the content. The sniffed type wins unless the declared
// one is compatible with it and more specific; an inline image type is
// kept only when the bytes are that image, so a declared type can never
// make something displayable inline.
func detectType(declared string, head []byte) string {
	sniffed := http.DetectContentType(head)
	sb := baseType(sniffed)
	d, params, err := mime.ParseMediaType(declared)
	if err != nil || d == "application/octet-stream" {
		return sniffed
	}
	if inlineTypes[d] || inlineTypes[sb] {
		if d == sb {
			return d
		}
		return sniffed
	}
	keep := false
	switch {
	case sb == "application/octet-stream":
		keep = true // the sniffer does not know it; the declared type is better
	case strings.HasPrefix(sb, "text/"):
		keep = isTextual(d)
	default:
		keep = topType(d) == topType(sb)
	}
	if !keep {
		return sniffed
	}
	if cs, ok := params["charset"]; ok && isTextual(d) {
		return mime.FormatMediaType(d, map[string]string{"charset": cs})
	}
	return d
}

// isTextual reports types whose content is text, so a text sniff agrees.
func isTextual(t string) bool {
	if strings.HasPrefix(t, "text/") || strings.HasSuffix(t, "+json") || strings.HasSuffix(t, "+xml") {
		return true
	}
	switch t {
	case "application/json", "application/xml", "application/javascript",
		"application/x-yaml", "application/yaml", "application/x-sh", "application/sql":
		return true
	}
	return false
}

// baseType is the media type without parameters, lower-cased.
func baseType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

func topType(t string) string {
	top, _, _ := strings.Cut(t, "/")
	return top
}
