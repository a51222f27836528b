package agent

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

func (s *Server) formRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/forms", s.handleForms},
		{"GET /admin/forms/new", s.handleFormNew},
		{"POST /admin/forms", s.handleFormCreate},
		{"GET /admin/forms/{id}", s.handleForm},
		{"POST /admin/forms/{id}", s.handleFormSave},
		{"POST /admin/forms/{id}/delete", s.handleFormDelete},
	}
}

// spareFieldRows are the empty rows a form's editor offers for new fields.
const spareFieldRows = 3

// formsPage lists the web forms.
type formsPage struct {
	adminPage
	Forms []portal.Form
}

func (s *Server) handleForms(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Portal.FindForms(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_forms", formsPage{adminPage: s.adminBase(r, "forms"), Forms: list})
	return nil
}

// formPage edits a web form (F.ID 0: a new one) and shows how to embed it.
type formPage struct {
	adminPage
	F      portal.Form
	Rows   []portal.FormField // the fields, then empty rows for new ones
	Groups []directory.Group
	Base   string // the portal's address, for the embed snippet
}

// FieldTypes are the types a form's field may have.
func (formPage) FieldTypes() []string { return portal.FieldTypes }

// Langs are the languages of labels and thank-you texts.
func (formPage) Langs() []string { return i18n.Languages }

// Origins are the form's sites, one per line.
func (d formPage) Origins() string { return strings.Join(d.F.Origins, "\n") }

// ScriptSnippet is what a client's page includes to show the form.
func (d formPage) ScriptSnippet() string {
	return fmt.Sprintf(`<div id="linedesk-form-%d"></div>
<script src="%s/portal/forms/%d/embed.js?lang=en" data-target="linedesk-form-%d" async></script>`, d.F.ID, d.Base, d.F.ID, d.F.ID)
}

// FrameSnippet is the alternative for sites that allow no scripts.
func (d formPage) FrameSnippet() string {
	return fmt.Sprintf(`<iframe src="%s/portal/forms/%d?lang=en" title="%s" style="width:100%%;min-height:720px;border:0"></iframe>`,
		d.Base, d.F.ID, strings.ReplaceAll(d.F.Name, `"`, "&quot;"))
}

// defaultFormFields start a new form: who writes, how to reach them, what
// about.
func defaultFormFields() []portal.FormField {
	return []portal.FormField{
		{Key: portal.KeyName, Type: portal.FieldText, Required: true, Labels: map[string]string{"en": "Your name", "ru": "Ваше имя", "lv": "Jūsu vārds"}},
		{Key: portal.KeyEmail, Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail", "ru": "Эл. почта", "lv": "E-pasts"}},
		{Key: "phone", Type: portal.FieldPhone, Labels: map[string]string{"en": "Phone", "ru": "Телефон", "lv": "Tālrunis"}},
		{Key: portal.KeySubject, Type: portal.FieldText, Labels: map[string]string{"en": "Subject", "ru": "Тема", "lv": "Temats"}},
		{Key: portal.KeyMessage, Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "How can we help?", "ru": "Чем мы можем помочь?", "lv": "Kā varam palīdzēt?"}},
	}
}

func (s *Server) showForm(w http.ResponseWriter, r *http.Request, f portal.Form, msg string, status int) error {
	groups, _, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
	if err != nil {
		return err
	}
	d := formPage{adminPage: s.adminBase(r, "forms"), F: f, Groups: groups, Base: s.publicBase(r)}
	d.Error = msg
	d.Rows = append(append([]portal.FormField{}, f.Fields...), make([]portal.FormField, spareFieldRows)...)
	s.render(w, r, status, "admin_form", d)
	return nil
}

// publicBase is the address customers reach Linedesk at.
func (s *Server) publicBase(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleFormNew(w http.ResponseWriter, r *http.Request) error {
	return s.showForm(w, r, portal.Form{Line: 1, Priority: ticket.PriorityNormal, Active: true, Fields: defaultFormFields()},
		"", http.StatusOK)
}

func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "web form")
	if err != nil {
		return err
	}
	f, err := s.Portal.FindForm(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showForm(w, r, f, "", http.StatusOK)
}

// formInput reads the form editor: every row with a key is a field.
func formInput(r *http.Request) (portal.FormInput, error) {
	in := portal.FormInput{Name: r.PostFormValue("name"), Priority: ticket.Priority(r.PostFormValue("priority")),
		Origins: formLines(r, "origins"), Thanks: map[string]string{}}
	active := r.PostFormValue("active") == "on"
	in.Active = &active
	var err error
	if in.GroupID, err = formID(r, "group_id"); err != nil {
		return in, err
	}
	if in.Line, err = formInt(r, "line"); err != nil {
		return in, err
	}
	for _, lang := range i18n.Languages {
		in.Thanks[lang] = r.PostFormValue("thanks." + lang)
	}
	for i := 0; i < 100; i++ {
		p := "field." + strconv.Itoa(i) + "."
		if _, ok := r.PostForm[p+"key"]; !ok {
			break
		}
		key := strings.TrimSpace(r.PostFormValue(p + "key"))
		if key == "" {
			continue
		}
		f := portal.FormField{Key: key, Type: r.PostFormValue(p + "type"), Required: r.PostFormValue(p+"required") == "on",
			Labels: map[string]string{}}
		for _, lang := range i18n.Languages {
			f.Labels[lang] = r.PostFormValue(p + "label." + lang)
		}
		for _, o := range strings.Split(r.PostFormValue(p+"options"), ",") {
			if o = strings.TrimSpace(o); o != "" {
				f.Options = append(f.Options, o)
			}
		}
		in.Fields = append(in.Fields, f)
	}
	return in, nil
}

// asForm is what the editor shows again after a refused save.
func asForm(id int64, in portal.FormInput) portal.Form {
	return portal.Form{ID: id, Name: in.Name, Fields: in.Fields, GroupID: in.GroupID, Line: in.Line, Priority: in.Priority,
		Thanks: in.Thanks, Origins: in.Origins, Active: in.Active == nil || *in.Active}
}

func (s *Server) handleFormCreate(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	in, err := formInput(r)
	failed := func(msg string, status int) error { return s.showForm(w, r, asForm(0, in), msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	f, err := s.Portal.CreateForm(r.Context(), viewer(r).P, in)
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/forms/%d?ok=created", f.ID))
	return nil
}

func (s *Server) handleFormSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "web form")
	if err != nil {
		return err
	}
	r.ParseForm()
	in, err := formInput(r)
	failed := func(msg string, status int) error { return s.showForm(w, r, asForm(id, in), msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	if _, err := s.Portal.UpdateForm(r.Context(), viewer(r).P, id, in); err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/forms/%d?ok=saved", id))
	return nil
}

func (s *Server) handleFormDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "web form")
	if err != nil {
		return err
	}
	if err := s.Portal.DeleteForm(r.Context(), viewer(r).P, id); err != nil {
		return err
	}
	redirect(w, r, "/admin/forms?ok=deleted")
	return nil
}
