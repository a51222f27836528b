package agent

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"linedesk/internal/i18n"
	"linedesk/internal/search"
)

func (s *Server) searchRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /search", s.handleSearch)
	s.page(mux, "GET /search/instant", s.handleSearchInstant)
}

// Pages of search results.
const (
	searchPerPage = 20
	instantHits   = 7
)

type searchPage struct {
	Page
	Q      string
	Kind   string // "" for every kind
	Tabs   []searchTab
	Hits   []searchHit
	Total  int
	More   bool
	PageNo int
	Pages  int
	Error  *searchError
	Syntax []syntaxRow
	AllURL string // the full results of an instant search
}

type searchTab struct {
	Kind, Label, URL string
	Current          bool
}

// searchHit is a hit as a page shows it. Its HTML comes from the search
// package's own escaping of the document's text.
type searchHit struct {
	search.Hit
	KindLabel   string
	URL         string
	AdminURL    string // contacts and companies, for administrators
	TitleMarked template.HTML
	SnippetHTML template.HTML
}

// searchError is a query that cannot run, said in the reader's language,
// with the query cut where the problem is.
type searchError struct {
	Message           string
	Before, At, After string
	HasPos            bool
}

type syntaxRow struct{ Example, Text string }

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	kind := r.URL.Query().Get("kind")
	if kind != "" && !s.searchable(kind) {
		kind = ""
	}
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	data := searchPage{Page: s.newPage(r, v.L, v, "search"), Q: q, Kind: kind, PageNo: max(pageNo, 1),
		Syntax: syntaxHelp(v.L)}
	data.Tabs = s.searchTabs(v.L, q, kind)
	if q != "" {
		var kinds []string
		if kind != "" {
			kinds = []string{kind}
		}
		res, err := s.Search.Search(r.Context(), search.AgentViewer(v.P), search.Request{Query: q, Kinds: kinds,
			Page: data.PageNo, PerPage: searchPerPage})
		if data.Error = queryError(v.L, q, err); data.Error == nil && err != nil {
			return err
		}
		data.Hits = s.searchHits(v, res.Hits)
		data.Total, data.More = res.Total, res.More
		data.Pages = (res.Total + searchPerPage - 1) / searchPerPage
		data.Pages = min(data.Pages, 1000/searchPerPage)
	}
	status := http.StatusOK
	if data.Error != nil {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "search", data)
	return nil
}

// handleSearchInstant answers the header's search box while the agent
// types: the first hits, the word being typed matching as a prefix.
func (s *Server) handleSearchInstant(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := searchPage{Page: s.newPage(r, v.L, v, "search"), Q: q, AllURL: "/search?q=" + url.QueryEscape(q)}
	if q != "" {
		res, err := s.Search.Search(r.Context(), search.AgentViewer(v.P), search.Request{Query: r.URL.Query().Get("q"),
			Typing: true, PerPage: instantHits})
		if data.Error = queryError(v.L, q, err); data.Error == nil && err != nil {
			return err
		}
		data.Hits, data.Total, data.More = s.searchHits(v, res.Hits), res.Total, res.More
	}
	s.fragment(w, r, "search", "search-instant", data)
	return nil
}

func (s *Server) searchable(kind string) bool {
	for _, k := range s.Search.Kinds() {
		if k == kind {
			return true
		}
	}
	return false
}

func (s *Server) searchTabs(l *i18n.Localizer, q, current string) []searchTab {
	tabs := []searchTab{{Label: l.T("search.kind_all"), Current: current == ""}}
	for _, k := range []string{search.KindTicket, search.KindArticle, search.KindContact, search.KindCompany} {
		if !s.searchable(k) {
			continue
		}
		tabs = append(tabs, searchTab{Kind: k, Label: kindLabel(l, k), Current: current == k})
	}
	for i := range tabs {
		u := url.Values{"q": {q}}
		if tabs[i].Kind != "" {
			u.Set("kind", tabs[i].Kind)
		}
		tabs[i].URL = "/search?" + u.Encode()
	}
	return tabs
}

func kindLabel(l *i18n.Localizer, kind string) string {
	switch kind {
	case search.KindTicket:
		return l.T("search.kind_ticket")
	case search.KindContact:
		return l.T("search.kind_contact")
	case search.KindCompany:
		return l.T("search.kind_company")
	case search.KindArticle:
		return l.T("search.kind_article")
	}
	return kind
}

// hitLabel names the kind of one hit.
func hitLabel(l *i18n.Localizer, kind string) string {
	switch kind {
	case search.KindTicket:
		return l.T("search.hit_ticket")
	case search.KindContact:
		return l.T("search.hit_contact")
	case search.KindCompany:
		return l.T("search.hit_company")
	case search.KindArticle:
		return l.T("search.hit_article")
	}
	return kind
}

// searchHits gives each hit its links: a ticket or an article opens; a
// contact or a company lists its tickets (administrators may also edit
// it, and an article).
func (s *Server) searchHits(v *Viewer, hits []search.Hit) []searchHit {
	out := make([]searchHit, len(hits))
	for i, h := range hits {
		sh := searchHit{Hit: h, KindLabel: hitLabel(v.L, h.Kind), TitleMarked: template.HTML(h.TitleHTML),
			SnippetHTML: template.HTML(h.Snippet)}
		id := strconv.FormatInt(h.ID, 10)
		switch h.Kind {
		case search.KindTicket:
			sh.URL = "/tickets/" + id
		case search.KindContact:
			sh.URL = "/search?" + url.Values{"kind": {search.KindTicket}, "q": {`from:"` + contactKey(h) + `"`}}.Encode()
			sh.AdminURL = "/admin/contacts/" + id
		case search.KindArticle:
			sh.URL = "/kb/" + id + "?lang=" + h.Language
			sh.AdminURL = "/admin/articles/" + id
		case search.KindCompany:
			sh.URL = "/search?" + url.Values{"kind": {search.KindTicket}, "q": {`company:"` + h.Title + `"`}}.Encode()
			sh.AdminURL = "/admin/companies/" + id
		}
		if !v.P.IsAdmin() {
			sh.AdminURL = ""
		}
		out[i] = sh
	}
	return out
}

// contactKey is what from: finds a contact by: the address, else the
// name.
func contactKey(h search.Hit) string {
	if h.Subtitle != "" {
		return h.Subtitle
	}
	return h.Title
}

// queryError explains an invalid query; nil for nil and for errors that
// are not about the query.
func queryError(l *i18n.Localizer, q string, err error) *searchError {
	var qe *search.QueryError
	if !errors.As(err, &qe) {
		return nil
	}
	e := &searchError{Message: queryMessage(l, qe)}
	rs := []rune(q)
	if qe.Pos > 0 && qe.Pos <= len(rs) {
		// The whole word at fault is marked.
		end := qe.Pos
		for end < len(rs) && !unicode.IsSpace(rs[end]) {
			end++
		}
		e.HasPos = true
		e.Before, e.At, e.After = string(rs[:qe.Pos-1]), string(rs[qe.Pos-1:end]), string(rs[end:])
	}
	return e
}
