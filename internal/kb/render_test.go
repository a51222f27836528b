package kb_test

import (
	"strings"
	"testing"

	"linedesk/internal/kb"
)

func TestRenderNeutralisesHTMLAndScripts(t *testing.T) {
	for _, c := range []struct {
		name, md string
		bad      []string // must not be in the output, case-insensitively
		want     string   // must be in it
	}{
		{"a script block", "Hello\n\n<script>alert(1)</script>", []string{"<script", "alert(1)"}, "<p>Hello</p>"},
		{"inline raw HTML", "Click <b onmouseover=\"alert(1)\">here</b>", []string{"<b", "onmouseover"}, "here"},
		{"an image with an event handler", `<img src=x onerror="alert(1)">`, []string{"<img", "onerror"}, ""},
		{"a javascript: link", "[press](javascript:alert(1))", []string{"javascript:", "href"}, "press"},
		{"a mixed-case javascript: link", "[press](JaVaScRiPt:alert(1))", []string{"javascript:", "href"}, "press"},
		{"an encoded javascript: link", "[press](java&#x73;cript:alert(1))", []string{"javascript:", "script:", "href"}, "press"},
		{"a javascript: autolink", "<javascript:alert(1)>", []string{"href=\"javascript"}, ""},
		{"a data: link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"data:", "href"}, "x"},
		{"a vbscript: image", "![x](vbscript:msgbox)", []string{"vbscript"}, ""},
		{"an iframe", "<iframe src=\"https://evil.example\"></iframe>", []string{"<iframe", "evil"}, ""},
		{"a style attribute", "<p style=\"background:url(javascript:alert(1))\">x</p>", []string{"style", "javascript"}, ""},
		{"a safe link stays", "[docs](https://docs.example/vpn)", nil, `href="https://docs.example/vpn"`},
		{"code keeps its language", "```sh\nnet stop spooler\n```", nil, `<code class="language-sh">net stop spooler`},
		{"a table", "| a | b |\n|---|---|\n| 1 | 2 |", nil, "<td>1</td>"},
		{"a task list", "- [x] done", []string{"<script"}, `checked`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := string(kb.Render(c.md, nil))
			for _, b := range c.bad {
				if strings.Contains(strings.ToLower(got), strings.ToLower(b)) {
					t.Errorf("%q renders as %q, which has %q", c.md, got, b)
				}
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("%q renders as %q, want it to have %q", c.md, got, c.want)
			}
		})
	}
}

func TestRenderResolvesOnlyTheArticlesOwnFiles(t *testing.T) {
	files := kb.FileLinks([]int64{7}, func(id int64) string { return "/files/" + itoa(id) })
	got := string(kb.Render("![steps](attachment:7) ![other](attachment:8) [log](ATTACHMENT:7) [bad](attachment:x)", files))
	for _, want := range []string{`<img src="/files/7" alt="steps">`, `<img alt="other">`, `<a href="/files/7"`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q, want %q in it", got, want)
		}
	}
	if strings.Contains(got, "/files/8") || strings.Contains(got, "attachment:") {
		t.Errorf("rendered %q: a file of another article or a raw reference", got)
	}
}

func TestPlainText(t *testing.T) {
	files := kb.FileLinks([]int64{3}, func(id int64) string { return "https://help.example/f/" + itoa(id) })
	for _, c := range []struct{ md, want string }{
		{"# Printer\n\nTurn it **off** and *on*.", "Printer\n\nTurn it off and on."},
		{"1. Open *Devices*\n2. Remove the driver\n3. Restart", "1. Open Devices\n2. Remove the driver\n3. Restart"},
		{"- one\n- two\n  - nested", "- one\n- two\n  - nested"},
		{"See [the guide](https://docs.example/guide).", "See the guide (https://docs.example/guide)."},
		{"Go to https://status.example now", "Go to https://status.example now"},
		{"![the dialog](attachment:3)", "the dialog: https://help.example/f/3"},
		{"![secret](attachment:4)", "[secret]"},
		{"Run:\n\n```\nipconfig /flushdns\n```", "Run:\n\n    ipconfig /flushdns"},
		{"> quoted\n> text", "> quoted\n> text"},
		{"a <b>bold</b> word\n\n<div>block</div>\n\nend", "a bold word\n\nend"},
		{"- [x] cable checked\n- [ ] driver", "- [x] cable checked\n- [ ] driver"},
		{"| Port | Use |\n|---|---|\n| 443 | VPN |", "Port | Use\n443 | VPN"},
		{"line one\nline two", "line one\nline two"},
		{"[press](javascript:alert(1)) and [x](java&#x73;cript:alert(1))", "press and x"},
	} {
		if got := kb.PlainText(c.md, files); got != c.want {
			t.Errorf("PlainText(%q) =\n%q\nwant\n%q", c.md, got, c.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Mouse does not work":     "mouse-does-not-work",
		"Мышь не работает":        "mysh-ne-rabotaet",
		"Ёлка, щука и объявление": "elka-shchuka-i-obyavlenie",
		"Pele nestrādā (Alt+Tab)": "pele-nestrada-alt-tab",
		"Ļoti ģeniāls šķērslis":   "loti-genials-skerslis",
		"Ошибка 0x80070005":       "oshibka-0x80070005",
		"  --- ":                  "article",
		"Search":                  "search-article",
		"VPN: «не подключается» — что делать?": "vpn-ne-podklyuchaetsya-chto-delat",
	} {
		if got := kb.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
