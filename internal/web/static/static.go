// Package static serves the workspace's and the portal's CSS, scripts and
// images from the binary, under URLs that carry a hash of their content so
// browsers may keep them forever.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed files
var files embed.FS

// Prefix is where the assets are served.
const Prefix = "/static/"

type asset struct {
	body, gz    []byte
	contentType string
}

// Assets are the embedded files, by hashed name.
type Assets struct {
	urls   map[string]string // "app.css" → "/static/app.1a2b3c4d.css"
	byName map[string]asset  // "app.1a2b3c4d.css" → the file
}

// New reads and compresses every embedded file once, at start-up.
func New() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, byName: map[string]asset{}}
	err := fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "files/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		gz, err := compress(body)
		if err != nil {
			return err
		}
		a.urls[name] = Prefix + hashed
		a.byName[hashed] = asset{body: body, gz: gz, contentType: mime.TypeByExtension(ext)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return a, nil
}

func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// URL returns the hashed URL of an embedded file. An unknown name panics:
// templates are rendered at start-up by tests, so a typo cannot ship.
func (a *Assets) URL(name string) string {
	u, ok := a.urls[name]
	if !ok {
		panic("static: no file " + name)
	}
	return u
}

// Size returns the compressed size of the file behind a hashed URL, for
// page-weight checks.
func (a *Assets) Size(url string) int {
	return len(a.byName[strings.TrimPrefix(url, Prefix)].gz)
}

// ServeHTTP serves a file by its hashed name, compressed when the browser
// accepts gzip.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byName[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		w.Write(f.gz)
		return
	}
	w.Write(f.body)
}
