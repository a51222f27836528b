package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func newTicket(t *testing.T, e *env, token string, body map[string]any) response {
	t.Helper()
	if body["subject"] == nil {
		body["subject"] = "Printer does not print"
	}
	if body["requester"] == nil {
		body["requester"] = map[string]any{"email": "anna@client.example", "name": "Anna Bērziņa"}
	}
	return e.do("POST", "/api/v1/tickets", token, body).want(t, http.StatusCreated)
}

func TestTicketAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)

		t.Run("create and read back", func(t *testing.T) {
			r := newTicket(t, e, e.admin, map[string]any{"description": "Since Monday", "priority": "high", "channel": "phone",
				"tags": []string{"printer"}})
			got := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", r.id()), e.admin, nil).want(t, http.StatusOK).Body
			for k, want := range map[string]any{"number": 1001.0, "status": "new", "priority": "high", "line": 1.0,
				"channel": "phone", "group_id": nil, "assignee_id": nil, "company_id": nil, "version": 1.0} {
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			req, _ := got["requester"].(map[string]any)
			sla, _ := got["sla"].(map[string]any)
			if req["email"] != "anna@client.example" || req["name"] != "Anna Bērziņa" || sla == nil ||
				got["created_at"] == nil || got["updated_at"] == nil {
				t.Errorf("ticket %v", got)
			}
		})

		t.Run("patch with version, stale version is 409", func(t *testing.T) {
			id := newTicket(t, e, e.admin, map[string]any{}).id()
			path := fmt.Sprintf("/api/v1/tickets/%d", id)
			r := e.do("PATCH", path, e.admin, map[string]any{"version": 1, "status": "open", "priority": "urgent"}).want(t, http.StatusOK)
			if r.Body["version"] != 2.0 || r.Header.Get("ETag") != `"2"` {
				t.Errorf("after patch: version %v etag %s", r.Body["version"], r.Header.Get("ETag"))
			}
			r = e.do("PATCH", path, e.admin, map[string]any{"version": 1, "priority": "low"}).want(t, http.StatusConflict)
			if code, field := r.errorOf(); code != "conflict" || field != "version" {
				t.Errorf("stale: %s %s", code, field)
			}
			got := e.do("GET", path, e.admin, nil).Body
			if got["priority"] != "urgent" || got["version"] != 2.0 {
				t.Errorf("stale patch changed the ticket: %v", got)
			}
			// If-Match instead of a body version.
			req, _ := http.NewRequest("PATCH", e.srv.URL+path, strings.NewReader(`{"priority":"normal"}`))
			req.Header.Set("Authorization", "Bearer "+e.admin)
			req.Header.Set("If-Match", `"2"`)
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("If-Match patch: %v %v", res.StatusCode, err)
			}
			e.do("PATCH", path, e.admin, map[string]any{"priority": "low"}).want(t, http.StatusUnprocessableEntity)
		})

		t.Run("bad input is refused and changes nothing", func(t *testing.T) {
			before := count(t, d, "tickets")
			cases := []struct {
				name, body string
				status     int
				field      string
			}{
				{"malformed JSON", `{"subject": "x",`, 400, ""},
				{"not an object", `["x"]`, 400, ""},
				{"empty body", ``, 400, ""},
				{"unknown field", `{"subject":"x","requester":{"email":"a@b.example"},"colour":"red"}`, 400, "colour"},
				{"wrong type", `{"subject":42,"requester":{"email":"a@b.example"}}`, 400, "subject"},
				{"wrong nested type", `{"subject":"x","requester":{"email":["a@b.example"]}}`, 400, "requester.email"},
				{"invalid enum", `{"subject":"x","requester":{"email":"a@b.example"},"priority":"asap"}`, 422, "priority"},
				{"invalid status", `{"subject":"x","requester":{"email":"a@b.example"},"status":"closed"}`, 422, "status"},
				{"unknown group", `{"subject":"x","requester":{"email":"a@b.example"},"group_id":999}`, 422, "group_id"},
				{"missing subject", `{"requester":{"email":"a@b.example"}}`, 422, "subject"},
				{"two objects", `{"subject":"x","requester":{"email":"a@b.example"}} {}`, 400, ""},
				{"over the limit", `{"subject":"x","requester":{"email":"a@b.example"},"description":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
			}
			for _, c := range cases {
				r := e.do("POST", "/api/v1/tickets", e.admin, c.body)
				code, field := r.errorOf()
				if r.Status != c.status || field != c.field || code == "" {
					t.Errorf("%s: %d %s %q, want %d field %q (%s)", c.name, r.Status, code, field, c.status, c.field, r.Raw)
				}
			}
			if after := count(t, d, "tickets"); after != before {
				t.Errorf("bad input created %d tickets", after-before)
			}
			e.do("GET", "/api/v1/tickets/99999", e.admin, nil).want(t, http.StatusNotFound)
			e.do("GET", "/api/v1/tickets/abc", e.admin, nil).want(t, http.StatusNotFound)
			e.do("PATCH", "/api/v1/tickets/99999", e.admin, map[string]any{"version": 1}).want(t, http.StatusNotFound)
			e.do("GET", "/api/v1/tickets?status=done", e.admin, nil).want(t, http.StatusUnprocessableEntity)
			e.do("GET", "/api/v1/tickets?per_page=1000", e.admin, nil).want(t, http.StatusUnprocessableEntity)
			e.do("GET", "/api/v1/tickets?sort=subject", e.admin, nil).want(t, http.StatusUnprocessableEntity)
			e.do("GET", "/api/v1/nothing-here", e.admin, nil).want(t, http.StatusNotFound)
			e.do("GET", "/api/v1/tickets", "", nil).want(t, http.StatusUnauthorized)
		})

		t.Run("list, filters and pagination", func(t *testing.T) {
			for i := range 5 {
				newTicket(t, e, e.admin, map[string]any{"subject": fmt.Sprintf("Batch %d", i), "tags": []string{"batch"},
					"priority": []string{"low", "high"}[i%2]})
			}
			r := e.do("GET", "/api/v1/tickets?tag=batch&per_page=2&page=2&sort=number", e.admin, nil).want(t, http.StatusOK)
			items, _ := r.Body["items"].([]any)
			if r.Body["total"] != 5.0 || len(items) != 2 || items[0].(map[string]any)["subject"] != "Batch 2" {
				t.Errorf("page 2: total %v items %v", r.Body["total"], items)
			}
			r = e.do("GET", "/api/v1/tickets?tag=batch&priority=high,urgent", e.admin, nil).want(t, http.StatusOK)
			if r.Body["total"] != 2.0 {
				t.Errorf("priority filter total %v", r.Body["total"])
			}
			e.indexed()
			r = e.do("GET", "/api/v1/tickets?q=%231001", e.admin, nil).want(t, http.StatusOK)
			if r.Body["total"] != 1.0 {
				t.Errorf("q=#1001 total %v", r.Body["total"])
			}
			r = e.do("GET", "/api/v1/tickets?q=batch+3&assignee_id=none", e.admin, nil).want(t, http.StatusOK)
			if r.Body["total"] != 1.0 {
				t.Errorf("q=batch 3 total %v", r.Body["total"])
			}
		})

		t.Run("comments, history and escalation", func(t *testing.T) {
			id := newTicket(t, e, e.admin, map[string]any{}).id()
			base := fmt.Sprintf("/api/v1/tickets/%d", id)
			e.do("POST", base+"/comments", e.admin, map[string]any{"body": "Checked the queue", "public": false}).want(t, http.StatusCreated)
			c := e.do("POST", base+"/comments", e.admin, map[string]any{"body": "Please restart it"}).want(t, http.StatusCreated)
			for _, k := range []string{"id", "body", "public", "author_type", "created_at", "attachments"} {
				if _, ok := c.Body[k]; !ok {
					t.Errorf("comment lacks %s: %v", k, c.Body)
				}
			}
			list := e.do("GET", base+"/comments", e.admin, nil).want(t, http.StatusOK)
			if list.Body["total"] != 2.0 {
				t.Errorf("comments total %v", list.Body["total"])
			}
			e.do("POST", base+"/comments", e.admin, map[string]any{"body": ""}).want(t, http.StatusUnprocessableEntity)
			e.do("PATCH", fmt.Sprintf("%s/comments/%d", base, c.id()), e.admin, map[string]any{"body": "Please restart the printer"}).want(t, http.StatusOK)
			revs := e.do("GET", fmt.Sprintf("%s/comments/%d/revisions", base, c.id()), e.admin, nil).want(t, http.StatusOK)
			if revs.Body["total"] != 1.0 {
				t.Errorf("revisions %v", revs.Body)
			}
			e.do("POST", base+"/escalate", e.admin, map[string]any{"line": 2}).want(t, http.StatusUnprocessableEntity)
			esc := e.do("POST", base+"/escalate", e.admin, map[string]any{"line": 2, "reason": "Needs driver access"}).want(t, http.StatusOK)
			if esc.Body["line"] != 2.0 {
				t.Errorf("escalated line %v", esc.Body["line"])
			}
			ev := e.do("GET", base+"/events", e.admin, nil).want(t, http.StatusOK)
			if !strings.Contains(string(ev.Raw), `"reason":"Needs driver access"`) || !strings.Contains(string(ev.Raw), `"kind":"comment_edited"`) {
				t.Errorf("history %s", ev.Raw)
			}
		})

		t.Run("agents see only their groups", func(t *testing.T) {
			g := insertGroupSQL(t, d, "Facilities")
			outsider := e.agentToken(directory.AgentInput{Name: "Olga Outsider", Email: "olga@support.example"})
			id := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
			e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), outsider, nil).want(t, http.StatusNotFound)
			e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/comments", id), outsider, nil).want(t, http.StatusNotFound)
			e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), outsider, map[string]any{"body": "hi"}).want(t, http.StatusNotFound)
			e.do("POST", "/api/v1/custom-fields", outsider, map[string]any{"key": "x", "label": "X", "type": "text"}).want(t, http.StatusForbidden)
		})

		t.Run("custom fields", func(t *testing.T) {
			f := e.do("POST", "/api/v1/custom-fields", e.admin, map[string]any{"key": "asset", "label": "Asset tag", "type": "text"}).want(t, http.StatusCreated)
			e.do("POST", "/api/v1/custom-fields", e.admin, map[string]any{"key": "asset", "label": "Again", "type": "text"}).want(t, http.StatusConflict)
			e.do("POST", "/api/v1/custom-fields", e.admin, map[string]any{"key": "Bad Key", "label": "X", "type": "text"}).want(t, http.StatusUnprocessableEntity)
			e.do("POST", "/api/v1/custom-fields", e.admin, map[string]any{"key": "k", "label": "X", "type": "colour"}).want(t, http.StatusUnprocessableEntity)
			r := newTicket(t, e, e.admin, map[string]any{"custom_fields": map[string]any{"asset": "LV-0042"}})
			if cf, _ := r.Body["custom_fields"].(map[string]any); cf["asset"] != "LV-0042" {
				t.Errorf("custom fields %v", r.Body["custom_fields"])
			}
			e.do("DELETE", fmt.Sprintf("/api/v1/custom-fields/%d", f.id()), e.admin, nil).want(t, http.StatusNoContent)
			e.do("POST", "/api/v1/tickets", e.admin, map[string]any{"subject": "x", "requester": map[string]any{"email": "a@b.example"},
				"custom_fields": map[string]any{"asset": "x"}}).want(t, http.StatusUnprocessableEntity)
		})
	})
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertGroupSQL(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := d.W.QueryRow(`INSERT INTO groups (name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		name, strings.ToLower(name), db.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCommentWithAttachment follows a file from upload to a comment and
// back, and keeps it from an agent who may not see the ticket.
func TestCommentWithAttachment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		g := insertGroupSQL(t, d, "Hardware")
		id := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		up := e.attSend(e.admin, "счёт.pdf", "application/pdf", []byte("%PDF-1.4 invoice"), false).want(t, http.StatusCreated)
		base := fmt.Sprintf("/api/v1/tickets/%d/comments", id)
		c := e.do("POST", base, e.admin, map[string]any{"body": "Invoice attached", "attachment_ids": []int64{up.id()}}).want(t, http.StatusCreated)
		atts, _ := c.Body["attachments"].([]any)
		if len(atts) != 1 || atts[0].(map[string]any)["filename"] != "счёт.pdf" {
			t.Fatalf("comment attachments %v", c.Body["attachments"])
		}
		// The same upload cannot be attached twice; nothing is written.
		before := count(t, d, "comments")
		e.do("POST", base, e.admin, map[string]any{"body": "again", "attachment_ids": []int64{up.id()}}).want(t, http.StatusUnprocessableEntity)
		if count(t, d, "comments") != before {
			t.Error("a refused comment was stored")
		}
		content := fmt.Sprintf("/api/v1/attachments/%d/content", up.id())
		e.do("GET", content, e.admin, nil).want(t, http.StatusOK)
		outsider := e.agentToken(directory.AgentInput{Name: "Out Sider", Email: "out@support.example"})
		e.do("GET", content, outsider, nil).want(t, http.StatusNotFound)
	})
}
