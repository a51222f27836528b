package portal

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"linedesk/internal/i18n"
	"linedesk/internal/kb"
	"linedesk/internal/ticket"
	"linedesk/internal/web/static"
)

//go:embed templates
var templateFS embed.FS

// pages are the parsed templates: one set per page, each with its layout
// and the shared partials. Pages named form* are a web form's own, shown
// inside a client's site, with a layout of their own.
type pages struct {
	sets map[string]*template.Template
}

// loadPages parses every template at start-up; one that does not parse
// fails the start.
func loadPages(assets *static.Assets) (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || name == "partials" || name == "form_layout" {
			continue
		}
		layout := "templates/layout.html"
		if strings.HasPrefix(name, "form") {
			layout = "templates/form_layout.html"
		}
		t, err := template.New(name).Funcs(templateFuncs(assets)).ParseFS(templateFS, layout, "templates/partials.html", file)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// Page is what every page's template may use.
type Page struct {
	L     *i18n.Localizer
	V     *Viewer // nil when nobody is signed in
	Name  string  // the page, for the navigation
	Flash string  // a translated notice after a redirect
	Path  string
	Now   time.Time
}

// NavItem is one link of the portal's navigation.
type NavItem struct {
	Href, Key string // the link and its message id
	Current   bool
}

// Nav is the portal's navigation: a signed-in customer's requests and
// the knowledge base, which a visitor reads too. The portal's sections
// add themselves here.
func (p Page) Nav() []NavItem {
	kbLink := NavItem{"/portal/kb", "portal.nav.kb", p.Name == "kb" || p.Name == "kb_article"}
	if p.V == nil {
		return []NavItem{kbLink}
	}
	items := []NavItem{{"/portal/tickets", "portal.nav.tickets", p.Name == "tickets" || p.Name == "ticket"},
		{"/portal/tickets/new", "portal.nav.new", p.Name == "new"}, kbLink}
	return items
}

func (s *Server) newPage(r *http.Request, l *i18n.Localizer, name string) Page {
	p := Page{L: l, V: viewerOrNil(r), Name: name, Path: r.URL.Path, Now: time.Now()}
	if f := r.URL.Query().Get("done"); flashes[f] {
		p.Flash = l.T("portal.flash." + f)
	}
	return p
}

// flashes are the notices a redirect may ask for with ?done=.
var flashes = map[string]bool{"created": true, "replied": true, "solved": true, "reopened": true, "rated": true,
	"password": true, "signed_out": true, "saved": true, "deflected": true}

// render writes a whole page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.execute(w, r, status, name, "layout", data)
}

// fragment writes one named template of a page's set.
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
		"asset":    assets.URL,
		"number":   ticket.Number,
		"bytes":    humanBytes,
		"langs":    func() []string { return i18n.Languages },
		"langName": func(l string) string { return i18n.LanguageNames[l] },
		"isImage":  func(ct string) bool { return strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" },
		"initials": initials,
		"dict":     dict,
		"seq": func(from, to int) []int {
			out := []int{}
			for i := from; i <= to; i++ {
				out = append(out, i)
			}
			return out
		},
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"eventKey":   eventKey,
		"snippet":    kb.SnippetHTML,
		"pathEscape": url.PathEscape,
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

// messagePage tells something on a page of its own: an error, a refusal,
// a step done.
type messagePage struct {
	Page
	Title  string
	Text   string
	Status int
	Link   string // where to go on, "" for the sign-in page
	LinkAs string // the link's text
}

// eventKey is the message telling a change of status: a customer who
// reopens or solves their ticket is told apart from the team.
func eventKey(e ticket.Event) string {
	if e.ActorType == "contact" && e.To == string(ticket.StatusOpen) {
		return "portal.event.reopened"
	}
	return "portal.event." + e.To
}
