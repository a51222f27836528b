package api

import (
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/kb"
)

// kbRoutes serve the knowledge base to agents and integrations: every
// agent reads; administrators write. (The customer portal reads through
// the kb service's public API, not through these routes.)
func (s *Server) kbRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/kb/categories", s.handleKBCategories)
	s.handle(mux, "POST /api/v1/kb/categories", call(http.StatusCreated, func(r *http.Request, in kb.CategoryInput) (kb.Category, error) {
		return s.KB.CreateCategory(r.Context(), principal(r), in)
	}))
	s.handle(mux, "GET /api/v1/kb/categories/{id}", getByID(s.KB.FindCategory))
	s.handle(mux, "PUT /api/v1/kb/categories/{id}", callID(func(r *http.Request, id int64, in kb.CategoryInput) (kb.Category, error) {
		return s.KB.UpdateCategory(r.Context(), principal(r), id, in)
	}))
	s.handle(mux, "DELETE /api/v1/kb/categories/{id}", deleteByID(requireAdmin, func(ctx contextT, id int64) error {
		return s.KB.DeleteCategory(ctx, principalOf(ctx), id)
	}))
	s.handle(mux, "GET /api/v1/kb/articles", s.handleKBArticles)
	s.handle(mux, "POST /api/v1/kb/articles", call(http.StatusCreated, func(r *http.Request, in newArticle) (kb.Article, error) {
		return s.KB.CreateArticle(r.Context(), principal(r), kb.NewArticle{Settings: in.Settings,
			Draft: kb.Draft{Language: in.Language, Title: in.Title, Body: in.Body, Slug: in.Slug}})
	}))
	s.handle(mux, "GET /api/v1/kb/articles/{id}", getByID(s.KB.FindArticle))
	s.handle(mux, "DELETE /api/v1/kb/articles/{id}", deleteByID(requireAdmin, func(ctx contextT, id int64) error {
		return s.KB.DeleteArticle(ctx, principalOf(ctx), id)
	}))
	s.handle(mux, "PUT /api/v1/kb/articles/{id}/settings", callID(func(r *http.Request, id int64, in settingsInput) (kb.Article, error) {
		return s.KB.UpdateSettings(r.Context(), principal(r), id, in.Version, in.Settings)
	}))
	s.kbTranslationRoutes(mux)
	s.handle(mux, "GET /api/v1/kb/articles/{id}/revisions", s.handleKBRevisions)
	s.handle(mux, "GET /api/v1/kb/articles/{id}/revisions/{revision}", s.handleKBRevision)
	s.handle(mux, "POST /api/v1/kb/articles/{id}/revisions/{revision}/restore", s.handleKBRestore)
	s.handle(mux, "POST /api/v1/kb/articles/{id}/files", callID(func(r *http.Request, id int64, in filesInput) (kb.Article, error) {
		if err := s.KB.AttachFiles(r.Context(), principal(r), id, in.AttachmentIDs); err != nil {
			return kb.Article{}, err
		}
		return s.KB.FindArticle(r.Context(), id)
	}))
	s.handle(mux, "GET /api/v1/kb/usage", s.handleKBUsage)
	s.handle(mux, "POST /api/v1/tickets/{id}/kb-insertions", callID(func(r *http.Request, id int64, in insertInput) (kb.Insertion, error) {
		return s.KB.Insert(r.Context(), principal(r), id, in.ArticleID, in.Language, in.Mode)
	}))
}

