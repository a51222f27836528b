package i18n_test

import (
	"testing"
	"time"

	"linedesk/internal/i18n"
)

func TestLocalizer(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	riga, _ := time.LoadLocation("Europe/Riga")
	at := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // 04:30 in Riga: the clocks went forward at 01:00 UTC
	cases := []struct {
		lang string
		got  func(*i18n.Localizer) string
		want string
	}{
		{"en", func(l *i18n.Localizer) string { return l.T("login.submit") }, "Sign in"},
		{"en", func(l *i18n.Localizer) string { return l.N("queue.total", 1) }, "1 ticket"},
		{"en", func(l *i18n.Localizer) string { return l.N("queue.total", 5) }, "5 tickets"},
		{"en", func(l *i18n.Localizer) string { return l.T("ticket.line_n", "N", 2) }, "Line 2"},
		{"en", func(l *i18n.Localizer) string { return l.DateTime(at) }, "29 Mar 2026, 04:30"},
		{"ru", func(l *i18n.Localizer) string { return l.DateTime(at) }, "29.03.2026 04:30"},
		{"lv", func(l *i18n.Localizer) string { return l.Date(at) }, "29.03.2026."},
		{"xx", func(l *i18n.Localizer) string { return l.T("login.submit") }, "Sign in"},
		{"en", func(l *i18n.Localizer) string { return l.T("no.such.message") }, "[no.such.message]"},
		{"en", func(l *i18n.Localizer) string { return l.Ago(at.Add(-90*time.Second), at) }, "1 minute ago"},
		{"en", func(l *i18n.Localizer) string { return l.Ago(at.Add(-3*time.Hour), at) }, "3 hours ago"},
	}
	for _, c := range cases {
		if got := c.got(b.For(c.lang, riga)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, got, c.want)
		}
	}
}

// TestPluralForms checks the catalogs' plural messages pick the right
// form for the counts where Russian and Latvian differ from English.
func TestPluralForms(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages {
		l := b.For(lang, nil)
		seen := map[string]bool{}
		for _, n := range []int{0, 1, 2, 5, 11, 21, 22, 25, 101} {
			seen[l.N("queue.total", n)] = true
		}
		want := map[string]int{"en": 2, "ru": 3, "lv": 3}[lang]
		// Distinct texts after removing the number: the forms in use.
		forms := map[string]bool{}
		for s := range seen {
			forms[stripDigits(s)] = true
		}
		if len(forms) < want {
			t.Errorf("%s: queue.total uses %d forms over 0…101, want %d: %v", lang, len(forms), want, seen)
		}
	}
}

func stripDigits(s string) string {
	out := []rune{}
	for _, r := range s {
		if r < '0' || r > '9' {
			out = append(out, r)
		}
	}
	return string(out)
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{"ru-RU,ru;q=0.9,en;q=0.8": "ru", "lv": "lv", "de-DE,lv;q=0.5": "lv", "": "en", "fr": "en"} {
		if got := i18n.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}
