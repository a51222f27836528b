package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// honeypot is the name of the form's field that people never see.
const honeypot = "homepage"

func (s *Server) formRoutes(mux *http.ServeMux) {
	s.form(mux, "GET /portal/forms/{id}", s.handleFormPage)
	s.form(mux, "POST /portal/forms/{id}", s.handleFormSubmit)
	s.form(mux, "OPTIONS /portal/forms/{id}", s.handleFormPreflight)
	s.form(mux, "GET /portal/forms/{id}/embed.js", s.handleFormScript)
	s.form(mux, "GET /portal/forms/{id}/definition", s.handleFormDefinition)
}

// activeForm is the form of the path; an inactive or unknown one is not
// found.
func (s *Server) activeForm(r *http.Request) (portal.Form, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.Form{}, apperr.NotFoundf("web form %q not found", r.PathValue("id"))
	}
	f, err := s.Portal.FindForm(r.Context(), id)
	if err == nil && !f.Active {
		err = apperr.NotFoundf("web form %d not found", id)
	}
	return f, err
}

// ownOrigin reports whether the request comes from the portal's own
// pages (the form's frame) rather than a client's site.
func ownOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// allowCORS lets the form's own sites read the answer. It reports false
// for a site the form does not allow.
func allowCORS(w http.ResponseWriter, r *http.Request, f portal.Form) bool {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if ownOrigin(r) {
		return true
	}
	if !f.AllowsOrigin(origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return true
}

// formLang is the language a form is shown in: ?lang=, else the browser's.
func (s *Server) formLang(r *http.Request) *i18n.Localizer {
	lang := i18n.Supported(r.URL.Query().Get("lang"))
	if lang == "" {
		lang = i18n.Supported(r.PostFormValue("lang"))
	}
	if lang == "" {
		lang = i18n.Match(r.Header.Get("Accept-Language"))
	}
	return s.Text.For(lang, time.UTC)
}

// formPage is a web form on a page of its own, for a client's site to
// show in a frame.
type formPage struct {
	Page
	F        portal.Form
	Started  string
	Values   map[string]string
	Error    string
	ErrorKey string // the field at fault
	Receipt  *portal.Receipt
	Thanks   string
}

// frameHeaders let only the form's sites show it in a frame.
func frameHeaders(w http.ResponseWriter, f portal.Form) {
	ancestors := "'self'"
	if len(f.Origins) > 0 {
		ancestors += " " + strings.Join(f.Origins, " ")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
		"frame-ancestors "+ancestors+"; form-action 'self'; base-uri 'none'")
}

func (s *Server) handleFormPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.activeForm(r)
	if err != nil {
		return err
	}
	l := s.formLang(r)
	frameHeaders(w, f)
	s.render(w, r, http.StatusOK, "form", formPage{Page: s.newPage(r, l, "form"), F: f,
		Started: s.Portal.StartToken(f.ID, time.Now()), Values: map[string]string{}})
	return nil
}

// submission reads a posted form.
func (s *Server) submission(w http.ResponseWriter, r *http.Request, f portal.Form) (portal.Submission, func(), error) {
	sub := portal.Submission{FormID: f.ID, Values: map[string]string{}, Files: map[string][]ticket.Upload{},
		Origin: r.Header.Get("Origin"), Own: ownOrigin(r), IP: s.clientIP(r)}
	done := func() {}
	for _, fd := range f.Fields {
		if fd.Type != portal.FieldFile {
			continue
		}
		list, d, err := s.readUploads(w, r, "f."+fd.Key)
		prev := done
		done = func() { prev(); d() }
		if err != nil {
			return sub, done, err
		}
		sub.Files[fd.Key] = list
	}
	for _, fd := range f.Fields {
		sub.Values[fd.Key] = r.PostFormValue("f." + fd.Key)
	}
	sub.Started, sub.Honeypot = r.PostFormValue("started"), r.PostFormValue(honeypot)
	return sub, done, nil
}

func (s *Server) handleFormSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := s.activeForm(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.formBodyLimit(f))
	asJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if !allowCORS(w, r, f) {
		return s.formAnswer(w, r, f, s.formLang(r), asJSON, nil, &portal.Refusal{Why: portal.RefusedOrigin}, nil)
	}
	sub, done, err := s.submission(w, r, f)
	defer done()
	l := s.formLang(r)
	var receipt portal.Receipt
	if err == nil {
		receipt, err = s.Portal.Submit(r.Context(), sub, l.Lang)
	}
	return s.formAnswer(w, r, f, l, asJSON, &receipt, err, sub.Values)
}

// formAnswer tells the person how their submission went: as JSON to the
// embedding script, or as the form's page again.
func (s *Server) formAnswer(w http.ResponseWriter, r *http.Request, f portal.Form, l *i18n.Localizer, asJSON bool,
	receipt *portal.Receipt, err error, values map[string]string) error {
	status, code, key, msg := http.StatusOK, "", "", ""
	var ref *portal.Refusal
	var fe *portal.FormError
	switch {
	case err == nil:
	case errors.As(err, &ref):
		status, code, msg = refusalStatus(ref.Why), ref.Why, l.T("portal.form.refused."+ref.Why)
	case errors.As(err, &fe):
		status, code, key = http.StatusUnprocessableEntity, "invalid", fe.Key
		msg = l.T("portal.form.problem."+fe.Problem, "Field", fieldLabel(f, fe.Key, l.Lang))
	case apperr.Is(err, apperr.TooLarge):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", l.T("portal.error.too_large")
	default:
		return err
	}
	thanks := ""
	if err == nil {
		if thanks = receipt.Thanks; thanks == "" {
			thanks = l.T("portal.form.thanks")
		}
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if err != nil {
			return json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg, "field": key}})
		}
		return json.NewEncoder(w).Encode(map[string]any{"number": ticket.Number(receipt.Number), "thanks": thanks,
			"received": l.T("portal.form.received", "Number", ticket.Number(receipt.Number))})
	}
	frameHeaders(w, f)
	d := formPage{Page: s.newPage(r, l, "form"), F: f, Started: s.Portal.StartToken(f.ID, time.Now()), Values: values,
		Error: msg, ErrorKey: key, Thanks: thanks}
	if err == nil {
		d.Receipt = receipt
	} else if code == portal.RefusedTooFast {
		d.Started = r.PostFormValue("started") // the time already spent counts
	}
	s.render(w, r, status, "form", d)
	return nil
}

// formBodyLimit is the largest submission a form takes: its files, or a
// megabyte of text.
func (s *Server) formBodyLimit(f portal.Form) int64 {
	for _, fd := range f.Fields {
		if fd.Type == portal.FieldFile {
			return s.Attachments.MaxBytes()*maxUploads + 1<<20
		}
	}
	return 1 << 20
}

func refusalStatus(why string) int {
	switch why {
	case portal.RefusedTooMany:
		return http.StatusTooManyRequests
	case portal.RefusedTooFast, portal.RefusedStale:
		return http.StatusUnprocessableEntity
	}
	return http.StatusForbidden
}

func fieldLabel(f portal.Form, key, lang string) string {
	for _, fd := range f.Fields {
		if fd.Key == key {
			return fd.Label(lang)
		}
	}
	return key
}

// handleFormPreflight answers a browser asking whether a client's site
// may post the form: only the form's sites may.
func (s *Server) handleFormPreflight(w http.ResponseWriter, r *http.Request) error {
	f, err := s.activeForm(r)
	if err != nil {
		return err
	}
	if !allowCORS(w, r, f) {
		w.WriteHeader(http.StatusForbidden)
		return nil
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "X-Linedesk-Form")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
