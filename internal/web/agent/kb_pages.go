package agent

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/kb"
	"linedesk/internal/ticket"
)

// The knowledge base as agents read it: browsing by category, full-text
// search, an article's page, the picker on the ticket page that puts an
// article into a reply and the articles suggested for a ticket. Until the
// search engine is plugged in, "search" here is a case-insensitive match
// on titles and nothing is suggested.

func (s *Server) kbRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /kb", s.handleKB)
	s.page(mux, "GET /kb/{id}", s.handleKBArticle)
	s.page(mux, "GET /tickets/{id}/kb", s.handleKBPicker)
	s.page(mux, "GET /tickets/{id}/kb/suggested", s.handleKBSuggested)
	s.page(mux, "POST /tickets/{id}/kb/{article}/insert", s.handleKBInsert)
}

// kbItem is an article in a list: the translation to show first, and the
// other published ones.
type kbItem struct {
	Article kb.Article
	Shown   kb.Translation
	Others  []kb.Translation
	Snippet template.HTML // the matching passage of a full-text search
}

// kbItems picks, for each article, the published translation in the
// first of prefer it has.
func kbItems(list []kb.Article, prefer ...string) []kbItem {
	out := []kbItem{}
	for _, a := range list {
		shown, ok := a.Pick(prefer...)
		if !ok {
			continue
		}
		item := kbItem{Article: a, Shown: shown}
		for _, t := range a.Translations {
			if t.PublishedAt != nil && t.Language != shown.Language {
				item.Others = append(item.Others, t)
			}
		}
		out = append(out, item)
	}
	return out
}

// kbPage lists articles for agents.
type kbPage struct {
	Page
	Categories []kb.Category
	Category   *int64
	Q          string
	FullText   bool // searches run on the search engine
	Items      []kbItem
	Pager      pager
}

func (s *Server) handleKB(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	data := kbPage{Page: s.newPage(r, v.L, v, "kb"), Q: r.URL.Query().Get("q"), FullText: s.KB.HasFinder()}
	var err error
	if data.Category, err = queryID(r, "category"); err != nil {
		return err
	}
	if data.Categories, err = s.KB.Categories(r.Context()); err != nil {
		return err
	}
	items, total, err := s.findKB(r.Context(), data.Q, data.Category, listOffset(r), adminPerPage, v.L.Lang)
	if err != nil {
		return err
	}
	data.Items, data.Pager = items, newPager(r, total)
	s.render(w, r, http.StatusOK, "kb", data)
	return nil
}

// queryID reads an optional id from the query string; anything else is
// none.
func queryID(r *http.Request, key string) (*int64, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.Field(key, "%q is not an id", v)
	}
	return &id, nil
}

// kbArticlePage is an article as an agent reads it.
type kbArticlePage struct {
	Page
	Article  kb.Article
	T        kb.Translation
	HTML     template.HTML
	Category *kb.Category
	Files    []attachment.Attachment
	Portal   string // the article's portal address, "" for an internal one
}

func (s *Server) handleKBArticle(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	a, err := s.KB.FindArticle(r.Context(), id)
	if err != nil {
		return err
	}
	t, ok := a.Pick(r.URL.Query().Get("lang"), v.L.Lang)
	if !ok {
		return apperr.NotFoundf("article %d is not published", id)
	}
	data := kbArticlePage{Page: s.newPage(r, v.L, v, "kb"), Article: a, T: t}
	if err := s.articleParts(r.Context(), &data); err != nil {
		return err
	}
	if err := s.KB.CountView(r.Context(), id); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "kb_article", data)
	return nil
}

func (s *Server) articleParts(ctx context.Context, d *kbArticlePage) error {
	files, err := s.KB.AgentFiles(ctx, d.Article.ID)
	if err != nil {
		return err
	}
	d.HTML = kb.Render(d.T.Body, files)
	if d.Files, err = s.KB.Files(ctx, d.Article.ID); err != nil {
		return err
	}
	if d.Article.CategoryID != nil {
		if c, err := s.KB.FindCategory(ctx, *d.Article.CategoryID); err == nil {
			d.Category = &c
		}
	}
	if d.Article.Visibility == kb.Public {
		d.Portal = s.KB.PortalURL(d.T.Slug)
	}
	return nil
}

// kbPicker is the article picker's list on the ticket page.
type kbPicker struct {
	Page
	TicketID   int64
	Categories []kb.Category
	Category   *int64
	Q          string
	Items      []kbItem
	Total      int
}

