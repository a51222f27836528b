package agent

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
)

// The knowledge base's administration: the list of articles, the editor
// (settings shared by the translations, a Markdown editor with a preview
// per language, files), revisions and the usage report.

func (s *Server) articleRoutes() []adminRoute {
	b := "/admin/articles"
	return []adminRoute{
		{"GET " + b, s.handleArticles},
		{"GET " + b + "/new", s.handleArticleNew},
		{"POST " + b, s.handleArticleCreate},
		{"POST " + b + "/preview", s.handleArticlePreview},
		{"GET " + b + "/usage", s.handleArticleUsage},
		{"GET " + b + "/{id}", s.handleArticle},
		{"POST " + b + "/{id}/settings", s.handleArticleSettings},
		{"POST " + b + "/{id}/draft", s.handleArticleDraft},
		{"POST " + b + "/{id}/translation", s.handleTranslationAction},
		{"POST " + b + "/{id}/delete", s.handleArticleDelete},
		{"POST " + b + "/{id}/files", s.handleArticleUpload},
		{"POST " + b + "/{id}/files/{file}/delete", s.handleArticleFileDelete},
		{"GET " + b + "/{id}/revisions", s.handleRevisions},
		{"GET " + b + "/{id}/revisions/{rev}", s.handleRevision},
		{"POST " + b + "/{id}/revisions/{rev}/restore", s.handleRestore},
	}
}

// articlesPage lists articles for editors.
type articlesPage struct {
	adminPage
	Articles   []kb.Article
	Categories []kb.Category
	CatName    map[int64]string
	Category   *int64
	Visibility string
	Q          string
	Pager      pager
}

// Langs are the languages an article may be written in.
func (articlesPage) Langs() []string { return kb.Languages }

func (s *Server) handleArticles(w http.ResponseWriter, r *http.Request) error {
	data := articlesPage{adminPage: s.adminBase(r, "articles"), Q: r.URL.Query().Get("q"),
		Visibility: r.URL.Query().Get("visibility")}
	var err error
	if data.Category, err = queryID(r, "category"); err != nil {
		return err
	}
	if data.Categories, data.CatName, err = s.categoryNames(r); err != nil {
		return err
	}
	vis := kb.Visibility(data.Visibility)
	if !vis.Valid() {
		vis, data.Visibility = "", ""
	}
	list, total, err := s.KB.FindArticles(r.Context(), kb.Filter{CategoryID: data.Category, Q: data.Q, Visibility: vis,
		Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Articles, data.Pager = list, newPager(r, total)
	s.render(w, r, http.StatusOK, "admin_articles", data)
	return nil
}

func (s *Server) categoryNames(r *http.Request) ([]kb.Category, map[int64]string, error) {
	list, err := s.KB.Categories(r.Context())
	names := map[int64]string{}
	for _, c := range list {
		names[c.ID] = c.Name(viewer(r).L.Lang)
	}
	return list, names, err
}

// articlePage is the editor.
type articlePage struct {
	adminPage
	A          kb.Article
	Lang       string         // the translation being edited
	T          kb.Translation // its current state; zero when it does not exist yet
	Draft      kb.Draft       // the editor's values
	Preview    template.HTML
	Settings   kb.Settings
	Categories []kb.Category
	Plans      []directory.Plan
	Files      []attachment.Attachment
	Usage      kb.Usage
}

// Langs are the languages an article may be written in.
func (articlePage) Langs() []string { return kb.Languages }

// TranslationOf is the article's translation in lang; zero when none.
func (d articlePage) TranslationOf(lang string) kb.Translation {
	t, _ := d.A.Translation(lang)
	return t
}

// Ref is how the Markdown names a file.
func (articlePage) Ref(id int64) string { return kb.FileRef(id) }

func (s *Server) articleBase(r *http.Request) (articlePage, error) {
	d := articlePage{adminPage: s.adminBase(r, "articles")}
	var err error
	if d.Categories, err = s.KB.Categories(r.Context()); err != nil {
		return d, err
	}
	d.Plans, _, err = s.Directory.FindPlans(r.Context(), directory.PlanFilter{Limit: 500})
	return d, err
}

func (s *Server) handleArticleNew(w http.ResponseWriter, r *http.Request) error {
	d, err := s.articleBase(r)
	if err != nil {
		return err
	}
	d.Lang = viewer(r).L.Lang
	if c, _ := queryID(r, "category"); c != nil {
		d.Settings.CategoryID = c
	}
	d.Draft.Language, d.Settings.Visibility = d.Lang, kb.Internal
	s.render(w, r, http.StatusOK, "admin_article", d)
	return nil
}

// settingsFromForm reads the settings part of an article form.
func settingsFromForm(r *http.Request) (kb.Settings, error) {
	st := kb.Settings{Visibility: kb.Visibility(r.PostFormValue("visibility")), PlanLimited: r.PostFormValue("plan_limited") == "on"}
	var err error
	if st.CategoryID, err = formID(r, "category_id"); err != nil {
		return st, err
	}
	if st.Position, err = formInt(r, "position"); err != nil {
		return st, err
	}
	if st.PlanIDs, err = formIDs(r, "plan_ids"); err != nil {
		return st, err
	}
	if !st.PlanLimited {
		st.PlanIDs = nil
	}
	return st, nil
}

func draftFromForm(r *http.Request) kb.Draft {
	return kb.Draft{Language: r.PostFormValue("lang"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Slug: r.PostFormValue("slug")}
}

func (s *Server) handleArticleCreate(w http.ResponseWriter, r *http.Request) error {
	st, err := settingsFromForm(r)
	d := draftFromForm(r)
	show := func(msg string, status int) error {
		page, err := s.articleBase(r)
		if err != nil {
			return err
		}
		page.Lang, page.Draft, page.Settings, page.Error = d.Language, d, st, msg
		page.Preview = kb.Render(d.Body, nil)
		s.render(w, r, status, "admin_article", page)
		return nil
	}
	if err == nil && r.PostFormValue("do") == "preview" {
		return show("", http.StatusOK)
	}
	if err == nil {
		var a kb.Article
		if a, err = s.KB.CreateArticle(r.Context(), viewer(r).P, kb.NewArticle{Settings: st, Draft: d}); err == nil {
			redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=created", a.ID, d.Language))
			return nil
		}
	}
	return formFailed(r, err, show)
}

// showArticle renders the editor for the translation lang, with the
// editor's values from draft when not nil.
func (s *Server) showArticle(w http.ResponseWriter, r *http.Request, id int64, lang string, draft *kb.Draft, st *kb.Settings,
	msg string, status int) error {
	d, err := s.articleBase(r)
	if err != nil {
		return err
	}
	if d.A, err = s.KB.FindArticle(r.Context(), id); err != nil {
		return err
	}
	if !slices.Contains(kb.Languages, lang) {
		lang = d.A.Translations[0].Language
	}
	d.Lang, d.Error = lang, msg
	d.T, _ = d.A.Translation(lang)
	d.Draft = kb.Draft{Language: lang, Title: d.T.WorkingTitle(), Body: d.T.WorkingBody(), Slug: d.T.Slug}
	if draft != nil {
		d.Draft = *draft
	}
	d.Settings = kb.Settings{CategoryID: d.A.CategoryID, Visibility: d.A.Visibility, PlanLimited: d.A.PlanLimited,
		PlanIDs: d.A.PlanIDs, Position: d.A.Position}
	if st != nil {
		d.Settings = *st
	}
	if d.Files, err = s.KB.Files(r.Context(), id); err != nil {
		return err
	}
	files, err := s.KB.AgentFiles(r.Context(), id)
	if err != nil {
		return err
	}
	d.Preview = kb.Render(d.Draft.Body, files)
	if d.Usage, err = s.KB.ArticleUsage(r.Context(), id); err != nil {
		return err
	}
	s.render(w, r, status, "admin_article", d)
	return nil
}

func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	return s.showArticle(w, r, id, r.URL.Query().Get("lang"), nil, nil, "", http.StatusOK)
}

func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

func (s *Server) handleArticleSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	lang := r.PostFormValue("lang")
	st, err := settingsFromForm(r)
	if err == nil {
		if _, err = s.KB.UpdateSettings(r.Context(), viewer(r).P, id, formVersion(r), st); err == nil {
			redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=saved", id, lang))
			return nil
		}
	}
	return formFailed(r, err, func(msg string, status int) error { return s.showArticle(w, r, id, lang, nil, &st, msg, status) })
}

// handleArticleDraft saves the editor's text; "publish" publishes it too,
// "preview" only shows it.
func (s *Server) handleArticleDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	d := draftFromForm(r)
	failed := func(msg string, status int) error { return s.showArticle(w, r, id, d.Language, &d, nil, msg, status) }
	if r.PostFormValue("do") == "preview" {
		return failed("", http.StatusOK)
	}
	a, err := s.KB.SaveDraft(r.Context(), viewer(r).P, id, formVersion(r), d)
	if err != nil {
		return formFailed(r, err, failed)
	}
	ok := "saved"
	if t, _ := a.Translation(d.Language); r.PostFormValue("do") == "publish" && t.HasDraft {
		if _, err := s.KB.Publish(r.Context(), viewer(r).P, id, a.Version, d.Language); err != nil {
			return formFailed(r, err, failed)
		}
		ok = "published"
	}
	redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=%s", id, d.Language, ok))
	return nil
}

