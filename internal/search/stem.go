package search

import (
	"sync"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// stemWord stems a folded, non-stop word of a language. Latvian stems are
// written without diacritics, so words typed on a keyboard without
// Latvian letters meet the same stems.
func stemWord(lang Lang, w string) string {
	switch lang {
	case English:
		return english.Stem(w, true)
	case Russian:
		return russian.Stem(w, true)
	case Latvian:
		return stemLatvian(w)
	}
	return w
}

// stemCache remembers stems: a help desk's vocabulary is small next to
// the number of words it indexes, and stemming is most of the analyzer's
// work. When full it starts over rather than tracking use.
type stemCache struct {
	mu    sync.RWMutex
	max   int
	stems map[stemKey]string
}

type stemKey struct {
	lang Lang
	word string
}

func newStemCache(max int) *stemCache {
	return &stemCache{max: max, stems: map[stemKey]string{}}
}

func (c *stemCache) stem(lang Lang, w string) string {
	k := stemKey{lang, w}
	c.mu.RLock()
	s, ok := c.stems[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = stemWord(lang, w)
	c.mu.Lock()
	if len(c.stems) >= c.max {
		c.stems = map[stemKey]string{}
	}
	c.stems[k] = s
	c.mu.Unlock()
	return s
}
