package email

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// attachmentMessage wraps one attachment part in a multipart/mixed message.
func attachmentMessage(partHeader string) []byte {
	return crlf(`From: a@example.com
Subject: files
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=utf-8

see attached
--XX
` + partHeader + `
Content-Transfer-Encoding: base64

SGVsbG8=
--XX--
`)
}

func TestAttachmentFilenames(t *testing.T) {
	cp1251 := func(s string) string {
		b, _ := charmap.Windows1251.NewEncoder().String(s)
		var out strings.Builder
		for i := 0; i < len(b); i++ {
			out.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[b[i]>>4])+string("0123456789abcdef"[b[i]&15])))
		}
		return out.String()
	}
	tests := []struct {
		name, header, want string
	}{
		{"RFC 2231 continuations in UTF-8",
			"Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%96;\n filename*1*=%2042%20%D0%BE%D1%82%20%D0%BC%D0%B0%D1%8F.pdf",
			"Счёт № 42 от мая.pdf"},
		{"RFC 2231 mixed encoded and plain sections",
			"Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=utf-8'ru'%D0%90%D0%BA%D1%82;\n filename*1=\"_final.pdf\"",
			"Акт_final.pdf"},
		{"RFC 2231 single value in windows-1251",
			"Content-Type: application/msword\nContent-Disposition: attachment; filename*=windows-1251''" + cp1251("Договор.doc"),
			"Договор.doc"},
		{"RFC 2231 on the Content-Type name",
			"Content-Type: application/pdf; name*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7.pdf\nContent-Disposition: attachment",
			"Приказ.pdf"},
		{"RFC 2047 in a quoted name",
			"Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"=?UTF-8?B?0J/RgNC40LrQsNC3LnBkZg==?=\"",
			"Приказ.pdf"},
		{"raw UTF-8 name",
			"Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"Pārskats.pdf\"",
			"Pārskats.pdf"},
		{"path stripped",
			"Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"C:\\Users\\ivan\\report.pdf\"",
			"report.pdf"},
		{"no name", "Content-Type: application/pdf\nContent-Disposition: attachment", "attachment-1.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, attachmentMessage(tt.header))
			if len(m.Attachments) != 1 {
				t.Fatalf("got %d attachments, want 1", len(m.Attachments))
			}
			a := m.Attachments[0]
			if a.Filename != tt.want {
				t.Errorf("Filename = %q, want %q", a.Filename, tt.want)
			}
			if string(a.Data) != "Hello" {
				t.Errorf("Data = %q, want base64-decoded content", a.Data)
			}
			if strings.TrimSpace(m.Text) != "see attached" {
				t.Errorf("Text = %q", m.Text)
			}
		})
	}
}

func TestParseAlternativeWithInlineImage(t *testing.T) {
	raw := crlf(`From: Jānis <janis@example.lv>
To: support@linedesk.test
Subject: =?UTF-8?Q?Printeris_nestr=C4=81d=C4=81?=
Date: Tue, 5 Mar 2024 14:07:09 +0200
Message-ID: <m1@example.lv>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="REL"

--REL
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Printeris nestr=C4=81d=C4=81, skat=C4=ABt att=C4=93lu.=
 Paldies!
--ALT
Content-Type: text/html; charset=utf-8

<p>Printeris nestrādā</p><img src="cid:img1@example.lv">
--ALT--
--REL
Content-Type: image/png
Content-ID: <img1@example.lv>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--REL--
`)
	m := mustParse(t, raw)
	if want := "Printeris nestrādā, skatīt attēlu. Paldies!"; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	if !strings.Contains(m.HTML, `<img src="cid:img1@example.lv"`) {
		t.Errorf("HTML lost the cid image: %s", m.HTML)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %+v", m.Attachments)
	}
	a := m.Attachments[0]
	if !a.Inline || a.ContentID != "img1@example.lv" || a.ContentType != "image/png" || !bytes.HasPrefix(a.Data, []byte("\x89PNG")) {
		t.Errorf("inline image = %+v", a)
	}
	if m.Auto != "" || m.Bounce != nil {
		t.Errorf("a person's mail flagged: Auto %q, Bounce %+v", m.Auto, m.Bounce)
	}
}

func TestParseHTMLOnlyGetsText(t *testing.T) {
	m := mustParse(t, crlf(`From: a@example.com
Content-Type: text/html

<html><head><title>T</title><style>p{color:red}</style><meta charset="windows-1251"></head>
<body><p>`+encode(t, charmap.Windows1251, "Привет")+`</p><script>alert(1)</script></body></html>
`))
	if !strings.Contains(m.Text, "Привет") || strings.Contains(m.Text, "alert") || strings.Contains(m.Text, "color") {
		t.Errorf("Text = %q", m.Text)
	}
	if !strings.Contains(m.HTML, "Привет") {
		t.Errorf("HTML = %q (charset from <meta>)", m.HTML)
	}
}

func TestParseToleratesMalformedMIME(t *testing.T) {
	tests := []struct{ name, raw string }{
		{"bad base64", "From: a@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n0J/RgNC4!!!0LLQtdGC\n"},
		{"unknown transfer encoding", "From: a@example.com\nContent-Transfer-Encoding: x-magic\n\nhello\n"},
		{"unclosed multipart", "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nhello\n"},
		{"multipart without boundary", "From: a@example.com\nContent-Type: multipart/mixed\n\nhello\n"},
		{"no headers worth the name", "From: a@example.com\n\nhello\n"},
		{"broken QP", "From: a@example.com\nContent-Transfer-Encoding: quoted-printable\n\nhello =ZZ world=\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, crlf(tt.raw))
			if m.Text == "" {
				t.Errorf("no text recovered")
			}
		})
	}
	m := mustParse(t, crlf(tests[0].raw))
	if len(m.Problems) == 0 {
		t.Error("bad base64 not recorded in Problems")
	}
}

func TestDecodeQuotedPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"a=3Db":          "a=b",
		"soft=\r\nbreak": "softbreak",
		"soft=  \nbreak": "softbreak",
		"bad=ZZ":         "bad=ZZ",
		"end=":           "end",
		"lower=c3=a4":    "lowerä",
	} {
		if got := string(decodeQuotedPrintable([]byte(in))); got != want {
			t.Errorf("decodeQuotedPrintable(%q) = %q, want %q", in, got, want)
		}
	}
}
