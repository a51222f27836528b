package email

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// Charset labels real mail uses that the WHATWG and IANA indexes do not know
// are rewritten by these patterns ("cp-1251", "win-1251", "koi8r", ...).
var labelFixes = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^(?:x-)?(?:cp|win|windows|ansi|ms)[-_ ]?(125\d)$`), "windows-$1"},
	{regexp.MustCompile(`^(?:x-)?(?:cp|ibm|dos)[-_ ]?(866|855|850|437)$`), "ibm$1"},
	{regexp.MustCompile(`^(?:x-)?koi[-_ ]?8[-_ ]?(r|u|ru)$`), "koi8-$1"},
	{regexp.MustCompile(`^(?:x-)?iso[-_ ]?8859[-_ ]?(\d{1,2})$`), "iso-8859-$1"},
	{regexp.MustCompile(`^(?:x-)?(?:utf|unicode)[-_ ]?8$`), "utf-8"},
}

// unknownLabels say "I do not know" and are treated like a missing label.
var unknownLabels = map[string]bool{
	"": true, "unknown": true, "unknown-8bit": true, "x-unknown": true, "8bit": true,
	"default": true, "x-user-defined": true, "none": true, "charset": true,
}

// normalizeLabel lower-cases a charset label, drops quotes, an RFC 2231
// language suffix ("utf-8*en") and repairs common misspellings.
func normalizeLabel(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"' `))
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	label = strings.TrimPrefix(label, "charset=")
	if label == "koi8-ru" {
		return "koi8-u"
	}
	for _, f := range labelFixes {
		if f.re.MatchString(label) {
			return f.re.ReplaceAllString(label, f.repl)
		}
	}
	return label
}

// lookupCharset returns the canonical name and decoder for a label, or
// ("", nil) when the label is missing or unknown. UTF-8 has a nil encoding.
func lookupCharset(label string) (string, encoding.Encoding) {
	label = normalizeLabel(label)
	if unknownLabels[label] {
		return "", nil
	}
	if label == "utf-8" {
		return "utf-8", nil
	}
	if enc, err := htmlindex.Get(label); err == nil && enc != encoding.Replacement {
		name, _ := htmlindex.Name(enc)
		if name == "utf-8" {
			return "utf-8", nil
		}
		return name, enc
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		name, _ := ianaindex.IANA.Name(enc)
		return strings.ToLower(name), enc
	}
	return "", nil
}

// latinNames are the labels Cyrillic mail is most often mislabelled with
// (WHATWG maps us-ascii and iso-8859-1 to windows-1252).
var latinNames = map[string]bool{"windows-1252": true, "iso-8859-1": true, "us-ascii": true, "iso-8859-15": true}

// decodeBytes converts text in the labelled charset to UTF-8. It never fails:
// when the label is missing or unknown, or the bytes are not valid in the
// labelled charset (or are Cyrillic under a Latin label), it guesses with
// guess8bit and returns a problem describing what it did.
func decodeBytes(b []byte, label string) (string, string) {
	name, enc := lookupCharset(label)
	stateful := strings.HasPrefix(name, "iso-2022") || strings.HasPrefix(name, "utf-16") || name == "hz-gb-2312"
	if !stateful && isASCII(b) {
		return string(b), ""
	}
	switch {
	case enc == nil: // UTF-8, missing or unknown label
		if utf8.Valid(b) {
			return string(b), ""
		}
		s, guess := guess8bit(b)
		return s, fmt.Sprintf("charset %q does not fit the bytes, decoded as %s", label, guess)
	case latinNames[name]:
		if utf8.Valid(b) {
			return string(b), fmt.Sprintf("charset %q is really utf-8", label)
		}
		if cs := cyrillicCharset(b); cs != nil {
			s, _ := cs.NewDecoder().Bytes(b)
			return string(s), fmt.Sprintf("charset %q is really Cyrillic, decoded as %s", label, charmapName(cs))
		}
	}
	s, err := enc.NewDecoder().Bytes(b)
	if err == nil && !newReplacement(b, s) {
		return string(s), ""
	}
	if utf8.Valid(b) {
		return string(b), fmt.Sprintf("charset %q does not fit the bytes, decoded as utf-8", label)
	}
	g, guess := guess8bit(b)
	return g, fmt.Sprintf("charset %q does not fit the bytes, decoded as %s", label, guess)
}

// newReplacement reports whether decoding produced U+FFFD that the input did
// not already contain, i.e. whether some bytes were invalid.
func newReplacement(in, out []byte) bool {
	return strings.ContainsRune(string(out), utf8.RuneError) && !strings.Contains(string(in), "\uFFFD")
}

// guess8bit decodes 8-bit text of unknown charset: Cyrillic (windows-1251 or
// KOI8-R, see cyrillicCharset) when it looks Cyrillic, windows-1252 otherwise.
func guess8bit(b []byte) (string, string) {
	cs := cyrillicCharset(b)
	if cs == nil {
		cs = charmap.Windows1252
	}
	s, _ := cs.NewDecoder().Bytes(b)
	return strings.ToValidUTF8(string(s), "\uFFFD"), charmapName(cs)
}

// cyrillicCharset decides whether 8-bit bytes are Russian-like Cyrillic and,
// if so, in which of the two common 8-bit encodings. It returns nil for
// anything else.
//
// The heuristic: in both windows-1251 and KOI8-R every byte 0xC0–0xFF is a
// Cyrillic letter, so Cyrillic text has nearly all of its 8-bit bytes there
// and has whole words of them (runs of three or more, or more 8-bit letters
// than ASCII ones), while Latin-1 text has isolated accented letters between
// ASCII ones. The two encodings put the cases in opposite
// halves: lower-case letters are 0xE0–0xFF in windows-1251 and 0xC0–0xDF in
// KOI8-R. Running text is mostly lower-case, so the half with more bytes
// decides. Text written entirely in capitals is misread; that is rare.
func cyrillicCharset(b []byte) *charmap.Charmap {
	var high, letters, ascii, lowHalf, highHalf, run, maxRun int
	for _, c := range b {
		if c < 0x80 {
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				ascii++
			}
			run = 0
			continue
		}
		high++
		switch {
		case c >= 0xC0:
			letters++
			if c >= 0xE0 {
				highHalf++
			} else {
				lowHalf++
			}
			run++
			maxRun = max(maxRun, run)
		case c == 0xA8 || c == 0xB8 || c == 0xA3 || c == 0xB3: // Ё/ё in either encoding
			letters++
			run++
		default:
			run = 0
		}
	}
	if high == 0 || letters*10 < high*8 || maxRun < 3 && letters <= ascii {
		return nil
	}
	if highHalf >= lowHalf {
		return charmap.Windows1251
	}
	return charmap.KOI8R
}

func charmapName(cs *charmap.Charmap) string {
	switch cs {
	case charmap.Windows1251:
		return "windows-1251"
	case charmap.KOI8R:
		return "koi8-r"
	}
	return "windows-1252"
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// metaCharset finds a charset declared in an HTML <meta> tag.
var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

func htmlCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if m := metaCharset.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}
