package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// hardBreaks end a chunk like a space does. ':' '/' '.' '@' '-' '_' '#'
// stay inside chunks: they hold addresses, paths, versions and codes
// together.
const hardBreaks = ",;!?()[]{}<>\"«»“”„|*=&`^$"

// forChunks calls fn with each run of text between spaces and hard
// punctuation, and its byte offset.
func forChunks(text string, fn func(start int, chunk string)) {
	start := -1
	for i, r := range text {
		brk := unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(hardBreaks, r) ||
			r == utf8.RuneError
		switch {
		case !brk && start < 0:
			start = i
		case brk && start >= 0:
			fn(start, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		fn(start, text[start:])
	}
}

// trimChunk cuts the punctuation around a chunk's core: "Error:", "end.",
// "'quoted'". A leading '#' before digits and a leading '/' or '\' of a
// path stay.
func trimChunk(c string) (lo, hi int) {
	hi = len(c)
	for hi > 0 {
		r, n := utf8.DecodeLastRuneInString(c[:hi])
		if isWordRune(r) {
			break
		}
		hi -= n
	}
	for lo < hi {
		r, n := utf8.DecodeRuneInString(c[lo:hi])
		if isWordRune(r) || ((r == '#' || r == '/' || r == '\\') && lo+n < hi && isWordRune(firstRune(c[lo+n:hi]))) {
			break
		}
		lo += n
	}
	return lo, hi
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// span is a byte range of a chunk.
type span struct{ lo, hi int }

// technical finds the whole tokens a chunk holds besides its words: a
// ticket number, an e-mail address and its parts, a URL's host, an IP
// address, a path and its file name, a version or dotted name, an
// identifier with underscores, a code with a hyphen and digits, a hex
// code's digits. words reports whether the chunk's words are indexed too
// (not for numbers such as IP addresses and versions, whose pieces mean
// nothing alone).
func technical(c string) (wholes []span, words bool) {
	whole := span{0, len(c)}
	switch {
	case c[0] == '#' && allDigits(c[1:]):
		return []span{whole}, true
	case strings.Contains(c, "://"):
		return urlHost(c), true
	case strings.Count(c, "@") == 1:
		if parts := emailParts(c); parts != nil {
			return parts, true
		}
	case isIPv4(c):
		return []span{whole}, false
	case isIPv4Port(c):
		i := strings.LastIndexByte(c, ':')
		return []span{whole, {0, i}, {i + 1, len(c)}}, false
	case strings.Count(c, ":") >= 2 && isHexColons(c):
		return []span{whole}, false // IPv6 or MAC address
	case strings.ContainsAny(c, `/\`):
		return pathParts(c), true
	}
	return plainTechnical(c)
}

// plainTechnical handles chunks without '@', '://' or a path.
func plainTechnical(c string) ([]span, bool) {
	whole := span{0, len(c)}
	switch {
	case strings.Contains(c, ".") && dottedCore(c):
		if numericDotted(c) {
			if c[0] == 'v' || c[0] == 'V' {
				return []span{whole, {1, len(c)}}, false
			}
			return []span{whole}, false
		}
		return []span{whole}, true
	case strings.Contains(c, "_"):
		return []span{whole}, true
	case strings.Contains(c, "-") && strings.ContainsFunc(c, unicode.IsDigit):
		return []span{whole}, true
	case len(c) > 3 && (strings.HasPrefix(c, "0x") || strings.HasPrefix(c, "0X")) && isHex(c[2:]):
		return []span{{2, len(c)}}, true
	}
	return nil, true
}

// emailParts returns the address, its local part and its domain, or nil
// when c is not an address.
func emailParts(c string) []span {
	at := strings.IndexByte(c, '@')
	local, domain := c[:at], c[at+1:]
	if local == "" || !strings.Contains(domain, ".") || !dottedCore(domain) {
		return nil
	}
	for _, r := range local {
		if !isWordRune(r) && !strings.ContainsRune("._+-", r) {
			return nil
		}
	}
	return []span{{0, len(c)}, {0, at}, {at + 1, len(c)}}
}

// urlHost returns the host of a URL (without port), which is searched as
// a domain; the path's words are indexed as words.
func urlHost(c string) []span {
	i := strings.Index(c, "://") + 3
	j := i
	for j < len(c) && c[j] != '/' && c[j] != ':' && c[j] != '?' && c[j] != '#' {
		j++
	}
	if at := strings.LastIndexByte(c[i:j], '@'); at >= 0 {
		i += at + 1
	}
	if j > i && dottedCore(c[i:j]) {
		return []span{{i, j}}
	}
	return nil
}

// pathParts returns a path and, when its last part names a file
// ("error.log"), that name.
func pathParts(c string) []span {
	out := []span{{0, len(c)}}
	i := strings.LastIndexAny(c, `/\`)
	if name := c[i+1:]; strings.Contains(name, ".") && dottedCore(name) {
		out = append(out, span{i + 1, len(c)})
	}
	return out
}

// dottedCore reports whether s is word runs joined by single dots, as a
// domain, file name or version is.
func dottedCore(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		for _, r := range part {
			if !isWordRune(r) && r != '-' && r != '_' {
				return false
			}
		}
	}
	return true
}

// numericDotted reports whether s is a version or a decimal number:
// digits and dots, maybe after a "v".
func numericDotted(s string) bool {
	if s[0] == 'v' || s[0] == 'V' {
		s = s[1:]
	}
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || !allDigits(p) {
			return false
		}
	}
	return true
}

func isIPv4Port(s string) bool {
	i := strings.LastIndexByte(s, ':')
	return i > 0 && isIPv4(s[:i]) && allDigits(s[i+1:]) && len(s) > i+1
}

// isHexColons reports whether s is hex groups separated by colons, as
// IPv6 and MAC addresses are.
func isHexColons(s string) bool {
	for _, part := range strings.Split(s, ":") {
		if len(part) > 4 || !isHex(part) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (s[i] < '0' || s[i] > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
