package search

import (
	"slices"
	"strings"
	"testing"
)

func terms(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

func TestAnalyzeTokens(t *testing.T) {
	a := NewAnalyzer()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"ticket number keeps the hash form and the number", "see #1042.", []string{"see", "#1042", "1042"}},
		{"e-mail address, its parts and words", "Write to Anna.Berzina@Acme.lv, please",
			[]string{"write", "anna.berzina@acme.lv", "anna.berzina", "acme.lv", "anna", "berzina", "acm", "lv"}},
		{"IPv4 address is one token", "ping 10.0.0.1 fails", []string{"ping", "10.0.0.1", "fail"}},
		{"IPv4 with port", "10.0.0.1:8080", []string{"10.0.0.1:8080", "10.0.0.1", "8080"}},
		{"IPv6 address", "fe80::1ff:fe23:4567:890a", []string{"fe80::1ff:fe23:4567:890a"}},
		{"version", "upgrade to 2.3.10", []string{"upgrad", "2.3.10"}},
		{"version with v", "v2.3.10", []string{"v2.3.10", "2.3.10"}},
		{"hex error code and its digits", "Error 0x80070005!", []string{"error", "80070005", "0x80070005"}},
		{"identifier with underscores", "net::ERR_CONNECTION_RESET",
			[]string{"net::err_connection_reset", "net", "err", "connect", "reset"}},
		{"code with a hyphen and digits", "ORA-00942 appears", []string{"ora-00942", "ora", "00942", "appear"}},
		{"unix path and file name", "check /var/log/nginx/error.log",
			[]string{"check", "/var/log/nginx/error.log", "error.log", "var", "log", "nginx", "error", "log"}},
		{"windows path", `C:\Windows\System32\drivers\etc\hosts`,
			[]string{`c:\windows\system32\drivers\etc\hosts`, "c", "window", "system32", "driver", "etc", "host"}},
		{"url host", "open https://portal.acme.lv/login?next=1", []string{"open", "portal.acme.lv", "portal", "acm", "lv", "login", "next", "1"}},
		{"file name", "attached screenshot.png", []string{"attach", "screenshot.png", "screenshot", "png"}},
		{"mac address", "00:1A:2B:3C:4D:5E", []string{"00:1a:2b:3c:4d:5e"}},
		{"stop words go, trailing punctuation goes", "The printer is not printing.", []string{"printer", "print"}},
		{"apostrophes join", "I can't log in", []string{"log"}},
		{"hyphenated words are their parts", "Wi-Fi drops", []string{"wi", "fi", "drop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := terms(a.AnalyzeAs(Normalize(tt.text), English)); !slices.Equal(got, tt.want) {
				t.Errorf("%q → %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestAnalyzeInflections: the forms a search must bring together meet at
// one term, in each language.
func TestAnalyzeInflections(t *testing.T) {
	a := NewAnalyzer()
	tests := []struct {
		lang  Lang
		forms string // words that must share a term
	}{
		{Russian, "принтер принтеры принтера принтером принтеров"},
		{Russian, "печатает печатать печатают"},
		{Russian, "ошибка ошибки ошибку ошибкой"},
		{Russian, "ёлка елка"},
		{Russian, "подключение подключения подключению"},
		{English, "printer printers"},
		{English, "connect connection connections connected connecting"},
		{English, "password passwords"},
		{Latvian, "parole paroli paroles parolēm parolem"},
		{Latvian, "printeris printera printeri printerim"},
		{Latvian, "dators datoru datoram datori"},
		{Latvian, "kļūda kļūdu kļūdas kluda kludas"},
		{Latvian, "zivs zivju"},
		{Latvian, "lācis lāču"},
		{Latvian, "savienojums savienojumu savienojuma"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang)+" "+tt.forms, func(t *testing.T) {
			var first string
			for i, w := range strings.Fields(tt.forms) {
				got := terms(a.AnalyzeAs(w, tt.lang))
				if len(got) != 1 {
					t.Fatalf("%q → %q, want one term", w, got)
				}
				if i == 0 {
					first = got[0]
				} else if got[0] != first {
					t.Errorf("%q → %q, but %q → %q", w, got[0], strings.Fields(tt.forms)[0], first)
				}
			}
		})
	}
}

func TestAnalyzeOffsets(t *testing.T) {
	a := NewAnalyzer()
	text := Normalize("Принтер: user@x.lv — #1042")
	for _, tok := range a.Analyze(text) {
		span := text[tok.Start:tok.End]
		if tok.Term == "user@x.lv" && span != "user@x.lv" || tok.Term == "принтер" && span != "Принтер" ||
			tok.Term == "#1042" && span != "#1042" {
			t.Errorf("%q spans %q", tok.Term, span)
		}
	}
}

func TestDetectLatin(t *testing.T) {
	tests := []struct {
		text string
		want Lang
	}{
		{"Nevaru pieslēgties, parole nedarbojas", Latvian},
		{"nevaru pieslegties, parole nedarbojas", Latvian},
		{"Labdien! Printeris nedrukā.", Latvian},
		{"The printer does not print", English},
		{"Outlook не запускается", English},
		{"", English},
	}
	for _, tt := range tests {
		if got := DetectLatin(tt.text); got != tt.want {
			t.Errorf("DetectLatin(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

// TestAnalyzeMixed: one text in three languages stems each word in its
// own: Cyrillic as Russian, Latvian letters as Latvian, the rest by the
// text's Latin language.
func TestAnalyzeMixed(t *testing.T) {
	a := NewAnalyzer()
	got := terms(a.Analyze(Normalize("Labdien, printeris nedrukā: принтеры не печатают, error printing")))
	want := []string{"printer", "nedruk", "принтер", "печата", "error", "printing"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = terms(a.Analyze(Normalize("The printers are not printing: принтеры не печатают")))
	want = []string{"printer", "print", "принтер", "печата"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