// handleTranslationAction publishes, takes off, discards the draft of, or
// deletes one translation.
func (s *Server) handleTranslationAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	p, lang, version := viewer(r).P, r.PostFormValue("lang"), formVersion(r)
	var ok string
	switch r.PostFormValue("do") {
	case "publish":
		_, err = s.KB.Publish(r.Context(), p, id, version, lang)
		ok = "published"
	case "unpublish":
		_, err = s.KB.Unpublish(r.Context(), p, id, version, lang)
		ok = "unpublished"
	case "discard":
		_, err = s.KB.DiscardDraft(r.Context(), p, id, version, lang)
		ok = "discarded"
	case "delete":
		_, err = s.KB.DeleteTranslation(r.Context(), p, id, version, lang)
		ok, lang = "deleted", ""
	default:
		return apperr.Errorf(apperr.BadRequest, "unknown action")
	}
	if err != nil {
		return formFailed(r, err, func(msg string, status int) error { return s.showArticle(w, r, id, lang, nil, nil, msg, status) })
	}
	redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=%s", id, lang, ok))
	return nil
}

func (s *Server) handleArticleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	if err := s.KB.DeleteArticle(r.Context(), viewer(r).P, id); err != nil {
		return err
	}
	redirect(w, r, "/admin/articles?ok=deleted")
	return nil
}

// handleArticlePreview renders Markdown as the article will show it, for
// the editor's preview pane.
func (s *Server) handleArticlePreview(w http.ResponseWriter, r *http.Request) error {
	var files kb.FileURL
	if id, err := strconv.ParseInt(r.PostFormValue("article"), 10, 64); err == nil && id > 0 {
		if files, err = s.KB.AgentFiles(r.Context(), id); err != nil {
			return err
		}
	}
	s.fragment(w, r, "admin_article", "preview", articlePage{Preview: kb.Render(r.PostFormValue("body"), files)})
	return nil
}
