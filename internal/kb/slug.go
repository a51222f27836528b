package kb

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"linedesk/internal/apperr"
)

// An article's address on the portal is /portal/kb/{slug}: lower-case
// Latin letters, digits and single hyphens, made from the title unless an
// editor chooses one.

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// reservedSlugs are words the portal's knowledge-base pages may use for
// themselves.
var reservedSlugs = []string{"search", "categories", "category", "c", "files", "new", "feed"}

const maxSlug = 120

func checkSlug(slug string) error {
	switch {
	case len(slug) > maxSlug:
		return apperr.Field("slug", "must be at most %d characters", maxSlug)
	case !slugPattern.MatchString(slug):
		return apperr.Field("slug", "use lower-case Latin letters, digits and single hyphens, e.g. mouse-does-not-work")
	case slices.Contains(reservedSlugs, slug):
		return apperr.Field("slug", "%q is reserved; choose another address", slug)
	}
	return nil
}

// cyrillic spells Russian letters in Latin (the common passport style).
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
}

// Slugify makes an address from a title: "Мышь не работает" →
// "mysh-ne-rabotaet", "Parole aizmirsta" → "parole-aizmirsta", "Pele
// nestrādā" → "pele-nestrada".
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		part, ok := cyrillic[r]
		if !ok {
			part = asciiOf(r)
		}
		if part == "" {
			dash = dash || (!ok && b.Len() > 0)
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(part)
		if b.Len() >= maxSlug-8 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	switch {
	case s == "":
		return "article"
	case slices.Contains(reservedSlugs, s):
		return s + "-article"
	}
	return s
}

// asciiOf is a letter or digit without its diacritics (ā → a, š → s),
// "" for anything else.
func asciiOf(r rune) string {
	var out []byte
	for _, c := range norm.NFD.String(string(r)) {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			out = append(out, byte(c))
		}
	}
	return string(out)
}
