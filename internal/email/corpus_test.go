package email

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// corpusDir finds the shared robustness corpus next to the module root
// (../shared/corpus from the directory holding go.mod), or skips the test.
func corpusDir(t testing.TB, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", sub)
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus %s not present", corpus)
	}
	return corpus
}

// corpusFiles lists the messages under dir, leaving out licences and notes.
func corpusFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, "LICENSE") || name == "COPYING" || strings.HasSuffix(name, ".md") {
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCorpusParsesWithinBounds parses every corpus message: each must either
// parse or be refused with an error, never panic, within 2 s and without
// growing the heap by more than 200 MB.
func TestCorpusParsesWithinBounds(t *testing.T) {
	files := corpusFiles(t, corpusDir(t, ""))
	var parsed, refused int
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		m, err := Parse(raw, DefaultLimits())
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(path)), path)
		if elapsed > 2*time.Second {
			t.Errorf("%s: took %v", rel, elapsed)
		}
		if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 200<<20 {
			t.Errorf("%s: heap grew by %d MB", rel, grew>>20)
		}
		if err != nil {
			refused++
			t.Logf("%s: refused: %v", rel, err)
			continue
		}
		parsed++
		if m == nil {
			t.Errorf("%s: nil message without error", rel)
		}
		runtime.KeepAlive(m)
	}
	t.Logf("%d messages: %d parsed, %d refused", len(files), parsed, refused)
}

// TestCorpusBounces checks that every bounce in the corpus is recognised as
// a bounce and as automatic mail, and names those that are not.
func TestCorpusBounces(t *testing.T) {
	files := corpusFiles(t, corpusDir(t, "bounces"))
	// Not bounces, but automatic mail: an RFC 3834 auto-reply and a mailing
	// list manager's loop alert.
	notBounces := map[string]bool{"rfc3834-05.eml": true, "lhost-fml-03.eml": true}
	var bounces, auto, withID, withRcpt int
	for _, path := range files {
		name := filepath.Base(path)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, DefaultLimits())
		if err != nil {
			t.Errorf("%s: refused: %v", name, err)
			continue
		}
		if m.Auto != "" {
			auto++
		} else {
			t.Errorf("%s: not recognised as automatic mail (From %q, Subject %q)", name, m.From.Email, m.Subject)
		}
		if m.Bounce == nil {
			t.Logf("%s: not a bounce, auto=%q", name, m.Auto)
			if !notBounces[name] {
				t.Errorf("%s: not recognised as a bounce (From %q, Subject %q)", name, m.From.Email, m.Subject)
			}
			continue
		}
		bounces++
		if m.Bounce.OriginalMessageID != "" {
			withID++
		}
		if len(m.Bounce.Recipients) > 0 {
			withRcpt++
		}
		t.Logf("%s: auto=%q recipients=%v permanent=%v original=%q", name, m.Auto, m.Bounce.Recipients, m.Bounce.Permanent, m.Bounce.OriginalMessageID)
	}
	t.Logf("%d files: %d bounces (%d with the original Message-ID, %d with recipients), %d automatic",
		len(files), bounces, withID, withRcpt, auto)
}
