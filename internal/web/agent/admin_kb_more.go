package agent

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/kb"
)

// handleArticleUpload takes files from the editor and makes them the
// article's; the Markdown then names each as attachment:ID.
func (s *Server) handleArticleUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	r.Body = http.MaxBytesReader(w, r.Body, s.Attachments.MaxBytes()+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return attachment.TooLargeError(s.Attachments.MaxBytes())
		}
		return apperr.Errorf(apperr.BadRequest, "the files could not be read: %v", err)
	}
	var ids []int64
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		a, err := s.Attachments.Upload(r.Context(), viewer(r).P, fh.Filename, fh.Header.Get("Content-Type"), f)
		f.Close()
		if err != nil {
			return err
		}
		ids = append(ids, a.ID)
	}
	if len(ids) == 0 {
		return s.showArticle(w, r, id, lang, nil, nil, viewer(r).L.T("admin.articles.no_file"), http.StatusUnprocessableEntity)
	}
	if err := s.KB.AttachFiles(r.Context(), viewer(r).P, id, ids); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=uploaded#files", id, lang))
	return nil
}

func (s *Server) handleArticleFileDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	file, err := pathID(r, "file", "file")
	if err != nil {
		return err
	}
	if err := s.KB.RemoveFile(r.Context(), viewer(r).P, id, file); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=deleted#files", id, r.PostFormValue("lang")))
	return nil
}

// revisionsPage is an article's history.
type revisionsPage struct {
	adminPage
	A         kb.Article
	Revisions []kb.Revision
	Names     lookups
	Cats      map[int64]string
}

func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	d := revisionsPage{adminPage: s.adminBase(r, "articles")}
	if d.A, err = s.KB.FindArticle(r.Context(), id); err != nil {
		return err
	}
	if d.Revisions, err = s.KB.Revisions(r.Context(), id); err != nil {
		return err
	}
	if _, d.Cats, err = s.categoryNames(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_revisions", d)
	return nil
}

// ChangeText tells one settings change in the editor's words.
func (d revisionsPage) ChangeText(c kb.SettingChange) string {
	l := d.L
	val := func(v string) string {
		switch {
		case c.Field == "visibility" && v != "":
			return l.T("kb.visibility." + v)
		case c.Field == "category_id" && v == "":
			return l.T("admin.articles.no_category")
		case c.Field == "plan_ids" && v == "":
			return l.T("admin.articles.all_plans")
		case c.Field == "category_id":
			return d.Cats[atoi64(v)]
		}
		return v
	}
	return l.T("admin.articles.change."+c.Field, "From", val(c.From), "To", val(c.To))
}

// revisionPage is one revision, with what it changed.
type revisionPage struct {
	adminPage
	A       kb.Article
	R       kb.Revision
	Prev    *kb.Revision
	Diff    []kb.DiffLine
	Preview template.HTML
}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	rev, err := pathID(r, "rev", "revision")
	if err != nil {
		return err
	}
	d := revisionPage{adminPage: s.adminBase(r, "articles")}
	if d.A, err = s.KB.FindArticle(r.Context(), id); err != nil {
		return err
	}
	if d.R, err = s.KB.FindRevision(r.Context(), id, rev); err != nil {
		return err
	}
	if d.R.HasText() {
		prev, ok, err := s.KB.PreviousText(r.Context(), d.R)
		if err != nil {
			return err
		}
		if ok {
			d.Prev = &prev
			d.Diff = kb.Diff(prev.Title+"\n\n"+prev.Body, d.R.Title+"\n\n"+d.R.Body)
		}
		files, err := s.KB.AgentFiles(r.Context(), id)
		if err != nil {
			return err
		}
		d.Preview = kb.Render(d.R.Body, files)
	}
	s.render(w, r, http.StatusOK, "admin_revision", d)
	return nil
}

func (s *Server) handleRestore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "article")
	if err != nil {
		return err
	}
	rev, err := pathID(r, "rev", "revision")
	if err != nil {
		return err
	}
	rv, err := s.KB.FindRevision(r.Context(), id, rev)
	if err != nil {
		return err
	}
	if _, err := s.KB.Restore(r.Context(), viewer(r).P, id, formVersion(r), rev); err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
			return s.showArticle(w, r, id, rv.Language, nil, nil, e.Message, http.StatusConflict)
		}
		return err
	}
	redirect(w, r, fmt.Sprintf("/admin/articles/%d?lang=%s&ok=restored", id, rv.Language))
	return nil
}

// usagePage is the knowledge base's usage report.
type usagePage struct {
	adminPage
	Items []kb.Usage
	Pager pager
}

func (s *Server) handleArticleUsage(w http.ResponseWriter, r *http.Request) error {
	d := usagePage{adminPage: s.adminBase(r, "articles")}
	list, total, err := s.KB.UsageReport(r.Context(), listOffset(r), adminPerPage)
	if err != nil {
		return err
	}
	d.Items, d.Pager = list, newPager(r, total)
	s.render(w, r, http.StatusOK, "admin_usage", d)
	return nil
}
