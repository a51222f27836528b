package portal

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
	"linedesk/internal/web/api"
)

// systemPrincipal reads what a customer was already found to be allowed
// to see.
var systemPrincipal = auth.System()

// maxUploads is how many files one form may carry.
const maxUploads = 10

// newPage is the form that opens a ticket.
type newPage struct {
	Page
	Fields      []ticket.Field
	Subject     string
	Description string
	Values      map[string]string
	Error       string
	// Visit is this sitting at the form, carried through the articles it
	// suggests and back (kb_suggest.go).
	Visit string
}

func (s *Server) handleNewForm(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	fields, err := s.Portal.PortalFields(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "new", newPage{Page: s.newPage(r, v.L, "new"), Fields: fields, Values: map[string]string{},
		Visit: s.visitToken(r, v)})
	return nil
}

// visitToken is the request's visit of the new-request form when it names
// one of the customer's, else a new visit.
func (s *Server) visitToken(r *http.Request, v *Viewer) string {
	if s.visitOf(r) != "" {
		return r.FormValue("visit")
	}
	return s.Portal.VisitToken(v.A.ContactID)
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	files, done, err := s.readUploads(w, r, "files")
	defer done()
	fields, ferr := s.Portal.PortalFields(r.Context())
	if ferr != nil {
		return ferr
	}
	d := newPage{Page: s.newPage(r, v.L, "new"), Fields: fields, Subject: r.PostFormValue("subject"),
		Description: r.PostFormValue("description"), Values: map[string]string{}, Visit: s.visitToken(r, v)}
	for _, f := range fields {
		d.Values[f.Key] = r.PostFormValue("cf." + f.Key)
	}
	var t ticket.Ticket
	if err == nil {
		var values map[string]any
		if values, err = fieldInput(fields, d.Values); err == nil {
			t, err = s.Portal.OpenTicket(r.Context(), v.A, portal.NewTicket{Subject: d.Subject, Description: d.Description,
				Fields: values, Files: files})
		}
	}
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.TooLarge) {
		d.Error = s.inputError(v, fields, e)
		s.render(w, r, http.StatusUnprocessableEntity, "new", d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/portal/tickets/%d?done=created", t.Number))
	return nil
}

// inputError says in the customer's words what is wrong with a form.
func (s *Server) inputError(v *Viewer, fields []ticket.Field, e *apperr.Error) string {
	l := v.L
	if e.Code == apperr.TooLarge {
		return l.T("portal.error.too_large")
	}
	switch e.Field {
	case "subject", "description", "body":
		return l.T("portal.input." + e.Field)
	case "attachment_ids", "files":
		return l.T("portal.error.too_large")
	}
	if key, ok := strings.CutPrefix(e.Field, "custom_fields."); ok {
		for _, f := range fields {
			if f.Key == key {
				return l.T("portal.input.field", "Field", f.Label)
			}
		}
	}
	return l.T("portal.error.invalid")
}

// fieldInput turns the custom fields' inputs into their typed values.
func fieldInput(fields []ticket.Field, in map[string]string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range fields {
		raw := strings.TrimSpace(in[f.Key])
		switch {
		case f.Type == ticket.FieldCheckbox:
			if raw != "" || f.Required {
				out[f.Key] = raw != ""
			}
		case raw == "":
		case f.Type == ticket.FieldNumber:
			n, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
			if err != nil {
				return nil, apperr.Field("custom_fields."+f.Key, "must be a number")
			}
			out[f.Key] = n
		default:
			out[f.Key] = raw
		}
	}
	return out, nil
}

// readUploads parses a multipart form and opens its files; done closes
// them. A form over the size limit is apperr.TooLarge.
func (s *Server) readUploads(w http.ResponseWriter, r *http.Request, field string) ([]ticket.Upload, func(), error) {
	none := func() {}
	limit := s.Attachments.MaxBytes()*maxUploads + 1<<20
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, none, apperr.Errorf(apperr.TooLarge, "the files are too large")
		}
		if errors.Is(err, http.ErrNotMultipart) {
			return nil, none, nil
		}
		return nil, none, apperr.Errorf(apperr.BadRequest, "the form could not be read")
	}
	heads := r.MultipartForm.File[field]
	if len(heads) > maxUploads {
		return nil, none, apperr.Field("files", "at most %d files", maxUploads)
	}
	var opened []multipart.File
	done := func() {
		for _, f := range opened {
			f.Close()
		}
		r.MultipartForm.RemoveAll()
	}
	var out []ticket.Upload
	for _, h := range heads {
		if h.Size > s.Attachments.MaxBytes() {
			return nil, done, apperr.Errorf(apperr.TooLarge, "%s is too large", h.Filename)
		}
		f, err := h.Open()
		if err != nil {
			return nil, done, err
		}
		opened = append(opened, f)
		out = append(out, ticket.Upload{Filename: h.Filename, ContentType: h.Header.Get("Content-Type"), Content: f})
	}
	return out, done, nil
}

