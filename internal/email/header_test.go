package email

import (
	"reflect"
	"testing"
	"time"
)

func TestDecodeHeader(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello  world", "Hello world"},
		{"base64 utf-8", "=?UTF-8?B?0J/RgNC40LLQtdGC?=", "Привет"},
		{"q windows-1251", "=?windows-1251?Q?=CF=F0=E8=E2=E5=F2_=EC=E8=F0?=", "Привет мир"},
		{"lower-case encoding letter", "=?utf-8?b?0J/RgNC40LLQtdGC?=", "Привет"},
		{"whitespace between words dropped", "=?UTF-8?Q?a?= \r\n =?UTF-8?Q?b?=", "ab"},
		{"text between words kept", "=?UTF-8?Q?a?= and =?UTF-8?Q?b?=", "a and b"},
		{"character split across words", "=?UTF-8?B?0J/R?= =?UTF-8?B?gNC4?=", "При"},
		{"missing padding", "=?UTF-8?B?0J/RgNC4?=", "При"},
		{"padding in the middle", "=?UTF-8?B?0J8=?= =?UTF-8?B?0YA=?=", "Пр"},
		{"folded inside the word", "=?UTF-8?B?0J/RgNC4 0LLQtdGC?=", "Привет"},
		{"q with raw spaces", "=?UTF-8?Q?Hello World?=", "Hello World"},
		{"glued to text", "Re:=?UTF-8?B?0J/RgNC4?=!", "Re:При!"},
		{"misspelt charset", "=?cp-1251?B?z/Do4uXy?=", "Привет"},
		{"unknown charset guessed", "=?x-unknown?B?z/Do4uXy?=", "Привет"},
		{"language suffix", "=?UTF-8*ru?B?0J/RgNC4?=", "При"},
		{"iso-2022-jp", "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "テスト"},
		{"not a word", "=?broken", "=?broken"},
		{"control characters", "a\x00b\tc", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeHeader(tt.in, ""); got != tt.want {
				t.Errorf("decodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAddresses(t *testing.T) {
	raw := crlf(`From: "=?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?=" <Ivan.Petrov@Example.COM>
To: =?UTF-8?Q?J=C4=81nis_B=C4=93rzi=C5=86=C5=A1?= <janis@example.lv>, support@linedesk.test
Cc: broken <one@example.com>, "unclosed <two@example.com>, three@example.com
Reply-To: =?cp-1251?B?z/Do4uXy?= <reply@example.com>
Subject: test

body
`)
	m := mustParse(t, raw)
	if want := (Address{Name: "Иван Петров", Email: "ivan.petrov@example.com"}); m.From != want {
		t.Errorf("From = %+v, want %+v", m.From, want)
	}
	wantTo := []Address{{"Jānis Bērziņš", "janis@example.lv"}, {"", "support@linedesk.test"}}
	if !reflect.DeepEqual(m.To, wantTo) {
		t.Errorf("To = %+v, want %+v", m.To, wantTo)
	}
	var cc []string
	for _, a := range m.Cc {
		cc = append(cc, a.Email)
	}
	if want := []string{"one@example.com", "two@example.com", "three@example.com"}; !reflect.DeepEqual(cc, want) {
		t.Errorf("Cc = %v, want %v (broken list parsed loosely)", cc, want)
	}
	if want := []Address{{"Привет", "reply@example.com"}}; !reflect.DeepEqual(m.ReplyTo, want) {
		t.Errorf("Reply-To = %+v, want %+v", m.ReplyTo, want)
	}
}

func TestParseIDs(t *testing.T) {
	raw := crlf(`From: a@example.com
Message-ID: <abc.123@mail.example.com>
In-Reply-To: <parent@example.com> (comment)
References: <root@example.com>
 <parent@example.com> <root@example.com>
 bare@example.com
Subject: ids

x
`)
	m := mustParse(t, raw)
	if m.MessageID != "abc.123@mail.example.com" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if want := []string{"parent@example.com"}; !reflect.DeepEqual(m.InReplyTo, want) {
		t.Errorf("InReplyTo = %v, want %v", m.InReplyTo, want)
	}
	if want := []string{"root@example.com", "parent@example.com"}; !reflect.DeepEqual(m.References, want) {
		t.Errorf("References = %v, want %v", m.References, want)
	}
	for in, want := range map[string]string{
		"": "", "<>": "", "  ": "", "<a b@c>": "", "<ok@x>": "ok@x", "no-brackets@x": "no-brackets@x", "garbage": "",
	} {
		if got := firstID(in); got != want {
			t.Errorf("firstID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("", 2*3600))
	for _, in := range []string{
		"Tue, 5 Mar 2024 14:07:09 +0200",
		"Tue, 05 Mar 2024 14:07:09 +0200 (EET)",
		"5 Mar 2024 14:07:09 +0200",
		"Tue,  5 Mar 2024 14:07:09 +0200",
		"2024-03-05T14:07:09+02:00",
	} {
		got, ok := parseDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := parseDate("yesterday"); ok {
		t.Error("parseDate accepted garbage")
	}

	t.Run("missing Date falls back to Received", func(t *testing.T) {
		m := mustParse(t, crlf("Received: from x by y; Tue, 5 Mar 2024 14:07:09 +0200\nFrom: a@example.com\n\nbody\n"))
		if !m.Date.Equal(want) {
			t.Errorf("Date = %v, want %v", m.Date, want)
		}
		if len(m.Problems) == 0 {
			t.Error("missing Date not recorded in Problems")
		}
	})
}

func TestHeaderValue(t *testing.T) {
	m := mustParse(t, crlf("From: a@example.com\nX-Custom: =?UTF-8?B?0J/RgNC40LLQtdGC?=\nX-Custom: second\n\nbody\n"))
	if got := m.HeaderValue("x-custom"); got != "Привет" {
		t.Errorf("HeaderValue = %q", got)
	}
	if got := m.HeaderValues("X-Custom"); !reflect.DeepEqual(got, []string{"Привет", "second"}) {
		t.Errorf("HeaderValues = %q", got)
	}
	if got := m.HeaderValue("Missing"); got != "" {
		t.Errorf("HeaderValue(missing) = %q", got)
	}
}