func (s *Server) kbTranslationRoutes(mux *http.ServeMux) {
	base := "/api/v1/kb/articles/{id}/translations/{lang}"
	s.handle(mux, "GET "+base, s.handleKBTranslation)
	s.handle(mux, "PUT "+base, callID(func(r *http.Request, id int64, in draftInput) (kb.Article, error) {
		return s.KB.SaveDraft(r.Context(), principal(r), id, in.Version, kb.Draft{Language: r.PathValue("lang"),
			Title: in.Title, Body: in.Body, Slug: in.Slug})
	}))
	s.handle(mux, "DELETE "+base, s.handleKBTranslationDelete)
	for verb, fn := range map[string]func(*http.Request, int64, int64, string) (kb.Article, error){
		"publish": func(r *http.Request, id, version int64, lang string) (kb.Article, error) {
			return s.KB.Publish(r.Context(), principal(r), id, version, lang)
		},
		"unpublish": func(r *http.Request, id, version int64, lang string) (kb.Article, error) {
			return s.KB.Unpublish(r.Context(), principal(r), id, version, lang)
		},
		"discard": func(r *http.Request, id, version int64, lang string) (kb.Article, error) {
			return s.KB.DiscardDraft(r.Context(), principal(r), id, version, lang)
		},
	} {
		s.handle(mux, "POST "+base+"/"+verb, callID(func(r *http.Request, id int64, in versionInput) (kb.Article, error) {
			if in.Version <= 0 {
				return kb.Article{}, apperr.Field("version", "the article's version is required")
			}
			return fn(r, id, in.Version, r.PathValue("lang"))
		}))
	}
}

type newArticle struct {
	kb.Settings
	Language string `json:"language"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Slug     string `json:"slug"`
}

type settingsInput struct {
	Version int64 `json:"version"`
	kb.Settings
}

type draftInput struct {
	Version int64  `json:"version"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Slug    string `json:"slug"`
}

type versionInput struct {
	Version int64 `json:"version"`
}

type filesInput struct {
	AttachmentIDs []int64 `json:"attachment_ids"`
}

type insertInput struct {
	ArticleID int64  `json:"article_id"`
	Language  string `json:"language"`
	Mode      string `json:"mode"`
}

func (s *Server) handleKBCategories(w http.ResponseWriter, r *http.Request) error {
	list, err := s.KB.Categories(r.Context())
	return writeList(w, list, len(list), err)
}

func (s *Server) handleKBArticles(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f := kb.Filter{Q: r.URL.Query().Get("q"), Visibility: kb.Visibility(r.URL.Query().Get("visibility")),
		Offset: page.Offset(), Limit: page.PerPage}
	if f.CategoryID, err = queryID(r, "category_id"); err != nil {
		return err
	}
	if f.Visibility != "" && !f.Visibility.Valid() {
		return apperr.Field("visibility", "must be internal or public")
	}
	published, err := queryBool(r, "published")
	if err != nil {
		return err
	}
	f.Published = published != nil && *published
	items, total, err := s.KB.FindArticles(r.Context(), f)
	return writeList(w, items, total, err)
}

// translationView is a translation with its text rendered as the
// workspace shows it.
type translationView struct {
	kb.Translation
	State string `json:"state"`
	HTML  string `json:"html"`       // the published text, sanitised HTML
	URL   string `json:"portal_url"` // "" for an internal article
}

func (s *Server) handleKBTranslation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.KB.FindArticle(r.Context(), id)
	if err != nil {
		return err
	}
	t, ok := a.Translation(r.PathValue("lang"))
	if !ok {
		return apperr.NotFoundf("article %d has no %q translation", id, r.PathValue("lang"))
	}
	files, err := s.KB.AgentFiles(r.Context(), id)
	if err != nil {
		return err
	}
	v := translationView{Translation: t, State: t.State(), HTML: string(kb.Render(t.Body, files))}
	if a.Visibility == kb.Public {
		v.URL = s.KB.PortalURL(t.Slug)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleKBRevisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.KB.Revisions(r.Context(), id)
	return writeList(w, list, len(list), err)
}

func (s *Server) handleKBRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rev, err := pathID(r, "revision")
	if err != nil {
		return err
	}
	v, err := s.KB.FindRevision(r.Context(), id, rev)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleKBRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rev, err := pathID(r, "revision")
	if err != nil {
		return err
	}
	var in versionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return apperr.Field("version", "the article's version is required")
	}
	a, err := s.KB.Restore(r.Context(), principal(r), id, in.Version, rev)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) handleKBUsage(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.KB.UsageReport(r.Context(), page.Offset(), page.PerPage)
	return writeList(w, items, total, err)
}

func (s *Server) handleKBTranslationDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := queryID(r, "version")
	if err != nil || version == nil {
		return apperr.Field("version", "the article's version is required: ?version=N")
	}
	a, err := s.KB.DeleteTranslation(r.Context(), principal(r), id, *version, r.PathValue("lang"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
