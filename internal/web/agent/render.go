package agent

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"linedesk/internal/i18n"
	"linedesk/internal/ticket"
	"linedesk/internal/web/static"
)

//go:embed templates
var templateFS embed.FS

// pages are the parsed templates: one set per page, each with the layout
// and the shared partials.
type pages struct {
	sets map[string]*template.Template
}

// loadPages parses every template at start-up; one that does not parse
// fails the start.
func loadPages(assets *static.Assets) (*pages, error) {
	funcs := templateFuncs(assets)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", file)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// Page is what every page's template may use.
type Page struct {
	L       *i18n.Localizer
	V       *Viewer // nil when nobody is signed in
	Name    string  // the page, for the navigation
	Version string
	Flash   string // a translated notice after a redirect
	Path    string
	Now     time.Time
}

func (s *Server) newPage(r *http.Request, l *i18n.Localizer, v *Viewer, name string) Page {
	p := Page{L: l, V: v, Name: name, Version: s.Version, Path: r.URL.Path, Now: now()}
	if v != nil {
		p.Now = v.Now
	}
	if f := r.URL.Query().Get("done"); f != "" && flashes[f] {
		p.Flash = l.T("flash." + f)
	}
	return p
}

// flashes are the notices a redirect may ask for with ?done=.
var flashes = map[string]bool{"saved": true, "created": true, "replied": true, "noted": true,
	"escalated": true, "merged": true, "split": true, "signed_out": true, "password": true, "invited": true,
	"totp_on": true, "totp_off": true, "retried": true, "released": true, "deleted": true}

// render writes a whole page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.execute(w, r, status, name, "layout", data)
}

// fragment writes one named template of a page's set, for a partial
// update.
func (s *Server) fragment(w http.ResponseWriter, r *http.Request, set, name string, data any) {
	s.execute(w, r, http.StatusOK, set, name, data)
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request, status int, set, name string, data any) {
	t, ok := s.pages.sets[set]
	if !ok {
		s.Log.ErrorContext(r.Context(), "no such template", "template", set)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.Log.ErrorContext(r.Context(), "render page", "template", set+"/"+name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	if buf.Len() > 1024 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		zw.Write(buf.Bytes())
		zw.Close()
		return
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func templateFuncs(assets *static.Assets) template.FuncMap {
	return template.FuncMap{
		"asset":  assets.URL,
		"number": ticket.Number,
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"is": func(p *int64, v int64) bool { return p != nil && *p == v },
		"derefTime": func(p *time.Time) time.Time {
			if p == nil {
				return time.Time{}
			}
			return *p
		},
		"has": func(list []int64, v int64) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"hasStr": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"join":       strings.Join,
		"add":        func(a, b int) int { return a + b },
		"statuses":   func() []ticket.Status { return ticket.Statuses },
		"priorities": func() []ticket.Priority { return ticket.Priorities },
		"types":      func() []ticket.Type { return ticket.Types },
		"channels":   func() []ticket.Channel { return ticket.Channels },
		"sorts":      func() []string { return sorts },
		"queueKeys":  queueKeys,
		"seq": func(from, to int) []int {
			out := []int{}
			for i := from; i <= to; i++ {
				out = append(out, i)
			}
			return out
		},
		"dict":      dict,
		"initials":  initials,
		"bytes":     humanBytes,
		"langs":     func() []string { return i18n.Languages },
		"langName":  func(l string) string { return i18n.LanguageNames[l] },
		"shiftWeek": shiftWeek,
		"int":       func(n int64) int { return int(n) },
		"list":      func(v ...string) []string { return v },
		"derefInt": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
		"isImage":  func(ct string) bool { return strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" },
		"dur":      workTime,
		"mins":     minutesText,
		"due":      dueText,
		"dueClass": dueClass,
	}
}

func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// initials gives the letters of an avatar: "Anna Bērziņa" → "AB".
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			out = append(out, r)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	return strings.ToUpper(string(out))
}

func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.0f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// sorts are the orders a list offers.
var sorts = []string{"-updated_at", "updated_at", "-created_at", "created_at", "-priority", "number", "sla_due"}

func queueKeys() []string {
	out := make([]string, len(queues))
	for i, q := range queues {
		out[i] = q.Key
	}
	return out
}

// errorPage shows what went wrong.
type errorPage struct {
	Page
	Status  int
	Message string
}
