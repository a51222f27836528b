package portal

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/kb"
)

// While a customer types the subject of a new request, the form asks for
// articles that may answer it. One that does ends the visit without a
// request: the article is counted as having deflected it.

// suggestLimit is how many articles the form suggests.
const suggestLimit = 5

// suggestionsPart is the list under the subject field.
type suggestionsPart struct {
	Page
	Items []kb.PublicSummary
	Visit string // the visit's token, carried into the articles' links
}

func (s *Server) handleSuggestions(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	d := suggestionsPart{Page: s.newPage(r, v.L, "new")}
	if s.visitOf(r) != "" {
		d.Visit = r.URL.Query().Get("visit")
	}
	subject := strings.TrimSpace(r.URL.Query().Get("subject"))
	if utf8.RuneCountInString(subject) >= 3 {
		plan, err := s.readerPlan(r)
		if err != nil {
			return err
		}
		if d.Items, err = s.KB.PublicSuggestions(r.Context(), kb.PublicFilter{Language: v.L.Lang, PlanID: plan,
			Q: truncate(subject, 500), Limit: suggestLimit}); err != nil {
			return err
		}
	}
	s.fragment(w, r, "new", "suggestions", d)
	return nil
}

// handleDeflect is "this solved my problem" on an article opened from the
// suggestions: the request is not sent, and the article counts it as
// deflected, once per visit.
func (s *Server) handleDeflect(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	plan, err := s.readerPlan(r)
	if err != nil {
		return err
	}
	page, err := s.KB.PublicArticle(r.Context(), r.PathValue("slug"), plan)
	if err != nil {
		return err
	}
	visit := s.visitOf(r)
	if visit == "" {
		return apperr.NotFoundf("no visit of the new-request form")
	}
	if _, err := s.KB.Deflect(r.Context(), kb.PortalView{ArticleID: page.ArticleID, Language: page.Language, Visit: visit,
		ContactID: &v.A.ContactID}); err != nil {
		return err
	}
	redirect(w, r, "/portal/tickets?done=deflected")
	return nil
}

// truncate keeps at most n characters of s.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
