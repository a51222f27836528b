package portal

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

var (
	templateKey = regexp.MustCompile(`\.(T|N) "([a-z0-9_.\-]+)"`)
	goKey       = regexp.MustCompile(`\.(T|N)\("([a-z0-9_.\-]+)"`)
	navKey      = regexp.MustCompile(`"(portal\.nav\.[a-z_]+)"`)
	action      = regexp.MustCompile(`(?s){{.*?}}`)
)

// usedKeys finds every message id the portal's templates and Go code use,
// and whether it is used with a count, with the ids built at run time.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	add := func(re *regexp.Regexp, src string) {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			if k := m[len(m)-1]; !strings.HasSuffix(k, ".") && !strings.HasSuffix(k, "_") {
				keys[m[len(m)-1]] = keys[m[len(m)-1]] || m[1] == "N"
			}
		}
	}
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(templateFS, p)
			add(templateKey, string(b))
		}
		return err
	})
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			b, _ := os.ReadFile(f)
			add(goKey, string(b))
			add(navKey, string(b))
		}
	}
	for _, s := range ticket.Statuses {
		keys["portal.status."+string(s)], keys["portal.meaning."+string(s)] = false, false
		if s != ticket.StatusNew {
			keys["portal.event."+string(s)] = false
		}
	}
	keys["portal.event.reopened"] = false
	for _, k := range []string{"internal", "not_found", "forbidden", "rate_limited", "too_large", "conflict", "invalid"} {
		keys["portal.error."+k] = false
	}
	for f := range flashes {
		keys["portal.flash."+f] = false
	}
	for _, k := range []string{"submit", "sending", "optional", "honeypot", "choose", "failed"} {
		keys["portal.form."+k] = false
	}
	for _, k := range []string{"required", "email", "phone", "choice", "too_long", "too_many_files"} {
		keys["portal.form.problem."+k] = false
	}
	for _, k := range []string{portal.RefusedSpam, portal.RefusedTooFast, portal.RefusedStale, portal.RefusedTooMany,
		portal.RefusedOrigin, portal.RefusedBlocked} {
		keys["portal.form.refused."+k] = false
	}
	for _, k := range []string{portal.RefusedBlocked, portal.RefusedPending, portal.RefusedRevoked, portal.RefusedPlan,
		portal.RefusedClosed, portal.RefusedDomain, portal.RefusedSpam, portal.RefusedTooFast, portal.RefusedStale,
		portal.RefusedTooMany, portal.RefusedOrigin, portal.RefusedLinkBad, portal.RefusedLinkUsed, portal.RefusedLinkStale} {
		keys["portal.refused."+k] = false
	}
	for _, k := range []string{"subject", "description", "body"} {
		keys["portal.input."+k] = false
	}
	for _, k := range []string{"invalid", "conflict"} {
		keys["portal.rating.error_"+k] = false
	}
	for _, k := range []string{"name", "email"} {
		keys["portal.register.bad_"+k] = false
	}
	for _, k := range listStatusKeys {
		keys["portal.filter."+k], keys["portal.empty."+k] = false, false
	}
	for _, p := range []string{portal.LinkSignIn, portal.LinkInvite, portal.LinkConfirm} {
		keys["portal.link."+p], keys["portal.link."+p+"_text"], keys["portal.link."+p+"_button"] = false, false, false
	}
	for i := 1; i <= 5; i++ {
		keys["portal.rating.score_"+strconv.Itoa(i)] = false
	}
	return keys
}

var pluralForms = map[string][]string{"en": {"one", "other"}, "ru": {"one", "few", "many", "other"}, "lv": {"zero", "one", "other"}}

func TestEveryMessageInEveryLanguage(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	keys := usedKeys(t)
	if len(keys) < 150 {
		t.Fatalf("only %d messages found: the search is broken", len(keys))
	}
	for key, plural := range keys {
		for _, lang := range i18n.Languages {
			raw, ok := b.IDs(lang)[key]
			if !ok {
				t.Errorf("%s: message %q is missing", lang, key)
				continue
			}
			var forms map[string]string
			if json.Unmarshal(raw, &forms) == nil {
				for _, f := range pluralForms[lang] {
					if strings.TrimSpace(forms[f]) == "" {
						t.Errorf("%s: message %q lacks its %q plural form", lang, key, f)
					}
				}
			} else if plural {
				t.Errorf("%s: message %q is used with a count but has no plural forms", lang, key)
			}
			if lang != "en" && string(raw) == string(b.IDs("en")[key]) {
				t.Errorf("%s: message %q is still the English text %s", lang, key, raw)
			}
		}
	}
}

func TestTemplatesHaveNoLiteralText(t *testing.T) {
	letter := regexp.MustCompile(`\pL{2,}`)
	attrBlock := regexp.MustCompile(`(?s){{define "live"}}.*?{{end}}`)
	textAttrs := map[string]bool{"placeholder": true, "title": true, "aria-label": true, "alt": true}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, p)
		z := html.NewTokenizer(strings.NewReader(action.ReplaceAllString(attrBlock.ReplaceAllString(string(b), ""), " ")))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			var texts []string
			if tt == html.TextToken {
				texts = append(texts, tok.Data)
			}
			for _, a := range tok.Attr {
				if textAttrs[a.Key] {
					texts = append(texts, a.Val)
				}
			}
			for _, s := range texts {
				if letter.MatchString(s) {
					t.Errorf("%s: literal text %q is not translated", p, strings.TrimSpace(s))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
