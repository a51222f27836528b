package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/kb"
	"linedesk/internal/portal"
	"linedesk/internal/web/api"
)

// The knowledge base on the portal: public articles for anyone, articles
// limited to plans for the signed-in customers of those plans, in the
// reader's language where an article has it. What the reader may read is
// kb's to decide (kb.Service.Public*); anything else is not found.

// PlanFinder tells which plan a contact is served under, for the
// articles limited to plans.
type PlanFinder interface {
	// PlanOf is the contact's plan; nil when they are under none.
	PlanOf(ctx context.Context, contactID int64) (*int64, error)
}

func (s *Server) kbRoutes(mux *http.ServeMux) {
	s.reader(mux, "GET /portal/kb", s.handleKB)
	s.reader(mux, "GET /portal/kb/{slug}", s.handleKBArticle)
	s.reader(mux, "GET /portal/kb/{slug}/files/{id}", s.handleKBFile)
	s.page(mux, "POST /portal/kb/{slug}/solved", s.handleDeflect)
	s.page(mux, "GET /portal/tickets/new/suggestions", s.handleSuggestions)
}

// reader registers a route anyone may call that knows the customer when
// one is signed in: what it shows depends on who reads.
func (s *Server) reader(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, Route{pattern, AccessPublic})
	mux.Handle(pattern, s.maybeSignedIn(s.serve(h)))
}

