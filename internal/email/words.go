package email

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// encodedWord matches an RFC 2047 encoded-word. It is looser than the RFC:
// whitespace inside the encoded text (left by folding) is allowed, and the
// word need not be separated from surrounding text.
var encodedWord = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=`)

// decodeHeader turns a raw header value into clean UTF-8: raw 8-bit bytes
// are decoded (see decodeBytes; hint is the charset the body declares), then
// encoded-words, then control characters become spaces.
func decodeHeader(raw, hint string) string {
	if raw == "" {
		return ""
	}
	s := raw
	if !isASCII([]byte(s)) && !utf8.ValidString(s) {
		s, _ = decodeBytes([]byte(s), hint)
	}
	return cleanText(decodeWords(s))
}

// decodeWords decodes the encoded-words in s. Adjacent words in the same
// charset are joined before charset decoding, so a multi-byte character
// split across two words survives; whitespace between encoded-words is
// dropped as RFC 2047 requires. Words that cannot be decoded stay as they are.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	locs := encodedWord.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var (
		out         strings.Builder
		pending     []byte
		pendCharset string
		havePending bool
		last        int
	)
	flush := func() {
		if havePending {
			text, _ := decodeBytes(pending, pendCharset)
			out.WriteString(text)
			pending, havePending = pending[:0], false
		}
	}
	for _, loc := range locs {
		between := s[last:loc[0]]
		if !havePending || strings.TrimSpace(between) != "" {
			flush()
			out.WriteString(between)
		}
		charset, enc, text := s[loc[2]:loc[3]], s[loc[4]:loc[5]], s[loc[6]:loc[7]]
		var data []byte
		if enc == "b" || enc == "B" {
			data, _ = decodeBase64([]byte(text))
		} else {
			data = decodeQ(text)
		}
		if havePending && !strings.EqualFold(charset, pendCharset) {
			flush()
		}
		pending, pendCharset, havePending = append(pending, data...), charset, true
		last = loc[1]
	}
	flush()
	out.WriteString(s[last:])
	return out.String()
}

// decodeQ decodes the RFC 2047 "Q" encoding, keeping malformed escapes.
func decodeQ(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

// cleanText turns control characters (including CR, LF and TAB) into
// spaces, collapses runs of spaces and trims, for one-line header values.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 || r == 0x7f || r == ' ' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// headerParams splits a structured header value such as a Content-Type or
// Content-Disposition into lower-cased parameter names and values. It is
// tolerant: quotes may be missing, and the first of duplicate names wins.
func headerParams(v string) map[string]string {
	params := map[string]string{}
	_, rest, ok := strings.Cut(v, ";")
	for ok && rest != "" {
		var item string
		item, rest, ok = cutParam(rest)
		name, value, found := strings.Cut(item, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !found || name == "" {
			continue
		}
		if _, dup := params[name]; !dup {
			params[name] = unquote(strings.TrimSpace(value))
		}
	}
	return params
}

// cutParam returns the text before the next ';' that is not inside quotes.
func cutParam(s string) (item, rest string, more bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", true
}

func unquote(v string) string {
	if !strings.HasPrefix(v, `"`) {
		return v
	}
	v = strings.TrimSuffix(v[1:], `"`)
	if !strings.Contains(v, `\`) {
		return v
	}
	// Only \" and \\ are taken as escapes: Windows paths in file names are
	// sent with bare backslashes.
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\') {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// paramValue returns a decoded parameter: RFC 2231 (name*, or continuations
// name*0, name*1*, ... with charset'language'percent-encoding) when present,
// else the plain value with RFC 2047 encoded-words or raw 8-bit text decoded.
func paramValue(params map[string]string, name, hint string) string {
	if v, ok := params[name+"*"]; ok {
		return decodeExtValue(v, hint)
	}
	var data []byte
	charset, encoded := "", false
	for i := 0; i < 1000; i++ {
		key := name + "*" + strconv.Itoa(i)
		v, enc := params[key+"*"]
		if !enc {
			var ok bool
			if v, ok = params[key]; !ok {
				break
			}
		}
		if i == 0 && enc {
			charset, v = splitExtCharset(v)
		}
		encoded = encoded || enc
		if enc {
			data = append(data, percentDecode(v)...)
		} else {
			data = append(data, v...)
		}
	}
	if data != nil || encoded {
		if charset == "" {
			charset = hint
		}
		s, _ := decodeBytes(data, charset)
		return cleanText(decodeWords(s))
	}
	return decodeHeader(params[name], hint)
}

// decodeExtValue decodes one RFC 2231 extended value: charset'lang'text.
func decodeExtValue(v, hint string) string {
	charset, text := splitExtCharset(v)
	if charset == "" {
		charset = hint
	}
	s, _ := decodeBytes(percentDecode(text), charset)
	return cleanText(s)
}

// splitExtCharset splits "utf-8'en'text" into "utf-8" and "text"; a value
// without the two quotes has no charset.
func splitExtCharset(v string) (string, string) {
	parts := strings.SplitN(v, "'", 3)
	if len(parts) != 3 {
		return "", v
	}
	return parts[0], parts[2]
}

// percentDecode decodes %XX escapes, keeping malformed ones literally.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// decodeBase64 decodes base64 tolerantly: characters outside the alphabet
// are skipped, padding may appear in the middle (separately encoded chunks),
// and a trailing incomplete group is dropped. ok is false when anything had
// to be skipped.
func decodeBase64(in []byte) ([]byte, bool) {
	out := make([]byte, 0, len(in)*3/4)
	chunk := make([]byte, 0, 256)
	ok := true
	emit := func() {
		if len(chunk)%4 == 1 {
			chunk, ok = chunk[:len(chunk)-1], false
		}
		n, dl := len(out), base64.RawStdEncoding.DecodedLen(len(chunk))
		out = slices.Grow(out, dl)[:n+dl]
		w, err := base64.RawStdEncoding.Decode(out[n:], chunk)
		if err != nil {
			ok = false
		}
		out = out[:n+w]
		chunk = chunk[:0]
	}
	for _, c := range in {
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/':
			chunk = append(chunk, c)
			if len(chunk) == cap(chunk) && len(chunk)%4 == 0 {
				emit()
			}
		case c == '=':
			if len(chunk) > 0 {
				emit()
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			ok = false
		}
	}
	emit()
	return out, ok
}
