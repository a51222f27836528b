package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
)

// multipartOverhead is what a multipart body may carry besides the file:
// boundaries, part headers and small fields.
const multipartOverhead = 64 << 10

func (s *Server) attachmentRoutes(mux *http.ServeMux) {
	s.handle(mux, "POST /api/v1/attachments", s.handleAttachmentUpload)
	s.handle(mux, "GET /api/v1/attachments/{id}", s.handleAttachmentGet)
	s.handle(mux, "GET /api/v1/attachments/{id}/content", s.handleAttachmentContent)
}

// handleAttachmentUpload takes one file, either as multipart/form-data
// (field "file") or as the raw body with its Content-Type and the name in
// ?filename=, and answers 201 with the unattached upload.
func (s *Server) handleAttachmentUpload(w http.ResponseWriter, r *http.Request) error {
	maxBytes := s.Attachments.MaxBytes()
	limit := maxBytes + multipartOverhead
	if r.ContentLength > limit {
		return attachment.TooLargeError(maxBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var a attachment.Attachment
	var err error
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		a, err = s.uploadMultipart(r)
	} else {
		a, err = s.Attachments.Upload(r.Context(), principal(r), r.URL.Query().Get("filename"),
			r.Header.Get("Content-Type"), r.Body)
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return attachment.TooLargeError(maxBytes)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/attachments/%d", a.ID))
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// uploadMultipart streams the "file" part to the service without
// buffering the form; other parts are skipped.
func (s *Server) uploadMultipart(r *http.Request) (attachment.Attachment, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return attachment.Attachment{}, apperr.Errorf(apperr.BadRequest, "malformed multipart body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return attachment.Attachment{}, apperr.Field("file", "is required: a multipart part named \"file\"")
		}
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return attachment.Attachment{}, err
		}
		if err != nil {
			return attachment.Attachment{}, apperr.Errorf(apperr.BadRequest, "malformed multipart body: %v", err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		defer part.Close()
		return s.Attachments.Upload(r.Context(), principal(r), part.FileName(), part.Header.Get("Content-Type"), part)
	}
}

func (s *Server) handleAttachmentGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Attachments.Find(r.Context(), principal(r), id, s.Tickets)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// handleAttachmentContent serves the bytes.
func (s *Server) handleAttachmentContent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, f, err := s.Attachments.Open(r.Context(), principal(r), id, s.Tickets)
	if err != nil {
		return err
	}
	defer f.Close()
	ServeAttachment(w, r, a, f)
	return nil
}

// ServeAttachment writes an attachment's bytes. They are untrusted, so
// the browser is told to download them (raster images excepted), not to
// guess their type, and to run nothing should it render them anyway.
func ServeAttachment(w http.ResponseWriter, r *http.Request, a attachment.Attachment, f io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", contentDisposition(a.Inline(), a.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private")
	h.Set("ETag", `"`+a.SHA256+`"`)
	http.ServeContent(w, r, "", a.CreatedAt, f)
}

// contentDisposition builds the header per RFC 6266: an ASCII fallback
// name for old clients and the real name in UTF-8 (RFC 8187).
func contentDisposition(inline bool, name string) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	var ascii, utf strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			utf.WriteByte(b)
		} else {
			fmt.Fprintf(&utf, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), utf.String())
}

// isAttrChar reports the bytes RFC 8187 lets through unencoded.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