// maybeSignedIn puts the signed-in customer into the request's context
// when there is one who may use the portal now; anyone else reads as a
// visitor.
func (s *Server) maybeSignedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.Sessions.GetInt64(r.Context(), keyContact)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		a, err := s.Portal.Access(r.Context(), id)
		var ref *portal.Refusal
		if errors.As(err, &ref) || apperr.Is(err, apperr.NotFound) {
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := &Viewer{A: a, C: a.Customer(), L: s.Text.For(a.Language, time.UTC)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

// readerPlan is the plan whose limited articles the reader may read.
func (s *Server) readerPlan(r *http.Request) (*int64, error) {
	v := viewerOrNil(r)
	if v == nil || s.Plans == nil {
		return nil, nil
	}
	return s.Plans.PlanOf(r.Context(), v.A.ContactID)
}

const kbPerPage = 20

// kbListPage is the knowledge base's front page, a category or a search.
type kbListPage struct {
	Page
	Q          string
	CategoryID int64 // 0: every category
	Category   string
	Categories []kbCategory
	Items      []kbItem
	Total      int
	PageNo     int
	Pages      int
	FullText   bool // the search is the search engine's, else a match of titles
}

type kbCategory struct {
	kb.PublicCategory
	Name string
}

// kbItem is one article of a list, as the reader reads it.
type kbItem struct {
	kb.PublicSummary
	Category string
}

// PrevPage is the pager's page before this one.
func (d kbListPage) PrevPage() int { return d.PageNo - 1 }

// NextPage is the page after this one.
func (d kbListPage) NextPage() int { return d.PageNo + 1 }

// Query is the list's address without its page, to add one to.
func (d kbListPage) Query() string {
	v := url.Values{}
	if d.Q != "" {
		v.Set("q", d.Q)
	}
	if d.CategoryID != 0 {
		v.Set("category", strconv.FormatInt(d.CategoryID, 10))
	}
	return v.Encode()
}

func (s *Server) handleKB(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	s.rememberLanguage(w, r)
	plan, err := s.readerPlan(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := kbListPage{Page: s.newPage(r, l, "kb"), Q: strings.TrimSpace(q.Get("q")), FullText: s.KB.HasFinder()}
	d.CategoryID, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	d.PageNo, _ = strconv.Atoi(q.Get("page"))
	d.PageNo = max(d.PageNo, 1)
	cats, err := s.KB.PublicCategoriesFallback(r.Context(), l.Lang, plan)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.Name(l.Lang)
		d.Categories = append(d.Categories, kbCategory{c, c.Name(l.Lang)})
	}
	f := kb.PublicFilter{Language: l.Lang, Fallback: true, PlanID: plan, Q: d.Q, Offset: (d.PageNo - 1) * kbPerPage, Limit: kbPerPage}
	if d.CategoryID != 0 {
		f.CategoryID, d.Category = &d.CategoryID, names[d.CategoryID]
	}
	list, total, err := s.KB.PublicArticles(r.Context(), f)
	if err != nil {
		return err
	}
	for _, it := range list {
		item := kbItem{PublicSummary: it}
		if it.CategoryID != nil {
			item.Category = names[*it.CategoryID]
		}
		d.Items = append(d.Items, item)
	}
	d.Total, d.Pages = total, (total+kbPerPage-1)/kbPerPage
	s.render(w, r, http.StatusOK, "kb", d)
	return nil
}

// kbArticlePage is an article as the portal shows it.
type kbArticlePage struct {
	Page
	A      kb.PublicPage
	Crumbs []kbCrumb // the article's category, after its parent
	// Missing is set when the article has no translation in the reader's
	// language; Theirs is that translation when the page shows another.
	Missing bool
	Theirs  *kb.PublicSummary
	// Visit is set when the article was opened from the suggestions of
	// the new-request form: the page asks whether it solved the problem.
	Visit string
}

func (s *Server) handleKBArticle(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	s.rememberLanguage(w, r)
	plan, err := s.readerPlan(r)
	if err != nil {
		return err
	}
	page, err := s.KB.PublicArticle(r.Context(), r.PathValue("slug"), plan)
	if err != nil {
		return err
	}
	if page.Moved {
		to := "/portal/kb/" + url.PathEscape(page.Slug)
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return nil
	}
	d := kbArticlePage{Page: s.newPage(r, l, "kb_article"), A: page, Missing: page.Language != l.Lang}
	for i, t := range page.Translations {
		if t.Language == l.Lang {
			d.Theirs, d.Missing = &page.Translations[i], false
		}
	}
	if d.Crumbs, err = s.crumbs(r.Context(), page.CategoryID, l.Lang); err != nil {
		return err
	}
	visit := s.visitOf(r)
	if visit != "" {
		d.Visit = r.URL.Query().Get("visit")
	}
	if err := s.countView(r, page, visit); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "kb_article", d)
	return nil
}

// kbCrumb is a category on the way to an article.
type kbCrumb struct {
	ID   int64
	Name string
}

// crumbs are an article's category and its parent, the parent first.
// A category only names where a readable article is; it holds nothing
// secret of its own.
func (s *Server) crumbs(ctx context.Context, id *int64, lang string) ([]kbCrumb, error) {
	var out []kbCrumb
	for id != nil && len(out) < 2 {
		c, err := s.KB.FindCategory(ctx, *id)
		if apperr.Is(err, apperr.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append([]kbCrumb{{c.ID, c.Name(lang)}}, out...)
		id = c.ParentID
	}
	return out, nil
}

// countView counts the reading of an article, except by an agent: the
// workspace counted their reading already, and a look at what customers
// see is not one more.
func (s *Server) countView(r *http.Request, page kb.PublicPage, visit string) error {
	if s.AgentBrowser != nil && s.AgentBrowser(r) {
		return nil
	}
	v := kb.PortalView{ArticleID: page.ArticleID, Language: page.Language, Visit: visit}
	if viewer := viewerOrNil(r); viewer != nil {
		v.ContactID = &viewer.A.ContactID
	}
	return s.KB.CountPortalView(r.Context(), v)
}

// visitOf is the new-request visit named by the request's visit token,
// "" when there is none or it is not the signed-in customer's.
func (s *Server) visitOf(r *http.Request) string {
	v := viewerOrNil(r)
	token := r.FormValue("visit")
	if v == nil || token == "" {
		return ""
	}
	visit, _ := s.Portal.Visit(token, v.A.ContactID)
	return visit
}

// handleKBFile serves an image or file of an article the reader may read.
func (s *Server) handleKBFile(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("file %q not found", r.PathValue("id"))
	}
	plan, err := s.readerPlan(r)
	if err != nil {
		return err
	}
	a, f, err := s.KB.PublicFile(r.Context(), r.PathValue("slug"), plan, id)
	if err != nil {
		return err
	}
	defer f.Close()
	api.ServeAttachment(noStore{w}, r, a, f)
	return nil
}
