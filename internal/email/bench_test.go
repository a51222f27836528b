package email

import (
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// typicalMessage is a 20 KB reply as a mail client sends it: text and HTML
// alternatives (in Russian, quoted-printable) with quoted history, and a
// base64 PDF attachment.
func typicalMessage() []byte {
	var text, html strings.Builder
	for i := 0; text.Len() < 2000; i++ {
		fmt.Fprintf(&text, "Строка %d: принтер в бухгалтерии снова не печатает, ошибка E%d.\n", i, i)
	}
	text.WriteString("\nOn Tue, 5 Mar 2024 at 14:07, Support <support@linedesk.test> wrote:\n> Please restart it.\n")
	html.WriteString("<html><head><style>p{margin:0}</style></head><body>")
	for _, line := range strings.Split(text.String(), "\n") {
		fmt.Fprintf(&html, "<p style=\"color: #333\">%s</p>\n", line)
	}
	html.WriteString(`<img src="https://tracker.example/p.gif"><a href="https://example.com">link</a></body></html>`)
	qp := func(s string) string {
		var b strings.Builder
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return strings.ReplaceAll(b.String(), "\r\n", "\n") // crlf adds the CR back

	}
	pdf := make([]byte, 5000)
	for i := range pdf {
		pdf[i] = byte(i * 7)
	}
	var att strings.Builder
	enc := base64.StdEncoding.EncodeToString(pdf)
	for len(enc) > 76 {
		att.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	att.WriteString(enc + "\r\n")
	return crlf(`From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@customer.example>
To: Support <support@linedesk.test>
Subject: =?UTF-8?B?UmU6IFsjMTA0Ml0g0J/RgNC40L3RgtC10YA=?=
Date: Tue, 5 Mar 2024 15:00:00 +0200
Message-ID: <CAK123@mail.customer.example>
In-Reply-To: <ticket-1042@linedesk.test>
References: <ticket-1042@linedesk.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="MIX"

--MIX
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

` + qp(text.String()) + `
--ALT
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

` + qp(html.String()) + `
--ALT--
--MIX
Content-Type: application/pdf; name="=?UTF-8?B?0KHRh9GR0YIucGRm?="
Content-Disposition: attachment; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf
Content-Transfer-Encoding: base64

` + att.String() + `--MIX--
`)
}

func TestTypicalMessage(t *testing.T) {
	raw := typicalMessage()
	if n := len(raw); n < 18<<10 || n > 24<<10 {
		t.Fatalf("typical message is %d bytes, want about 20 KB", n)
	}
	m := mustParse(t, raw)
	if m.Subject != "Re: [#1042] Принтер" || len(m.Attachments) != 1 || m.Attachments[0].Filename != "Счёт.pdf" {
		t.Errorf("Subject %q, attachments %+v", m.Subject, len(m.Attachments))
	}
	if len(m.Problems) > 0 {
		t.Errorf("Problems in a clean message: %q", m.Problems)
	}
	if n, ok := SubjectToken(m.Subject); !ok || n != 1042 {
		t.Errorf("SubjectToken = %d, %v", n, ok)
	}
	if visible, quoted := SplitQuoted(m.Text); quoted == "" || !strings.HasPrefix(visible, "Строка 0") {
		t.Errorf("SplitQuoted did not fold the quote")
	}
}

func BenchmarkParse(b *testing.B) {
	raw := typicalMessage()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