func (s *Server) handleReply(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.findTicket(r)
	if err != nil {
		return err
	}
	files, done, err := s.readUploads(w, r, "files")
	defer done()
	body := r.PostFormValue("body")
	if err == nil {
		err = s.Portal.Reply(r.Context(), v.A, t.ID, body, files)
	}
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.TooLarge || e.Code == apperr.Conflict) {
		d, derr := s.ticketData(r.Context(), v, t)
		if derr != nil {
			return derr
		}
		d.Page, d.Draft, d.Error = s.newPage(r, v.L, "ticket"), body, s.inputError(v, nil, e)
		if e.Code == apperr.Conflict {
			d.Error = v.L.T("portal.ticket.closed_reply")
		}
		s.render(w, r, http.StatusUnprocessableEntity, "ticket", d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/portal/tickets/%d?done=replied#end", t.Number))
	return nil
}

// handleStatus is the customer's "my problem is solved" or "reopen".
func (s *Server) handleStatus(to ticket.Status) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := viewer(r)
		t, err := s.findTicket(r)
		if err != nil {
			return err
		}
		if _, err := s.Portal.SetStatus(r.Context(), v.A, t.ID, to); err != nil {
			return err
		}
		done := "solved"
		if to == ticket.StatusOpen {
			done = "reopened"
		}
		redirect(w, r, fmt.Sprintf("/portal/tickets/%d?done=%s", t.Number, done))
		return nil
	}
}

// customerViewer lets the attachment service check a file's ticket
// against what the customer may see.
type customerViewer struct {
	t *ticket.Service
	c ticket.Customer
}

func (v customerViewer) CanViewTicket(ctx context.Context, _ auth.Principal, ticketID int64) error {
	return v.t.CanCustomerView(ctx, v.c, ticketID)
}

// handleAttachment serves a file of the public conversation of a ticket
// the customer may see; any other file is not found.
func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("file %q not found", r.PathValue("id"))
	}
	a, f, err := s.Attachments.Open(r.Context(), auth.Principal{}, id, customerViewer{s.Tickets, v.C})
	if err != nil {
		return err
	}
	defer f.Close()
	if a.CommentID != nil {
		public, err := s.Tickets.IsPublicComment(r.Context(), *a.CommentID)
		if err != nil {
			return err
		}
		if !public {
			return apperr.NotFoundf("file %d not found", id)
		}
	}
	api.ServeAttachment(noStore{w}, r, a, f)
	return nil
}

// noStore keeps a customer's files out of the browser's cache: after
// signing out, the next person at the computer must not find them there.
type noStore struct{ http.ResponseWriter }

func (n noStore) WriteHeader(code int) {
	n.Header().Set("Cache-Control", "private, no-store")
	n.ResponseWriter.WriteHeader(code)
}
