// Package i18n gives Linedesk's screens and messages in English, Russian
// and Latvian: message catalogs with plural forms, and dates in a reader's
// language and time zone.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the languages Linedesk speaks, the default first.
var Languages = []string{"en", "ru", "lv"}

// LanguageNames are the languages' names as their speakers write them.
var LanguageNames = map[string]string{"en": "English", "ru": "Русский", "lv": "Latviešu"}

//go:embed locales/*.json
var locales embed.FS

// Bundle holds the message catalogs of every language.
type Bundle struct {
	b        *goi18n.Bundle
	messages map[string]map[string]json.RawMessage // language → id → message
	fixed    map[string]map[string]string          // language → id → text of messages with no variables
}

// New loads the embedded catalogs. A catalog that does not parse fails the
// start.
func New() (*Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	out := &Bundle{b: b, messages: map[string]map[string]json.RawMessage{}, fixed: map[string]map[string]string{}}
	names, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		out.messages[lang] = map[string]json.RawMessage{}
	}
	// Catalogs are split by screen: workspace.ru.json, admin.ru.json, …
	for _, name := range names {
		lang := path.Ext(strings.TrimSuffix(name, ".json"))
		lang = strings.TrimPrefix(lang, ".")
		if _, ok := out.messages[lang]; !ok {
			return nil, fmt.Errorf("catalog %s: unknown language %q", name, lang)
		}
		buf, err := fs.ReadFile(locales, name)
		if err != nil {
			return nil, fmt.Errorf("read catalog %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(buf, name); err != nil {
			return nil, fmt.Errorf("parse catalog %s: %w", name, err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(buf, &m); err != nil {
			return nil, fmt.Errorf("parse catalog %s: %w", name, err)
		}
		for id, msg := range m {
			if _, dup := out.messages[lang][id]; dup {
				return nil, fmt.Errorf("catalog %s: message %q is defined twice", name, id)
			}
			out.messages[lang][id] = msg
		}
	}
	out.fixTexts()
	return out, nil
}

// fixTexts keeps the texts of messages without variables or plural forms
// ready: a page asks for hundreds of them, and they never change.
func (b *Bundle) fixTexts() {
	for lang, msgs := range b.messages {
		b.fixed[lang] = map[string]string{}
		for id, raw := range msgs {
			var text string
			if json.Unmarshal(raw, &text) == nil && !strings.Contains(text, "{{") {
				b.fixed[lang][id] = text
			}
		}
	}
}

// IDs returns the message ids of a language's catalog.
func (b *Bundle) IDs(lang string) map[string]json.RawMessage { return b.messages[lang] }

// Supported returns lang when Linedesk speaks it, else "".
func Supported(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return ""
}

// Match picks the best language for an Accept-Language header, English
// when none fits.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return Languages[0]
	}
	for _, t := range tags {
		base, _ := t.Base()
		if l := Supported(base.String()); l != "" {
			return l
		}
	}
	return Languages[0]
}

// For returns a localizer for one reader: their language and time zone.
// An unknown language falls back to English, a nil zone to UTC.
func (b *Bundle) For(lang string, loc *time.Location) *Localizer {
	if Supported(lang) == "" {
		lang = Languages[0]
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Localizer{Lang: lang, Loc: loc, l: goi18n.NewLocalizer(b.b, lang), fixed: b.fixed[lang]}
}
