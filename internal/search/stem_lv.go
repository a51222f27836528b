package search

import "strings"

// The Latvian stemmer follows the light stemmer of Lucene (after Kārlis
// Kreslins' "A stemming algorithm for Latvian"): it removes the case and
// number endings of nouns and the case, number, gender and definiteness
// endings of adjectives, then undoes the palatalisation the removed
// ending caused in declensions II, V and VI (zivju → ziv, lāču → lac).
//
// It works on the word with its diacritics folded away (ā → a, š → s, …)
// and on endings folded the same way: many people type Latvian without
// Latvian letters, and "paroles", "parolēm" and "parolem" must meet at
// "parol". Where folding makes two of Lucene's endings one (-ām and -am),
// they had the same vowel condition; where it merges -u with -ū and -i
// with -ī, the palatalisation rules apply to both.

// lvAffix is an ending, the number of vowels a word must have more than
// for it to be removed, and whether removing it undoes palatalisation.
type lvAffix struct {
	ending       string
	vowels       int
	palatalizing bool
}

// lvAffixes are tried in order; the first that applies is removed.
var lvAffixes = []lvAffix{
	{"ajiem", 3, false}, {"ajai", 3, false}, {"ajam", 2, false}, {"ajos", 2, false}, {"ajas", 2, false},
	{"iem", 2, true}, {"aja", 2, false}, {"ais", 2, false}, {"ai", 2, false}, {"ei", 2, false},
	{"am", 1, false}, {"em", 1, false}, {"im", 1, false}, {"um", 1, false}, {"us", 1, true},
	{"as", 1, false}, {"es", 1, false}, {"os", 1, true}, {"ij", 1, false}, {"is", 1, false},
	{"ie", 1, false}, {"u", 1, true}, {"a", 1, true}, {"i", 1, true}, {"e", 1, false}, {"o", 1, false},
	{"s", 0, false},
}

// lvFold maps Latvian letters to their base letters, one rune for one.
var lvFold = strings.NewReplacer("ā", "a", "č", "c", "ē", "e", "ģ", "g", "ī", "i", "ķ", "k", "ļ", "l",
	"ņ", "n", "š", "s", "ū", "u", "ž", "z", "ō", "o", "ŗ", "r")

// FoldLatvian removes Latvian diacritics from a lower-case word.
func FoldLatvian(w string) string { return lvFold.Replace(w) }

// stemLatvian stems a lower-case Latvian word; the stem has no
// diacritics.
func stemLatvian(w string) string {
	orig := []rune(w)
	f := []rune(FoldLatvian(w))
	if len(f) != len(orig) {
		orig = f // not a one-for-one fold: judge by the folded word alone
	}
	vowels := 0
	for _, r := range f {
		if strings.ContainsRune("aeiou", r) {
			vowels++
		}
	}
	for _, a := range lvAffixes {
		n := len(a.ending)
		if vowels > a.vowels && len(f) >= n+3 && string(f[len(f)-n:]) == a.ending {
			stem := f[:len(f)-n]
			if a.palatalizing {
				stem = unpalatalize(stem, orig[:len(stem)], a.ending[0] == 'u')
			}
			return string(stem)
		}
	}
	return string(f)
}

// unpalatalize undoes the consonant change an ending caused. With folded
// letters most of Lucene's rules (šņ → sn, ļ → l, č → c, …) are already
// done; what is left is the labial -j- (zivju → ziv) and, before a
// genitive plural -u, kš → kst (which needs the original letters: a plain
// "ks" is not palatalised).
func unpalatalize(stem, orig []rune, genitivePlural bool) []rune {
	n := len(stem)
	if genitivePlural && n >= 2 && orig[n-2] == 'k' && orig[n-1] == 'š' {
		return append(stem[:n-1:n-1], 's', 't')
	}
	if n >= 2 && stem[n-1] == 'j' && strings.ContainsRune("pbmv", stem[n-2]) {
		return stem[:n-1]
	}
	return stem
}
