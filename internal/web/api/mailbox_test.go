package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/mailbox"
)

func TestMailboxAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "Al Agent", Email: "al@example.com", Role: auth.RoleAgent})
		group := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "IT"})
		id := e.dirCreate(t, "/api/v1/mailboxes", e.admin, map[string]any{
			"address": "IT@Example.com", "name": "IT desk", "default_group_id": group,
			"imap": map[string]any{"host": "imap.example.com", "username": "it", "password": "imap-pass-123"},
			"smtp": map[string]any{"host": "smtp.example.com", "port": 2525, "tls": "none", "password": "smtp-pass-456"},
			"routing_rules": []any{map[string]any{"name": "vpn", "if": map[string]any{"subject_contains": "vpn"},
				"then": map[string]any{"priority": "high"}, "stop": true}},
		})
		path := fmt.Sprintf("/api/v1/mailboxes/%d", id)

		t.Run("passwords are never in the output, only password_set", func(t *testing.T) {
			r := e.do("GET", path, e.admin, nil).want(t, http.StatusOK)
			list := e.do("GET", "/api/v1/mailboxes", e.admin, nil).want(t, http.StatusOK)
			for _, raw := range [][]byte{r.Raw, list.Raw} {
				if strings.Contains(string(raw), "pass-") || strings.Contains(string(raw), `"password"`) {
					t.Errorf("output holds a password: %s", raw)
				}
			}
			imap := r.Body["imap"].(map[string]any)
			smtp := r.Body["smtp"].(map[string]any)
			if r.Body["address"] != "it@example.com" || imap["password_set"] != true || smtp["password_set"] != true ||
				imap["port"] != 993.0 || smtp["port"] != 2525.0 || r.Body["default_priority"] != "normal" {
				t.Errorf("mailbox %s", r.Raw)
			}
			if list.Body["total"] != 1.0 {
				t.Errorf("list %s", list.Raw)
			}
		})
		t.Run("passwords are encrypted at rest", func(t *testing.T) {
			var stored string
			d.R.QueryRowContext(context.Background(), `SELECT imap_password || smtp_password FROM mailboxes`).Scan(&stored)
			if stored == "" || strings.Contains(stored, "pass-") {
				t.Errorf("stored passwords %q", stored)
			}
		})
		t.Run("patch changes what is sent; an empty password clears it", func(t *testing.T) {
			r := e.do("PATCH", path, e.admin, map[string]any{"name": "IT", "smtp": map[string]any{"password": ""},
				"imap": map[string]any{"folder": "Support"}}).want(t, http.StatusOK)
			imap := r.Body["imap"].(map[string]any)
			smtp := r.Body["smtp"].(map[string]any)
			if r.Body["name"] != "IT" || imap["folder"] != "Support" || imap["host"] != "imap.example.com" ||
				imap["password_set"] != true || smtp["password_set"] != false || len(r.Body["routing_rules"].([]any)) != 1 {
				t.Errorf("patched %s", r.Raw)
			}
		})
		e.dirRefuse(t, e.admin, path, []dirBad{
			{"bad port", "PATCH", path, map[string]any{"imap": map[string]any{"port": 70000}}, 422, "invalid", "imap.port"},
			{"bad tls", "PATCH", path, map[string]any{"smtp": map[string]any{"tls": "ssl"}}, 422, "invalid", "smtp.tls"},
			{"unknown group", "PATCH", path, map[string]any{"default_group_id": 999}, 422, "invalid", "default_group_id"},
			{"bad language", "PATCH", path, map[string]any{"default_language": "de"}, 422, "invalid", "default_language"},
			{"bad rule", "PATCH", path, map[string]any{"routing_rules": []any{map[string]any{"name": "x",
				"if": map[string]any{}}}}, 422, "invalid", "routing_rules[0].if"},
			{"null password", "PATCH", path, map[string]any{"imap": map[string]any{"password": nil}}, 400, "bad_request", "imap.password"},
			{"password_set is not input", "PATCH", path, map[string]any{"imap": map[string]any{"password_set": false}},
				400, "bad_request", "password_set"},
		})
		e.dirRefuse(t, e.admin, "/api/v1/mailboxes", []dirBad{
			{"address in use", "POST", "/api/v1/mailboxes", map[string]any{"address": "it@EXAMPLE.com"}, 409, "conflict", "address"},
			{"bad address", "POST", "/api/v1/mailboxes", map[string]any{"address": "it"}, 422, "invalid", "address"},
		})
		t.Run("agents may not touch mailboxes", func(t *testing.T) {
			for _, p := range []string{"GET /api/v1/mailboxes", "GET " + path, "PATCH " + path, "DELETE " + path,
				"POST /api/v1/mailboxes", "GET /api/v1/inbound", "GET /api/v1/blocked-domains"} {
				method, target, _ := strings.Cut(p, " ")
				dirWant(t, e.do(method, target, agent, map[string]any{}), http.StatusForbidden, "forbidden", "")
			}
		})
		e.dirUnauthenticated(t, "GET /api/v1/mailboxes", "GET /api/v1/inbound", "GET /api/v1/blocked-domains")
		t.Run("delete", func(t *testing.T) {
			e.do("DELETE", path, e.admin, nil).want(t, http.StatusNoContent)
			e.do("GET", path, e.admin, nil).want(t, http.StatusNotFound)
		})
	})
}

func TestInboundAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		m, err := e.api.Mailboxes.CreateMailbox(ctx, mailbox.MailboxInput{Address: "it@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		raw := "From: spam@spam.example\r\nMessage-ID: <q@spam.example>\r\nSubject: win\r\n\r\nbuy now\r\n"
		id, _, err := e.api.Mailboxes.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "smtp", Data: []byte(raw)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.api.Mailboxes.Quarantine(ctx, d.W, id, "sender's domain spam.example is blocked"); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/inbound/%d", id)

		t.Run("administrators see quarantined messages", func(t *testing.T) {
			r := e.do("GET", fmt.Sprintf("/api/v1/inbound?state=quarantined&mailbox_id=%d", m.ID), e.admin, nil).want(t, http.StatusOK)
			items := r.Body["items"].([]any)
			if r.Body["total"] != 1.0 || items[0].(map[string]any)["reason"] != "sender's domain spam.example is blocked" {
				t.Errorf("list %s", r.Raw)
			}
			dirWant(t, e.do("GET", "/api/v1/inbound?state=lost", e.admin, nil), 422, "invalid", "state")
			one := e.do("GET", path, e.admin, nil).want(t, http.StatusOK)
			if one.Body["message_id"] != "q@spam.example" || one.Body["state"] != "quarantined" {
				t.Errorf("message %s", one.Raw)
			}
		})
		t.Run("the raw message downloads as it was received", func(t *testing.T) {
			r := e.do("GET", path+"/raw", e.admin, nil).want(t, http.StatusOK)
			if string(r.Raw) != raw || r.Header.Get("Content-Type") != "message/rfc822" ||
				!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
				t.Errorf("download %v %q", r.Header, r.Raw)
			}
		})
		t.Run("release and retry re-queue it", func(t *testing.T) {
			r := e.do("POST", path+"/release", e.admin, nil).want(t, http.StatusOK)
			if r.Body["state"] != "received" {
				t.Errorf("released %s", r.Raw)
			}
			e.do("POST", path+"/retry", e.admin, nil).want(t, http.StatusOK)
			var n int
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = 'email.process'`).Scan(&n)
			if n != 3 {
				t.Errorf("%d processing jobs, want 3 (stored, released, retried)", n)
			}
			if err := e.api.Mailboxes.MarkProcessed(ctx, d.W, id, nil, nil, "done"); err != nil {
				t.Fatal(err)
			}
			dirWant(t, e.do("POST", path+"/retry", e.admin, nil), 409, "conflict", "")
			dirWant(t, e.do("POST", "/api/v1/inbound/999/release", e.admin, nil), 404, "not_found", "")
		})
		t.Run("blocked domains", func(t *testing.T) {
			r := e.do("POST", "/api/v1/blocked-domains", e.admin, map[string]any{"domain": "Spam.Example", "reason": "spam"}).
				want(t, http.StatusCreated)
			if r.Body["domain"] != "spam.example" {
				t.Errorf("blocked %s", r.Raw)
			}
			dirWant(t, e.do("POST", "/api/v1/blocked-domains", e.admin, map[string]any{"domain": "spam.example"}), 409, "conflict", "domain")
			dirWant(t, e.do("POST", "/api/v1/blocked-domains", e.admin, map[string]any{"domain": "x y"}), 422, "invalid", "domain")
			if l := e.do("GET", "/api/v1/blocked-domains", e.admin, nil).want(t, http.StatusOK); l.Body["total"] != 1.0 {
				t.Errorf("list %s", l.Raw)
			}
			e.do("DELETE", "/api/v1/blocked-domains/spam.example", e.admin, nil).want(t, http.StatusNoContent)
			dirWant(t, e.do("DELETE", "/api/v1/blocked-domains/spam.example", e.admin, nil), 404, "not_found", "")
		})
	})
}
