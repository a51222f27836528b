package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

// attSend posts a file and returns the answer, headers and raw body
// included. With multi it is sent as multipart/form-data (part "file"),
// otherwise as the raw body with ?filename=.
func (e *env) attSend(token, filename, contentType string, content []byte, multi bool) response {
	e.t.Helper()
	var body bytes.Buffer
	path := "/api/v1/attachments"
	if multi {
		mw := multipart.NewWriter(&body)
		mw.WriteField("note", "ignored")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`,
			strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename)))
		h.Set("Content-Type", contentType)
		part, _ := mw.CreatePart(h)
		part.Write(content)
		mw.Close()
		contentType = mw.FormDataContentType()
	} else {
		body.Write(content)
		path += "?filename=" + url.QueryEscape(filename)
	}
	return e.attDo("POST", path, token, contentType, &body, nil)
}

// attDo sends one request with the given content type and extra headers.
func (e *env) attDo(method, path, token, contentType string, body io.Reader, header map[string]string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.Body)
	}
	return out
}

// attTicket inserts a ticket in the group (nil: none) and attaches the
// upload to it, as the ticket service would.
func (e *env) attTicket(t *testing.T, groupID any, attachmentID int64) int64 {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	var contact, ticket, number int64
	if err := e.db.W.QueryRowContext(ctx, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('Client', $1, $1) RETURNING id`, now).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	e.db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 9000) + 1 FROM tickets`).Scan(&number)
	err := e.db.W.QueryRowContext(ctx, `
		INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, group_id, created_at, updated_at)
		VALUES ($1, 'Files', 'new', 'normal', 'question', 'api', $2, $3, $4, $4) RETURNING id`,
		number, contact, groupID, now).Scan(&ticket)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Exec(t, e.db.W, `UPDATE attachments SET ticket_id = $1 WHERE id = $2`, ticket, attachmentID)
	return ticket
}

func TestAttachmentAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ada := e.agentToken(directory.AgentInput{Name: "Ada Agent", Email: "ada@example.com"})
		bob := e.agentToken(directory.AgentInput{Name: "Bob Agent", Email: "bob@example.com"})

		t.Run("multipart upload, then download with safe headers", func(t *testing.T) {
			content := []byte("%PDF-1.7\nquarterly numbers")
			r := e.attSend(ada, "Отчёт \"Q1\".pdf", "application/pdf", content, true).want(t, http.StatusCreated)
			if r.Body["filename"] != `Отчёт "Q1".pdf` || r.Body["content_type"] != "application/pdf" ||
				r.Body["size"] != float64(len(content)) || r.Body["ticket_id"] != nil {
				t.Errorf("created %s", r.Raw)
			}
			if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/attachments/%d", r.id()) {
				t.Errorf("Location %q", loc)
			}
			meta := e.do("GET", fmt.Sprintf("/api/v1/attachments/%d", r.id()), ada, nil).want(t, http.StatusOK)
			if meta.Body["sha256"] != r.Body["sha256"] {
				t.Errorf("metadata %s", meta.Raw)
			}
			got := e.attDo("GET", fmt.Sprintf("/api/v1/attachments/%d/content", r.id()), ada, "", nil, nil).want(t, http.StatusOK)
			if !bytes.Equal(got.Raw, content) {
				t.Errorf("content %q", got.Raw)
			}
			want := map[string]string{
				"Content-Type":            "application/pdf",
				"Content-Length":          fmt.Sprint(len(content)),
				"Content-Disposition":     `attachment; filename="_____ _Q1_.pdf"; filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%22Q1%22.pdf`,
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; sandbox",
				"Cache-Control":           "private",
			}
			for k, v := range want {
				if got.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, got.Header.Get(k), v)
				}
			}
			part := e.attDo("GET", fmt.Sprintf("/api/v1/attachments/%d/content", r.id()), ada, "", nil,
				map[string]string{"Range": "bytes=0-3"}).want(t, http.StatusPartialContent)
			if string(part.Raw) != "%PDF" {
				t.Errorf("range %q", part.Raw)
			}
		})

		t.Run("raw upload; HTML claiming to be PNG is never inline", func(t *testing.T) {
			html := []byte("<html><script>alert(document.cookie)</script></html>")
			r := e.attSend(ada, "cat.png", "image/png", html, false).want(t, http.StatusCreated)
			got := e.attDo("GET", fmt.Sprintf("/api/v1/attachments/%d/content", r.id()), ada, "", nil, nil).want(t, http.StatusOK)
			if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if ct := got.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
				t.Errorf("served as %q", ct)
			}
			png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			r = e.attSend(ada, "real.png", "application/octet-stream", png, false).want(t, http.StatusCreated)
			got = e.attDo("GET", fmt.Sprintf("/api/v1/attachments/%d/content", r.id()), ada, "", nil, nil).want(t, http.StatusOK)
			if got.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "inline;") {
				t.Errorf("real PNG: %q, %q", got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
			}
		})

		t.Run("over the limit is 413", func(t *testing.T) {
			big := make([]byte, 1<<20+1)
			for _, multi := range []bool{false, true} {
				r := e.attSend(ada, "big.bin", "application/octet-stream", big, multi).want(t, http.StatusRequestEntityTooLarge)
				if code, _ := r.errorOf(); code != "too_large" {
					t.Errorf("multipart %v: code %q", multi, code)
				}
			}
			huge := e.attSend(ada, "huge.bin", "application/octet-stream", make([]byte, 3<<20), false)
			huge.want(t, http.StatusRequestEntityTooLarge)
			var n int
			d.R.QueryRow(`SELECT count(*) FROM attachments WHERE filename IN ('big.bin', 'huge.bin')`).Scan(&n)
			if n != 0 {
				t.Error("an oversized upload was recorded")
			}
		})

		t.Run("multipart without a file part is refused", func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("note", "no file")
			mw.Close()
			r := e.attDo("POST", "/api/v1/attachments", ada, mw.FormDataContentType(), &body, nil).want(t, http.StatusUnprocessableEntity)
			if _, field := r.errorOf(); field != "file" {
				t.Errorf("field %q", field)
			}
		})

		t.Run("no token is 401", func(t *testing.T) {
			e.attSend("", "a.txt", "text/plain", []byte("x"), false).want(t, http.StatusUnauthorized)
			e.do("GET", "/api/v1/attachments/1", "", nil).want(t, http.StatusUnauthorized)
			e.do("GET", "/api/v1/attachments/1/content", "", nil).want(t, http.StatusUnauthorized)
		})

		t.Run("someone else's unattached upload is 404", func(t *testing.T) {
			r := e.attSend(ada, "private.txt", "text/plain", []byte("mine"), false).want(t, http.StatusCreated)
			path := fmt.Sprintf("/api/v1/attachments/%d", r.id())
			e.do("GET", path, bob, nil).want(t, http.StatusNotFound)
			e.do("GET", path+"/content", bob, nil).want(t, http.StatusNotFound)
			e.do("GET", path+"/content", e.admin, nil).want(t, http.StatusOK)
			e.do("GET", "/api/v1/attachments/999999/content", ada, nil).want(t, http.StatusNotFound)
		})

		t.Run("attached file follows its ticket's visibility", func(t *testing.T) {
			var group int64
			if err := d.W.QueryRow(`INSERT INTO groups (name, name_key, created_at, updated_at) VALUES ('Files', 'files', $1, $1) RETURNING id`,
				db.Now()).Scan(&group); err != nil {
				t.Fatal(err)
			}
			carl := e.agentToken(directory.AgentInput{Name: "Carl Member", Email: "carl@example.com", GroupIDs: []int64{group}})
			r := e.attSend(e.admin, "config.txt", "text/plain", []byte("router config"), false).want(t, http.StatusCreated)
			e.attTicket(t, group, r.id())
			path := fmt.Sprintf("/api/v1/attachments/%d/content", r.id())
			e.do("GET", path, bob, nil).want(t, http.StatusNotFound)
			e.do("GET", path, carl, nil).want(t, http.StatusOK)
			e.do("GET", path, e.admin, nil).want(t, http.StatusOK)

			open := e.attSend(ada, "open.txt", "text/plain", []byte("for all"), false).want(t, http.StatusCreated)
			e.attTicket(t, nil, open.id())
			e.do("GET", fmt.Sprintf("/api/v1/attachments/%d", open.id()), bob, nil).want(t, http.StatusOK)
		})
	})
}