func (s *Server) handleKBPicker(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.requestedTicket(r)
	if err != nil {
		return err
	}
	data := kbPicker{Page: s.newPage(r, v.L, v, "ticket"), TicketID: t.ID, Q: r.URL.Query().Get("q")}
	if data.Category, err = queryID(r, "category"); err != nil {
		return err
	}
	if data.Categories, err = s.KB.Categories(r.Context()); err != nil {
		return err
	}
	data.Items, data.Total, err = s.findKB(r.Context(), data.Q, data.Category, 0, 20, s.requesterLanguage(r.Context(), t), v.L.Lang)
	if err != nil {
		return err
	}
	s.fragment(w, r, "ticket_tools", "kb-results", data)
	return nil
}

// requestedTicket is the ticket the request's path names, as the agent
// may see it.
func (s *Server) requestedTicket(r *http.Request) (ticket.Ticket, error) {
	id, err := ticketID(r)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return s.Tickets.FindTicket(r.Context(), viewer(r).P, id)
}

// requesterLanguage is the language the ticket's requester reads, "" when
// unknown.
func (s *Server) requesterLanguage(ctx context.Context, t ticket.Ticket) string {
	if c, err := s.Directory.FindContact(ctx, t.Requester.ID); err == nil {
		return c.Language
	}
	return ""
}

// findKB lists published articles for agents: by full text when there is
// a search and the search engine is plugged in, else by category and
// title.
func (s *Server) findKB(ctx context.Context, q string, category *int64, offset, limit int, prefer ...string) ([]kbItem, int, error) {
	if q == "" || !s.KB.HasFinder() {
		list, total, err := s.KB.FindArticles(ctx, kb.Filter{CategoryID: category, Q: q, Published: true, Offset: offset, Limit: limit})
		return kbItems(list, prefer...), total, err
	}
	found, total, err := s.KB.Search(ctx, kb.Query{Text: q, Reader: kb.Reader{Agent: true}, CategoryID: category,
		Offset: offset, Limit: limit})
	return foundItems(found), total, err
}

// foundItems are the hits of a full-text search, an article once, shown
// in the translation that matched best.
func foundItems(found []kb.Found) []kbItem {
	out := []kbItem{}
	seen := map[int64]bool{}
	for _, f := range found {
		if seen[f.Article.ID] {
			continue
		}
		seen[f.Article.ID] = true
		item := kbItem{Article: f.Article, Shown: f.Translation, Snippet: template.HTML(f.Snippet)}
		for _, t := range f.Article.Translations {
			if t.PublishedAt != nil && t.Language != f.Translation.Language {
				item.Others = append(item.Others, t)
			}
		}
		out = append(out, item)
	}
	return out
}

// kbSuggested is the panel of articles suggested for a ticket.
type kbSuggested struct {
	Page
	TicketID int64
	Items    []kbItem
}

// suggestedArticles is how many articles the ticket page suggests.
const suggestedArticles = 5

// handleKBSuggested suggests the articles most like the ticket's subject,
// description and replies, loaded after the ticket page.
func (s *Server) handleKBSuggested(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.requestedTicket(r)
	if err != nil {
		return err
	}
	data := kbSuggested{Page: s.newPage(r, v.L, v, "ticket"), TicketID: t.ID, Items: []kbItem{}}
	if s.KB.HasFinder() {
		text, err := s.ticketText(r.Context(), t)
		if err != nil {
			return err
		}
		found, err := s.KB.Suggest(r.Context(), text, kb.Query{Reader: kb.Reader{Agent: true}, Limit: suggestedArticles})
		if err != nil {
			return err
		}
		data.Items = foundItems(found)
	}
	s.fragment(w, r, "ticket_tools", "kb-suggested", data)
	return nil
}

// ticketText is what a ticket is about: its subject (twice: it says the
// most in the fewest words), then what the customer and the team wrote
// publicly.
func (s *Server) ticketText(ctx context.Context, t ticket.Ticket) (string, error) {
	conv, err := s.Tickets.Conversations(ctx, []int64{t.ID})
	if err != nil {
		return "", err
	}
	parts := []string{t.Subject, t.Subject}
	for _, c := range conv[t.ID] {
		if c.Public {
			parts = append(parts, c.Text)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// handleKBInsert counts an article put into the reply and answers the
// text to put there.
func (s *Server) handleKBInsert(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	article, err := pathID(r, "article", "article")
	if err != nil {
		return err
	}
	in, err := s.KB.Insert(r.Context(), viewer(r).P, id, article, r.PostFormValue("lang"), r.PostFormValue("mode"))
	if err != nil {
		return err
	}
	return writeJSON(w, in)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(v)
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
