package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestContactAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "First Line", Email: "l1@example.com"})
		super := e.agentToken(directory.AgentInput{Name: "Sue Pervisor", Email: "sue@example.com", Role: auth.RoleSupervisor})
		acme := e.dirCreate(t, "/api/v1/companies", agent, map[string]any{"name": "Acme"})

		r := e.do("POST", "/api/v1/contacts", agent, map[string]any{
			"name": "Anna Ozola", "email": "Anna@Acme.lv", "emails": []string{"anna.ozola@inbox.lv"},
			"phone": "+371 2611 1111", "company_id": acme, "language": "lv",
		}).want(t, http.StatusCreated)
		anna := r.id()
		one := fmt.Sprintf("/api/v1/contacts/%d", anna)
		t.Run("create reads back with the primary address first", func(t *testing.T) {
			r := e.do("GET", one, agent, nil).want(t, http.StatusOK)
			if r.Body["email"] != "anna@acme.lv" || !slices.Equal(dirStrings(r.Body["emails"]), []string{"anna@acme.lv", "anna.ozola@inbox.lv"}) ||
				r.Body["company_id"] != float64(acme) || r.Body["language"] != "lv" || r.Body["blocked"] != false {
				t.Errorf("read %s", r.Raw)
			}
		})
		t.Run("patch replaces the addresses and detaches the company", func(t *testing.T) {
			r := e.do("PATCH", one, agent, map[string]any{"emails": []string{"anna.ozola@inbox.lv", "anna@acme.lv"}, "company_id": nil}).
				want(t, http.StatusOK)
			if r.Body["email"] != "anna.ozola@inbox.lv" || r.Body["company_id"] != nil || r.Body["phone"] != "+371 2611 1111" {
				t.Errorf("patched %s", r.Raw)
			}
			r = e.do("PATCH", one, agent, map[string]any{"blocked": true, "blocked_reason": "abusive"}).want(t, http.StatusOK)
			if r.Body["blocked"] != true || r.Body["blocked_reason"] != "abusive" {
				t.Errorf("blocked %s", r.Raw)
			}
			r = e.do("PATCH", one, agent, map[string]any{"blocked": false, "company_id": acme}).want(t, http.StatusOK)
			if r.Body["blocked"] != false || r.Body["blocked_reason"] != "" || r.Body["company_id"] != float64(acme) {
				t.Errorf("unblocked %s", r.Raw)
			}
		})

		e.dirCreate(t, "/api/v1/contacts", agent, map[string]any{"name": "Boris", "email": "boris@example.ru"})
		t.Run("bad input changes nothing", func(t *testing.T) {
			e.dirRefuse(t, agent, "/api/v1/contacts", []dirBad{
				{"malformed JSON", "POST", "/api/v1/contacts", `[`, 400, "bad_request", ""},
				{"not an object", "POST", "/api/v1/contacts", `"Anna"`, 400, "bad_request", ""},
				{"unknown field", "POST", "/api/v1/contacts", map[string]any{"name": "X", "mobile": "1"}, 400, "bad_request", "mobile"},
				{"emails not a list", "POST", "/api/v1/contacts", map[string]any{"name": "X", "emails": "x@y.lv"}, 400, "bad_request", "emails"},
				{"blocked not a boolean", "POST", "/api/v1/contacts", map[string]any{"name": "X", "blocked": "yes"}, 400, "bad_request", "blocked"},
				{"no name", "POST", "/api/v1/contacts", map[string]any{"email": "x@y.lv"}, 422, "invalid", "name"},
				{"bad e-mail", "POST", "/api/v1/contacts", map[string]any{"name": "X", "email": "x@"}, 422, "invalid", "email"},
				{"bad address in emails", "POST", "/api/v1/contacts", map[string]any{"name": "X", "emails": []string{"x@y.lv", "nope"}}, 422, "invalid", "emails"},
				{"unknown language", "POST", "/api/v1/contacts", map[string]any{"name": "X", "language": "de"}, 422, "invalid", "language"},
				{"unknown company", "POST", "/api/v1/contacts", map[string]any{"name": "X", "company_id": 999}, 422, "invalid", "company_id"},
				{"blocked without reason", "POST", "/api/v1/contacts", map[string]any{"name": "X", "blocked": true}, 422, "invalid", "blocked_reason"},
				{"address of another contact", "POST", "/api/v1/contacts", map[string]any{"name": "X", "emails": []string{"BORIS@example.ru"}}, 409, "conflict", "emails"},
				{"patch: address of another contact", "PATCH", one, map[string]any{"name": "Y", "email": "boris@example.ru"}, 409, "conflict", "emails"},
				{"patch: block without reason", "PATCH", one, map[string]any{"blocked": true}, 422, "invalid", "blocked_reason"},
				{"patch: unknown company", "PATCH", one, map[string]any{"company_id": 999}, 422, "invalid", "company_id"},
				{"patch: language null", "PATCH", one, map[string]any{"language": nil}, 400, "bad_request", "language"},
				{"patch: language", "PATCH", one, map[string]any{"language": "de"}, 422, "invalid", "language"},
				{"patch: unknown id", "PATCH", "/api/v1/contacts/999", map[string]any{"name": "Z"}, 404, "not_found", ""},
				{"agent cannot delete", "DELETE", one, nil, 403, "forbidden", ""},
			})
		})
		t.Run("list filters", func(t *testing.T) {
			for _, tc := range []struct {
				query string
				want  []string
			}{
				{"", []string{"Anna Ozola", "Boris"}},
				{"?q=OZOLA", []string{"Anna Ozola"}},
				{"?q=example.RU", []string{"Boris"}},
				{"?q=2611", []string{"Anna Ozola"}},
				{"?email=Boris@Example.ru", []string{"Boris"}},
				{fmt.Sprintf("?company_id=%d", acme), []string{"Anna Ozola"}},
				{"?q=nobody", nil},
			} {
				r := e.do("GET", "/api/v1/contacts"+tc.query, agent, nil).want(t, http.StatusOK)
				var names []string
				for _, it := range r.Body["items"].([]any) {
					names = append(names, it.(map[string]any)["name"].(string))
				}
				if !slices.Equal(names, tc.want) || r.Body["total"] != float64(len(tc.want)) {
					t.Errorf("%q: got %v (total %v), want %v", tc.query, names, r.Body["total"], tc.want)
				}
			}
			dirWant(t, e.do("GET", "/api/v1/contacts?company_id=abc", agent, nil), 422, "invalid", "company_id")
		})
		t.Run("a contact with tickets cannot be deleted", func(t *testing.T) {
			dirTicket(t, d, anna, nil, acme)
			dirWant(t, e.do("DELETE", one, super, nil), 409, "conflict", "")
			e.do("GET", one, agent, nil).want(t, http.StatusOK)
		})
		t.Run("a supervisor deletes a contact without tickets, freeing the address", func(t *testing.T) {
			temp := e.dirCreate(t, "/api/v1/contacts", agent, map[string]any{"name": "Temp", "email": "temp@example.com"})
			e.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d", temp), super, nil).want(t, http.StatusNoContent)
			dirWant(t, e.do("GET", fmt.Sprintf("/api/v1/contacts/%d", temp), agent, nil), 404, "not_found", "")
			e.dirCreate(t, "/api/v1/contacts", agent, map[string]any{"name": "Temp 2", "email": "temp@example.com"})
		})
		t.Run("a token is needed", func(t *testing.T) {
			e.dirUnauthenticated(t, "GET /api/v1/contacts", "POST /api/v1/contacts", "GET "+one, "PATCH "+one, "DELETE "+one)
		})
	})
}
