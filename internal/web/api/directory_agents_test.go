package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestAgentAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		admin := e.do("GET", "/api/v1/me", e.admin, nil).want(t, http.StatusOK)
		adminPath := fmt.Sprintf("/api/v1/agents/%d", admin.id())
		if admin.Body["role"] != "admin" || admin.Body["email"] != "admin@example.com" {
			t.Fatalf("me: %s", admin.Raw)
		}
		group := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "Network"})

		r := e.do("POST", "/api/v1/agents", e.admin, map[string]any{
			"name": "Bob", "email": "Bob@Example.com", "password": "correct horse", "line": 2, "language": "ru", "group_ids": []int64{group},
		}).want(t, http.StatusCreated)
		bobPath := fmt.Sprintf("/api/v1/agents/%d", r.id())
		bobToken, _, err := e.auth.CreateToken(context.Background(), r.id(), "bob")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("create reads back without the password", func(t *testing.T) {
			r := e.do("GET", bobPath, bobToken, nil).want(t, http.StatusOK)
			if r.Body["email"] != "bob@example.com" || r.Body["role"] != "agent" || r.Body["line"] != 2.0 ||
				r.Body["active"] != true || fmt.Sprint(r.Body["group_ids"]) != fmt.Sprint([]any{float64(group)}) {
				t.Errorf("read %s", r.Raw)
			}
			if _, ok := r.Body["password"]; ok || bytes.Contains(r.Raw, []byte("correct horse")) {
				t.Errorf("password shown: %s", r.Raw)
			}
		})
		t.Run("an agent changes their own name, language and password", func(t *testing.T) {
			r := e.do("PATCH", bobPath, bobToken, map[string]any{"name": "Robert", "language": "lv", "password": "battery staple"}).
				want(t, http.StatusOK)
			if r.Body["name"] != "Robert" || r.Body["language"] != "lv" || r.Body["line"] != 2.0 {
				t.Errorf("patched %s", r.Raw)
			}
			me := e.do("GET", "/api/v1/me", bobToken, nil).want(t, http.StatusOK)
			if me.Body["name"] != "Robert" {
				t.Errorf("me %s", me.Raw)
			}
		})
		t.Run("an agent sets their own time zone", func(t *testing.T) {
			r := e.do("GET", bobPath, bobToken, nil).want(t, http.StatusOK)
			if r.Body["time_zone"] != "UTC" {
				t.Errorf("default time zone in %s", r.Raw)
			}
			r = e.do("PATCH", bobPath, bobToken, map[string]any{"time_zone": "Europe/Riga"}).want(t, http.StatusOK)
			if r.Body["time_zone"] != "Europe/Riga" || r.Body["language"] != "lv" {
				t.Errorf("patched %s", r.Raw)
			}
		})
		t.Run("an agent may not do an administrator's work", func(t *testing.T) {
			e.dirRefuse(t, bobToken, bobPath, []dirBad{
				{"own role", "PATCH", bobPath, map[string]any{"role": "admin"}, 403, "forbidden", "role"},
				{"own line", "PATCH", bobPath, map[string]any{"name": "Bobby", "line": 4}, 403, "forbidden", "line"},
				{"own groups", "PATCH", bobPath, map[string]any{"group_ids": []int64{}}, 403, "forbidden", "group_ids"},
				{"own active", "PATCH", bobPath, map[string]any{"active": false}, 403, "forbidden", "active"},
				{"another agent", "PATCH", adminPath, map[string]any{"name": "Mallory"}, 403, "forbidden", ""},
				{"create", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com"}, 403, "forbidden", ""},
				{"deactivate", "DELETE", adminPath, nil, 403, "forbidden", ""},
			})
		})
		t.Run("bad input changes nothing", func(t *testing.T) {
			e.dirRefuse(t, e.admin, "/api/v1/agents?active=true", []dirBad{
				{"malformed JSON", "POST", "/api/v1/agents", `{"name"}`, 400, "bad_request", ""},
				{"unknown field", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "password_hash": "h"}, 400, "bad_request", "password_hash"},
				{"line not a number", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "line": "two"}, 400, "bad_request", "line"},
				{"group_ids not numbers", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "group_ids": []string{"a"}}, 400, "bad_request", "group_ids"},
				{"unknown role", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "role": "boss"}, 422, "invalid", "role"},
				{"unknown language", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "language": "de"}, 422, "invalid", "language"},
				{"line out of range", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "line": 5}, 422, "invalid", "line"},
				{"unknown time zone", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "time_zone": "Mars/Olympus"}, 422, "invalid", "time_zone"},
				{"short password", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "password": "1234567"}, 422, "invalid", "password"},
				{"bad e-mail", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x.example.com"}, 422, "invalid", "email"},
				{"unknown group", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "x@example.com", "group_ids": []int64{999}}, 422, "invalid", "group_ids"},
				{"duplicate e-mail", "POST", "/api/v1/agents", map[string]any{"name": "X", "email": "BOB@example.com"}, 409, "conflict", "email"},
				{"patch: role", "PATCH", bobPath, map[string]any{"role": "boss"}, 422, "invalid", "role"},
				{"patch: empty password", "PATCH", bobPath, map[string]any{"password": ""}, 422, "invalid", "password"},
				{"patch: taken e-mail", "PATCH", bobPath, map[string]any{"email": "admin@example.com"}, 409, "conflict", "email"},
				{"patch: unknown group", "PATCH", bobPath, map[string]any{"group_ids": []int64{group, 999}}, 422, "invalid", "group_ids"},
				{"patch: unknown time zone", "PATCH", bobPath, map[string]any{"time_zone": "Europe/Atlantis"}, 422, "invalid", "time_zone"},
				{"patch: time zone null", "PATCH", bobPath, map[string]any{"time_zone": nil}, 400, "bad_request", "time_zone"},
				{"patch: active null", "PATCH", bobPath, map[string]any{"active": nil}, 400, "bad_request", "active"},
				{"patch: unknown id", "PATCH", "/api/v1/agents/999", map[string]any{"name": "Z"}, 404, "not_found", ""},
				{"demote the last administrator", "PATCH", adminPath, map[string]any{"role": "supervisor"}, 409, "conflict", "role"},
				{"deactivate the last administrator", "DELETE", adminPath, nil, 409, "conflict", "active"},
				{"deactivate the last administrator by patch", "PATCH", adminPath, map[string]any{"active": false}, 409, "conflict", "active"},
			})
		})
		t.Run("list filters", func(t *testing.T) {
			for _, tc := range []struct {
				query string
				want  []string
			}{
				{"", []string{"Ada Admin", "Robert"}},
				{"?role=admin", []string{"Ada Admin"}},
				{fmt.Sprintf("?group_id=%d", group), []string{"Robert"}},
				{"?q=ROB", []string{"Robert"}},
				{"?active=false", nil},
			} {
				r := e.do("GET", "/api/v1/agents"+tc.query, bobToken, nil).want(t, http.StatusOK)
				var names []string
				for _, it := range r.Body["items"].([]any) {
					names = append(names, it.(map[string]any)["name"].(string))
				}
				if !slices.Equal(names, tc.want) {
					t.Errorf("%q: got %v, want %v", tc.query, names, tc.want)
				}
			}
			dirWant(t, e.do("GET", "/api/v1/agents?role=boss", bobToken, nil), 422, "invalid", "role")
			dirWant(t, e.do("GET", "/api/v1/agents?active=maybe", bobToken, nil), 422, "invalid", "active")
		})
		t.Run("deactivation keeps the agent and stops their token", func(t *testing.T) {
			e.do("DELETE", bobPath, e.admin, nil).want(t, http.StatusNoContent)
			dirWant(t, e.do("GET", "/api/v1/me", bobToken, nil), 401, "unauthorized", "")
			r := e.do("GET", bobPath, e.admin, nil).want(t, http.StatusOK)
			if r.Body["active"] != false {
				t.Errorf("after DELETE %s", r.Raw)
			}
			r = e.do("GET", "/api/v1/agents?active=false", e.admin, nil).want(t, http.StatusOK)
			if r.Body["total"] != 1.0 {
				t.Errorf("inactive list %s", r.Raw)
			}
			e.do("PATCH", bobPath, e.admin, map[string]any{"active": true}).want(t, http.StatusOK)
		})
		t.Run("with a second administrator, the first may step down", func(t *testing.T) {
			second := e.agentToken(directory.AgentInput{Name: "Zed Admin", Email: "zed@example.com", Role: auth.RoleAdmin})
			e.do("PATCH", adminPath, e.admin, map[string]any{"role": "supervisor"}).want(t, http.StatusOK)
			dirWant(t, e.do("POST", "/api/v1/groups", e.admin, map[string]any{"name": "X"}), 403, "forbidden", "")
			zed := e.do("GET", "/api/v1/me", second, nil).want(t, http.StatusOK)
			dirWant(t, e.do("DELETE", fmt.Sprintf("/api/v1/agents/%d", zed.id()), second, nil), 409, "conflict", "active")
		})
		t.Run("a token is needed", func(t *testing.T) {
			e.dirUnauthenticated(t, "GET /api/v1/me", "GET /api/v1/agents", "POST /api/v1/agents", "GET "+bobPath, "PATCH "+bobPath, "DELETE "+bobPath)
		})
	})
}
