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

func TestCompanyAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "First Line", Email: "l1@example.com"})
		super := e.agentToken(directory.AgentInput{Name: "Sue Pervisor", Email: "sue@example.com", Role: auth.RoleSupervisor})
		plan := e.dirCreate(t, "/api/v1/plans", e.admin, map[string]any{"name": "Gold"})

		t.Run("any agent creates and changes companies", func(t *testing.T) {
			r := e.do("POST", "/api/v1/companies", agent, map[string]any{
				"name": "Acme", "domains": []string{"ACME.lv", "acme.com"}, "plan_id": plan, "notes": "key account",
			}).want(t, http.StatusCreated)
			one := fmt.Sprintf("/api/v1/companies/%d", r.id())
			if got := dirStrings(r.Body["domains"]); !slices.Equal(got, []string{"acme.com", "acme.lv"}) || r.Body["plan_id"] != float64(plan) {
				t.Errorf("created %s", r.Raw)
			}
			r = e.do("PATCH", one, agent, map[string]any{"domains": []string{"acme.eu"}, "plan_id": nil}).want(t, http.StatusOK)
			if got := dirStrings(r.Body["domains"]); !slices.Equal(got, []string{"acme.eu"}) || r.Body["plan_id"] != nil || r.Body["notes"] != "key account" {
				t.Errorf("patched %s", r.Raw)
			}
			r = e.do("GET", one, agent, nil).want(t, http.StatusOK)
			if r.Body["name"] != "Acme" || r.Body["plan_id"] != nil {
				t.Errorf("read %s", r.Raw)
			}
		})

		other := e.dirCreate(t, "/api/v1/companies", e.admin, map[string]any{"name": "Globex", "domains": []string{"globex.lv"}})
		one := fmt.Sprintf("/api/v1/companies/%d", other)
		t.Run("bad input changes nothing", func(t *testing.T) {
			e.dirRefuse(t, agent, "/api/v1/companies", []dirBad{
				{"malformed JSON", "POST", "/api/v1/companies", `{"name": "X",}`, 400, "bad_request", ""},
				{"unknown field", "POST", "/api/v1/companies", map[string]any{"name": "X", "domain": "x.lv"}, 400, "bad_request", "domain"},
				{"domains not a list", "POST", "/api/v1/companies", map[string]any{"name": "X", "domains": "x.lv"}, 400, "bad_request", "domains"},
				{"plan_id not a number", "POST", "/api/v1/companies", map[string]any{"name": "X", "plan_id": "gold"}, 400, "bad_request", "plan_id"},
				{"bad domain", "POST", "/api/v1/companies", map[string]any{"name": "X", "domains": []string{"not a domain"}}, 422, "invalid", "domains"},
				{"free-mail domain", "POST", "/api/v1/companies", map[string]any{"name": "X", "domains": []string{"gmail.com"}}, 422, "invalid", "domains"},
				{"unknown plan", "POST", "/api/v1/companies", map[string]any{"name": "X", "plan_id": 999}, 422, "invalid", "plan_id"},
				{"duplicate name", "POST", "/api/v1/companies", map[string]any{"name": "acme"}, 409, "conflict", "name"},
				{"domain of another company", "POST", "/api/v1/companies", map[string]any{"name": "X", "domains": []string{"Globex.LV"}}, 409, "conflict", "domains"},
				{"patch: taken domain", "PATCH", one, map[string]any{"name": "Y", "domains": []string{"acme.eu"}}, 409, "conflict", "domains"},
				{"patch: unknown plan", "PATCH", one, map[string]any{"plan_id": 999}, 422, "invalid", "plan_id"},
				{"patch: plan_id wrong type", "PATCH", one, map[string]any{"plan_id": true}, 400, "bad_request", "plan_id"},
				{"patch: null domains", "PATCH", one, map[string]any{"domains": nil}, 400, "bad_request", "domains"},
				{"patch: unknown id", "PATCH", "/api/v1/companies/999", map[string]any{"name": "Z"}, 404, "not_found", ""},
				{"agent cannot delete", "DELETE", one, nil, 403, "forbidden", ""},
			})
		})
		t.Run("list filters and pages", func(t *testing.T) {
			e.do("PATCH", one, e.admin, map[string]any{"plan_id": plan}).want(t, http.StatusOK)
			r := e.do("GET", fmt.Sprintf("/api/v1/companies?plan_id=%d", plan), agent, nil).want(t, http.StatusOK)
			if r.Body["total"] != 1.0 {
				t.Errorf("plan filter %s", r.Raw)
			}
			r = e.do("GET", "/api/v1/companies?per_page=1&page=2", agent, nil).want(t, http.StatusOK)
			items, _ := r.Body["items"].([]any)
			if r.Body["total"] != 2.0 || len(items) != 1 || items[0].(map[string]any)["name"] != "Globex" {
				t.Errorf("page 2 %s", r.Raw)
			}
			dirWant(t, e.do("GET", "/api/v1/companies?per_page=1000", agent, nil), 422, "invalid", "per_page")
			dirWant(t, e.do("GET", "/api/v1/companies?plan_id=x", agent, nil), 422, "invalid", "plan_id")
		})
		t.Run("a company with contacts cannot be deleted; a supervisor deletes an empty one", func(t *testing.T) {
			e.dirCreate(t, "/api/v1/contacts", agent, map[string]any{"name": "Worker", "company_id": other})
			dirWant(t, e.do("DELETE", one, super, nil), 409, "conflict", "")
			empty := e.dirCreate(t, "/api/v1/companies", agent, map[string]any{"name": "Empty Ltd"})
			e.do("DELETE", fmt.Sprintf("/api/v1/companies/%d", empty), super, nil).want(t, http.StatusNoContent)
			dirWant(t, e.do("GET", fmt.Sprintf("/api/v1/companies/%d", empty), super, nil), 404, "not_found", "")
		})
		t.Run("a token is needed", func(t *testing.T) {
			e.dirUnauthenticated(t, "GET /api/v1/companies", "POST /api/v1/companies", "GET "+one, "PATCH "+one, "DELETE "+one)
		})
	})
}

// dirStrings turns a decoded JSON array into strings.
func dirStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
