package email

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"linedesk/internal/apperr"
)

// flatMessage has n text parts in one multipart/mixed.
func flatMessage(n int) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--B\r\nContent-Type: application/octet-stream\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--B--\r\n")
	return []byte(b.String())
}

// nestedMessage nests n multipart/mixed containers around one text part.
func nestedMessage(n int) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return []byte(b.String())
}

func TestParseLimits(t *testing.T) {
	small := crlf("From: a@example.com\nSubject: x\n\n" + strings.Repeat("y", 1000) + "\n")
	tests := []struct {
		name    string
		raw     []byte
		limits  Limits
		wantErr apperr.Code
	}{
		{"just under MaxBytes", small, Limits{MaxBytes: int64(len(small))}, ""},
		{"just over MaxBytes", small, Limits{MaxBytes: int64(len(small)) - 1}, apperr.TooLarge},
		{"500 parts is allowed", flatMessage(500), DefaultLimits(), ""},
		{"501 parts is a bomb", flatMessage(501), DefaultLimits(), apperr.Invalid},
		{"10,000 parts is a bomb", flatMessage(10000), DefaultLimits(), apperr.Invalid},
		{"20 levels is allowed", nestedMessage(20), DefaultLimits(), ""},
		{"21 levels is a bomb", nestedMessage(21), DefaultLimits(), apperr.Invalid},
		{"1,000 levels is a bomb", nestedMessage(1000), DefaultLimits(), apperr.Invalid},
		{"zero limits mean the defaults", flatMessage(501), Limits{}, apperr.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			m, err := Parse(tt.raw, tt.limits)
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			if got := apperr.CodeOf(err); got != tt.wantErr {
				t.Fatalf("error = %v, want code %q", err, tt.wantErr)
			}
			if err == nil && m == nil {
				t.Fatal("nil message without error")
			}
		})
	}
	t.Run("deep message keeps its text", func(t *testing.T) {
		m := mustParse(t, nestedMessage(20))
		if strings.TrimSpace(m.Text) != "deep" {
			t.Errorf("Text = %q", m.Text)
		}
	})
}

// TestParseRefusesEmpty checks that nothing at all is an error, not an empty
// ticket.
func TestParseRefusesEmpty(t *testing.T) {
	for _, raw := range []string{"", "\r\n\r\n", "   "} {
		if _, err := Parse([]byte(raw), DefaultLimits()); err == nil {
			t.Errorf("Parse(%q) succeeded", raw)
		}
	}
}

// FuzzParse checks that no input makes Parse panic (a panic would be
// recovered into an error, so this also checks that errors are not nil
// messages in disguise). Run with: go test -fuzz FuzzParse ./internal/email/
func FuzzParse(f *testing.F) {
	f.Add(flatMessage(3))
	f.Add(nestedMessage(3))
	f.Add(attachmentMessage("Content-Type: application/pdf\nContent-Disposition: attachment; filename*0*=UTF-8''%D0%90; filename*1=b"))
	f.Add(crlf("From: =?UTF-8?B?0J/R?= <a@b>\nSubject: =?x?Q?=ZZ?=\nContent-Type: multipart/report; report-type=delivery-status; boundary=R\n\n--R\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\nAction: failed\nStatus: 5.1.1\n--R--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, Limits{MaxBytes: 1 << 20, MaxDepth: 5, MaxParts: 50})
		if err == nil && m == nil {
			t.Fatal("nil message without error")
		}
		if err != nil && strings.Contains(err.Error(), "parser failed") {
			t.Fatalf("panic inside Parse: %v", err)
		}
	})
}

func TestParseHugeHeaderRefused(t *testing.T) {
	raw := "From: a@example.com\r\nReferences: " + strings.Repeat("<a@example.com> ", 100_000) + "\r\n\r\nbody\r\n"
	if _, err := Parse([]byte(raw), DefaultLimits()); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("error = %v, want the header section refused", err)
	}
}

// TestParseHugeHTMLKeptAsAttachment checks that HTML too large to sanitise
// quickly is not displayed but kept whole, with a plain-text rendering.
func TestParseHugeHTMLKeptAsAttachment(t *testing.T) {
	html := "<html><style>p{}</style><body>" + strings.Repeat("<p>Hello &amp; welcome</p>\r\n", maxHTML/25) + "<script>evil()</script></body></html>"
	m := mustParse(t, []byte("From: a@example.com\r\nContent-Type: text/html\r\n\r\n"+html))
	if m.HTML != "" {
		t.Error("oversized HTML was displayed")
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "body.html" || len(m.Attachments[0].Data) <= maxHTML {
		t.Fatalf("HTML not kept as attachment: %d attachments", len(m.Attachments))
	}
	if !strings.HasPrefix(strings.TrimSpace(m.Text), "Hello & welcome\n") || strings.Contains(m.Text, "evil") || strings.Contains(m.Text, "<p>") {
		t.Errorf("Text = %.100q", m.Text)
	}
}
