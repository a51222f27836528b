package agent_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// e2eBudget is the most a workspace page may weigh over the wire, with
// its scripts and style sheets, on a first visit.
const e2eBudget = 150 << 10

// TestE2EPageWeight proves the queue and the ticket page, with everything
// they load, stay within the budget when the browser accepts gzip.
func TestE2EPageWeight(t *testing.T) {
	d := e2eStartApp(t)
	tk := d.ticket("Slow Wi-Fi in the meeting room", "Video calls freeze.", &d.line1.ID)
	for i := range 30 {
		d.ticket(fmt.Sprintf("Wi-Fi complaint %02d", i+1), "Slow.", &d.line1.ID)
	}
	c := d.client(d.anna)
	for _, path := range []string{"/queues/open", fmt.Sprintf("/tickets/%d", tk.ID)} {
		t.Run(path, func(t *testing.T) {
			doc, sent, enc := e2eFetch(t, c, d.base+path)
			total := sent
			report := []string{fmt.Sprintf("html %d B on the wire (%s; %d B gzipped)", sent, e2eEncoding(enc), e2eGzipped(doc))}
			for _, ref := range e2eAssets(t, doc) {
				_, n, enc := e2eFetch(t, c, d.base+ref)
				total += n
				report = append(report, fmt.Sprintf("%s %d B (%s)", ref, n, e2eEncoding(enc)))
			}
			t.Logf("%s: %d B in all: %s", path, total, strings.Join(report, ", "))
			if total > e2eBudget {
				t.Errorf("%s weighs %d B with its scripts and styles, over the budget of %d B", path, total, e2eBudget)
			}
		})
	}
}

// e2eFetch gets a URL accepting gzip and returns the decoded body, the
// bytes that came over the wire and their encoding.
func e2eFetch(t *testing.T, c *http.Client, url string) (body []byte, sent int, encoding string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client then leaves the body compressed
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	encoding = res.Header.Get("Content-Encoding")
	body = raw
	if encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return body, len(raw), encoding
}

// e2eAssets lists the scripts and style sheets a page loads.
func e2eAssets(t *testing.T, page []byte) []string {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		attr := map[string]string{}
		for _, a := range n.Attr {
			attr[a.Key] = a.Val
		}
		switch {
		case n.Data == "script" && attr["src"] != "":
			out = append(out, attr["src"])
		case n.Data == "link" && strings.EqualFold(attr["rel"], "stylesheet"):
			out = append(out, attr["href"])
		}
	}
	if len(out) == 0 {
		t.Error("the page loads no script and no style sheet")
	}
	return out
}

func e2eEncoding(enc string) string {
	if enc == "" {
		return "uncompressed"
	}
	return enc
}

// e2eGzipped is how small gzip would make b.
func e2eGzipped(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}
