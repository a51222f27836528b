package email

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

const (
	russian      = "Здравствуйте, не работает принтер в бухгалтерии. Ёлка и щётка."
	latvian      = "Labdien, nedarbojas printeris grāmatvedībā. Šķērslis ņemot žūrija."
	japaneseText = "プリンターが動きません。よろしくお願いします。"
)

// TestParseCharsets builds a message per charset, with the body and an
// RFC 2047 subject in that charset, and checks both come out as UTF-8.
func TestParseCharsets(t *testing.T) {
	tests := []struct {
		label string
		enc   encoding.Encoding
		text  string
	}{
		{"windows-1251", charmap.Windows1251, russian},
		{"KOI8-R", charmap.KOI8R, russian},
		{"ISO-8859-5", charmap.ISO8859_5, russian},
		{"ISO-8859-13", charmap.ISO8859_13, latvian},
		{"windows-1257", charmap.Windows1257, latvian},
		{"ISO-2022-JP", japanese.ISO2022JP, japaneseText},
		{"cp-1251", charmap.Windows1251, russian},
		{"win-1251", charmap.Windows1251, russian},
		{"cp1251", charmap.Windows1251, russian},
		{"x-cp1251", charmap.Windows1251, russian},
		{"koi8r", charmap.KOI8R, russian},
		{"cp1257", charmap.Windows1257, latvian},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			body := encode(t, tt.enc, tt.text)
			subject := "=?" + tt.label + "?B?" + base64.StdEncoding.EncodeToString([]byte(body)) + "?="
			raw := "From: a@example.com\nSubject: " + subject + "\nMIME-Version: 1.0\n" +
				"Content-Type: text/plain; charset=\"" + tt.label + "\"\nContent-Transfer-Encoding: 8bit\n\n" + body + "\n"
			m := mustParse(t, crlf(raw))
			if got := strings.TrimSpace(m.Text); got != tt.text {
				t.Errorf("Text = %q, want %q", got, tt.text)
			}
			if m.Subject != tt.text {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.text)
			}
		})
	}
}

// TestParseUnlabelledCyrillic covers 8-bit Cyrillic with no label, a wrong
// label, and raw 8-bit bytes in headers without encoded-words.
func TestParseUnlabelledCyrillic(t *testing.T) {
	tests := []struct {
		name, ctype string
		enc         encoding.Encoding
	}{
		{"no charset", "text/plain", charmap.Windows1251},
		{"no content type", "", charmap.KOI8R},
		{"labelled us-ascii", "text/plain; charset=us-ascii", charmap.Windows1251},
		{"labelled iso-8859-1", "text/plain; charset=iso-8859-1", charmap.KOI8R},
		{"labelled utf-8", "text/plain; charset=utf-8", charmap.Windows1251},
		{"unknown label", "text/plain; charset=x-russian-thing", charmap.KOI8R},
	}
	const subject, name = "Не работает почта", "Иван Петров"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: " + encode(t, tt.enc, name) + " <Ivan@Example.RU>\n" +
				"Subject: " + encode(t, tt.enc, subject) + "\n"
			if tt.ctype != "" {
				raw += "Content-Type: " + tt.ctype + "\n"
			}
			raw += "\n" + encode(t, tt.enc, russian) + "\n"
			m := mustParse(t, crlf(raw))
			if got := strings.TrimSpace(m.Text); got != russian {
				t.Errorf("Text = %q, want %q", got, russian)
			}
			if m.Subject != subject {
				t.Errorf("Subject = %q, want %q", m.Subject, subject)
			}
			if m.From != (Address{Name: name, Email: "ivan@example.ru"}) {
				t.Errorf("From = %+v", m.From)
			}
		})
	}
}

func TestDecodeBytes(t *testing.T) {
	tests := []struct {
		name, label string
		in          []byte
		want        string
		problem     bool
	}{
		{"ascii", "", []byte("hello"), "hello", false},
		{"utf-8", "utf-8", []byte("привет"), "привет", false},
		{"utf-8 under latin label", "iso-8859-1", []byte("привет"), "привет", true},
		{"latin-1 stays latin-1", "iso-8859-1", []byte("Caf\xe9 Gr\xfc\xdfe"), "Café Grüße", false},
		{"unlabelled latin-1", "", []byte("Caf\xe9 Gr\xfc\xdfe"), "Café Grüße", true},
		{"short cyrillic word", "", []byte("\xc4\xe0"), "Да", true},
		{"koi8-r without label", "", []byte("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", true},
		{"invalid utf-8 is guessed", "utf-8", []byte("\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет", true},
		{"windows-1251 with an undefined byte", "windows-1251", []byte("\xcf\xf0\xe8\xe2\xe5\xf2\x98\xec\xe8\xf0"), "Привет\uFFFDмир", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := decodeBytes(tt.in, tt.label)
			if got != tt.want {
				t.Errorf("decodeBytes = %q, want %q", got, tt.want)
			}
			if (problem != "") != tt.problem {
				t.Errorf("problem = %q, want one: %v", problem, tt.problem)
			}
		})
	}
}

func TestNormalizeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"CP-1251": "windows-1251", "win-1251": "windows-1251", "Windows1257": "windows-1257",
		`"koi8r"`: "koi8-r", "ISO8859-5": "iso-8859-5", "utf8": "utf-8", "utf-8*ru": "utf-8",
		"cp866": "ibm866",
	} {
		if got := normalizeLabel(in); got != want {
			t.Errorf("normalizeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
