package attachment

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("ж", 200) + ".pdf" // 404 bytes
	tests := []struct {
		name, in, want string
	}{
		{"plain name kept", "report.pdf", "report.pdf"},
		{"Cyrillic kept", "Отчёт за май.docx", "Отчёт за май.docx"},
		{"Unix path stripped", "../../etc/passwd", "passwd"},
		{"Windows path stripped", `C:\Users\Иван\Счёт №5.xlsx`, "Счёт №5.xlsx"},
		{"control characters dropped", "a\x00b\r\nc\t.txt", "abc.txt"},
		{"bidi override dropped", "invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"invalid UTF-8 replaced", "bad\xffname.txt", "bad_name.txt"},
		{"empty becomes attachment", "", "attachment"},
		{"blank becomes attachment", "  \t ", "attachment"},
		{"dots become attachment", "..", "attachment"},
		{"trailing slash becomes attachment", "dir/", "attachment"},
		{"long name cut keeping extension", long, strings.Repeat("ж", 125) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanFilename(tt.in)
			if got != tt.want {
				t.Errorf("CleanFilename(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > maxFilenameBytes || !utf8.ValidString(got) {
				t.Errorf("%q: %d bytes, valid UTF-8 %v", got, len(got), utf8.ValidString(got))
			}
		})
	}
}

func TestDetectType(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	html := []byte("<!DOCTYPE html><script>alert(1)</script>")
	pdf := []byte("%PDF-1.7\n")
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	binary := []byte{0x00, 0x01, 0x02, 0xfe}
	tests := []struct {
		name     string
		declared string
		head     []byte
		want     string
	}{
		{"HTML declared as PNG is HTML", "image/png", html, "text/html; charset=utf-8"},
		{"text declared as JPEG is text", "image/jpeg", []byte("hello"), "text/plain; charset=utf-8"},
		{"PNG declared as GIF is PNG", "image/gif", png, "image/png"},
		{"PNG declared as PNG", "image/png", png, "image/png"},
		{"PNG declared as octet-stream", "application/octet-stream", png, "image/png"},
		{"nothing declared: sniffed", "", pdf, "application/pdf"},
		{"malformed declared: sniffed", "???", pdf, "application/pdf"},
		{"docx is more specific than zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip,
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"unknown binary keeps declared", "application/x-7z-compressed", binary, "application/x-7z-compressed"},
		{"CSV keeps declared with charset", "text/csv; charset=windows-1251; x=y", []byte("a;b\n1;2\n"), "text/csv; charset=windows-1251"},
		{"SVG keeps its type, never inline", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "image/svg+xml"},
		{"PDF declared for text is text", "application/pdf", []byte("just text"), "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectType(tt.declared, tt.head); got != tt.want {
				t.Errorf("detectType(%q) = %q, want %q", tt.declared, got, tt.want)
			}
		})
	}
}

func TestInline(t *testing.T) {
	for typ, want := range map[string]bool{
		"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
		"image/svg+xml": false, "text/html; charset=utf-8": false, "application/pdf": false, "IMAGE/PNG": true,
	} {
		if got := (Attachment{ContentType: typ}).Inline(); got != want {
			t.Errorf("Inline(%q) = %v, want %v", typ, got, want)
		}
	}
}
