package email

import (
	"strings"
	"testing"
)

func TestSanitizeHTML(t *testing.T) {
	tests := []struct {
		name, in     string
		want, absent []string
	}{
		{"script and its content removed",
			`<p>hi</p><script>alert("x")</script><SCRIPT src="http://evil/x.js"></SCRIPT>`,
			[]string{"<p>hi</p>"}, []string{"script", "alert", "evil"}},
		{"style element and its content removed",
			`<style>body{background:url(http://evil/track)}</style><p>x</p>`,
			[]string{"<p>x</p>"}, []string{"style", "evil", "background"}},
		{"event handlers removed",
			`<body onload="steal()"><img src="cid:a" onerror="steal()"><p onclick="steal()">x</p></body>`,
			[]string{`<img src="cid:a">`, "<p>x</p>"}, []string{"onload", "onerror", "onclick", "steal"}},
		{"javascript and vbscript links removed",
			`<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a><a href="vbscript:msgbox">c</a>`,
			[]string{"a", "b", "c"}, []string{"<a", "javascript", "JaVaScRiPt", "vbscript"}},
		{"data URLs removed except images",
			`<a href="data:text/html;base64,PHNjcmlwdD4=">a</a><img src="data:image/png;base64,iVBORw0KGgo=">`,
			[]string{`<img src="data:image/png;base64,iVBORw0KGgo=">`}, []string{"<a", "data:text"}},
		{"remote images not loaded",
			`<img src="https://tracker.example/p.gif" alt="logo"><img src="//cdn.example/x.png">`,
			[]string{`data-remote-src="https://tracker.example/p.gif"`, `alt="logo"`, `data-remote-src="https://cdn.example/x.png"`},
			[]string{` src="https://`, ` src="//`}},
		{"relative image sources dropped",
			`<img src="/logout">`, []string{"<img>"}, []string{"logout"}},
		{"links open safely in a new tab",
			`<a href="https://example.com/x" rel="opener" target="_self">x</a><a href="mailto:a@example.com">m</a>`,
			[]string{`<a href="https://example.com/x" rel="noopener noreferrer" target="_blank">x</a>`,
				`<a href="mailto:a@example.com" rel="noopener noreferrer" target="_blank">m</a>`},
			[]string{"opener\"", "_self"}},
		{"forms, frames and ids removed",
			`<form action="https://evil"><input name="p"></form><iframe src="https://evil"></iframe><div id="csrf">x</div>`,
			[]string{"<div>x</div>"}, []string{"form", "input", "iframe", "evil", "csrf"}},
		{"safe styling kept, dangerous CSS dropped",
			`<span style="color: red; background-image: url(http://evil/x)">x</span><table bgcolor="#fff"><tr><td>c</td></tr></table>`,
			[]string{`style="color: red"`, `bgcolor="#fff"`, "<td>c</td>"}, []string{"evil", "background-image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitizeHTML(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("output still has %q:\n%s", a, got)
				}
			}
		})
	}
}

func TestParseSanitisesHTMLBody(t *testing.T) {
	m := mustParse(t, crlf(`From: a@example.com
Content-Type: text/html; charset=utf-8

<html><body onload="x()"><p>Hello</p><img src="http://example.com/t.gif"><script>evil()</script></body></html>
`))
	if strings.Contains(m.HTML, "onload") || strings.Contains(m.HTML, "evil") || strings.Contains(m.HTML, ` src="http`) {
		t.Errorf("HTML not sanitised: %s", m.HTML)
	}
	if !strings.Contains(m.HTML, "<p>Hello</p>") {
		t.Errorf("HTML lost content: %s", m.HTML)
	}
	if strings.TrimSpace(m.Text) != "Hello" {
		t.Errorf("Text = %q", m.Text)
	}
}
