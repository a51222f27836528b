package agent

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"linedesk/internal/i18n"
	"linedesk/internal/ticket"
)

var (
	templateKey = regexp.MustCompile(`\.(T|N) "([a-z0-9_.\-]+)"`)
	goKey       = regexp.MustCompile(`\.(T|N)\("([a-z0-9_.\-]+)"`)
	action      = regexp.MustCompile(`(?s){{.*?}}`)
)

// usedKeys finds every message id the workspace's templates and Go code
// name literally, and whether it is used with a count.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	add := func(re *regexp.Regexp, src string) {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			if strings.HasSuffix(m[2], ".") {
				continue // a prefix completed at run time: its values are listed below
			}
			keys[m[2]] = keys[m[2]] || m[1] == "N"
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		add(templateKey, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(goKey, string(b))
	}
	// Ids built from a value: every value they can take.
	for _, s := range ticket.Statuses {
		keys["status."+string(s)] = false
	}
	for _, p := range ticket.Priorities {
		keys["priority."+string(p)] = false
	}
	for _, ty := range ticket.Types {
		keys["type."+string(ty)] = false
	}
	for _, c := range append(slices.Clone(ticket.Channels), ticket.ChannelWeb) {
		keys["channel."+string(c)] = false
	}
	for _, q := range queueKeys() {
		keys["queue."+q], keys["empty."+q+".title"], keys["empty."+q+".hint"] = false, false, false
	}
	for _, s := range sorts {
		keys["sort."+s] = false
	}
	for _, k := range ticket.LinkKinds {
		keys["link."+k] = false
	}
	for f := range flashes {
		keys["flash."+f] = false
	}
	for _, f := range []string{"subject", "status", "priority", "type", "line", "group_id", "assignee_id", "company_id",
		"requester_id", "parent_id", "tags"} {
		keys["field."+f] = false
	}
	return keys
}

// pluralForms are the CLDR plural categories each language needs.
var pluralForms = map[string][]string{"en": {"one", "other"}, "ru": {"one", "few", "many", "other"}, "lv": {"zero", "one", "other"}}

// sameEverywhere are messages that read the same in every language.
var sameEverywhere = map[string]bool{"channel.api": true, "channel.telegram": true, "sort.number": false,
	"admin.forms.origin_example": true}

func TestEveryMessageInEveryLanguage(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for key, plural := range usedKeys(t) {
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
			if lang != "en" && !sameEverywhere[key] && string(raw) == string(b.IDs("en")[key]) {
				t.Errorf("%s: message %q is still the English text %s", lang, key, raw)
			}
		}
	}
}

// textAttrs are the attributes a person reads.
var textAttrs = map[string]bool{"placeholder": true, "title": true, "aria-label": true, "alt": true, "value": false}

// untranslated are the words a template may carry as they are: the
// product's name and key names.
var untranslated = map[string]bool{"Linedesk": true, "L": true, "Ctrl": true, "Alt": true, "Enter": true}

func TestTemplatesHaveNoLiteralText(t *testing.T) {
	letter := regexp.MustCompile(`\pL{2,}`)
	// A "live" block is a list of attributes for the body tag.
	attrBlock := regexp.MustCompile(`(?s){{define "live"}}.*?{{end}}`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		src := action.ReplaceAllString(attrBlock.ReplaceAllString(string(b), ""), " ")
		z := html.NewTokenizer(strings.NewReader(src))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return nil
			}
			tok := z.Token()
			var texts []string
			switch tt {
			case html.TextToken:
				if !strings.Contains(tok.Data, "<") { // not the raw markup of a <noscript>
					texts = append(texts, tok.Data)
				}
			case html.StartTagToken, html.SelfClosingTagToken:
				if tok.Data == "script" || tok.Data == "style" {
					z.Next()
				}
				for _, a := range tok.Attr {
					if textAttrs[a.Key] {
						texts = append(texts, a.Val)
					}
				}
			}
			for _, s := range texts {
				for _, w := range strings.Fields(s) {
					if letter.MatchString(w) && !untranslated[w] {
						t.Errorf("%s: literal text %q is not translated", p, strings.TrimSpace(s))
						break
					}
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
