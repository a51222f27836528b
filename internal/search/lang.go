package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// latvianLetters are the letters only Latvian (of the languages Linedesk
// speaks) writes.
const latvianLetters = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"

func hasLatvianLetter(s string) bool {
	return strings.ContainsAny(s, latvianLetters)
}

// latvianWords are frequent Latvian words written without diacritics too,
// as people type them on keyboards without Latvian letters.
var latvianWords = setOf(`un ir ar nav vai es mums jums ludzu paldies sveiki labdien nevaru var kas uz pie par jau
	tas bet jo lai tiek esmu nedarbojas darbojas strada nestrada dators datoru datoram parole paroli kad vel tikai
	cik kur kapec ari sis tad tagad seit rit sodien vakar ludzam atkal nevar neizdodas lapa lapu sistema sistemu
	kluda kludu zinojums epasts pasts pieslegties pieslegt savienojums printeris printeri drukat nedruka tiklis
	internets lietotajs konts kontu`)

// englishWords are frequent English words.
var englishWords = setOf(`the is are and to of in not does do cannot can please thanks thank hello hi my it with for
	on this that we you have has after when from be was were our your will would there again since error issue
	problem work working works doesnt dont get got any all`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// DetectLatin tells whether the Latin-script words of text are Latvian or
// English: Latvian letters and frequent Latvian words count for Latvian,
// frequent English words for English. Text with no evidence either way
// is English.
func DetectLatin(text string) Lang {
	lv, en := latinEvidence(text)
	if lv > en {
		return Latvian
	}
	return English
}

// latinEvidence scores text for Latvian and English.
func latinEvidence(text string) (lv, en int) {
	forWords(text, func(s, e int) {
		// Only Latin words count, and the lists hold short words: a long
		// word needs folding only for its Latvian letters.
		if r := firstRune(text[s:e]); r >= utf8.RuneSelf && !unicode.Is(unicode.Latin, r) {
			return
		}
		if e-s > 24 {
			if hasLatvianLetter(text[s:e]) {
				lv += 2
			}
			return
		}
		w := foldWord(text[s:e])
		if w == "" {
			return
		}
		switch {
		case hasLatvianLetter(w):
			lv += 2
		case latvianWords[w]:
			lv++
		}
		if englishWords[w] {
			en++
		}
	})
	return lv, en
}

// detectPart picks the Latin language of one part of a document (a
// subject, a comment): its own evidence when it has some, else the
// document's.
func detectPart(text string, doc Lang) Lang {
	lv, en := latinEvidence(text)
	switch {
	case lv > en:
		return Latvian
	case en > lv:
		return English
	}
	return doc
}
