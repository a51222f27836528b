package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestPlanAndGroupAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "Plain Agent", Email: "agent@example.com"})

		for _, res := range []string{"plans", "groups"} {
			base := "/api/v1/" + res
			t.Run(res+" round trip", func(t *testing.T) {
				id := e.dirCreate(t, base, e.admin, map[string]any{"name": " Gold ", "description": "24x7"})
				one := fmt.Sprintf("%s/%d", base, id)
				r := e.do("GET", one, agent, nil).want(t, http.StatusOK)
				if r.Body["name"] != "Gold" || r.Body["description"] != "24x7" {
					t.Errorf("read %s", r.Raw)
				}
				r = e.do("PATCH", one, e.admin, map[string]any{"name": "Platinum"}).want(t, http.StatusOK)
				if r.Body["name"] != "Platinum" || r.Body["description"] != "24x7" {
					t.Errorf("patched %s", r.Raw)
				}
				r = e.do("GET", base+"?q=PLAT", agent, nil).want(t, http.StatusOK)
				if r.Body["total"] != 1.0 {
					t.Errorf("list %s", r.Raw)
				}
				e.do("DELETE", one, e.admin, nil).want(t, http.StatusNoContent)
				dirWant(t, e.do("GET", one, e.admin, nil), http.StatusNotFound, "not_found", "")
			})

			id := e.dirCreate(t, base, e.admin, map[string]any{"name": "Silver"})
			e.dirCreate(t, base, e.admin, map[string]any{"name": "Bronze"})
			one := fmt.Sprintf("%s/%d", base, id)
			t.Run(res+" bad input changes nothing", func(t *testing.T) {
				e.dirRefuse(t, e.admin, base, []dirBad{
					{"malformed JSON", "POST", base, `{"name":`, 400, "bad_request", ""},
					{"unknown field", "POST", base, map[string]any{"name": "X", "colour": "red"}, 400, "bad_request", "colour"},
					{"wrong type", "POST", base, map[string]any{"name": 5}, 400, "bad_request", "name"},
					{"empty name", "POST", base, map[string]any{"name": "  "}, 422, "invalid", "name"},
					{"duplicate name", "POST", base, map[string]any{"name": "SILVER"}, 409, "conflict", "name"},
					{"rename to a taken name", "PATCH", one, map[string]any{"name": "bronze"}, 409, "conflict", "name"},
					{"null name", "PATCH", one, map[string]any{"name": nil}, 400, "bad_request", "name"},
					{"patch wrong type", "PATCH", one, map[string]any{"description": []int{1}}, 400, "bad_request", "description"},
					{"unknown id", "PATCH", base + "/999", map[string]any{"name": "X"}, 404, "not_found", ""},
					{"delete unknown id", "DELETE", base + "/999", nil, 404, "not_found", ""},
					{"bad id", "GET", base + "/abc", nil, 404, "not_found", ""},
				})
			})
			t.Run(res+" need an administrator to change", func(t *testing.T) {
				e.do("GET", base, agent, nil).want(t, http.StatusOK)
				e.do("GET", one, agent, nil).want(t, http.StatusOK)
				e.dirRefuse(t, agent, base, []dirBad{
					{"create", "POST", base, map[string]any{"name": "Mine"}, 403, "forbidden", ""},
					{"update", "PATCH", one, map[string]any{"name": "Mine"}, 403, "forbidden", ""},
					{"delete", "DELETE", one, nil, 403, "forbidden", ""},
				})
				e.dirUnauthenticated(t, "GET "+base, "POST "+base, "GET "+one, "PATCH "+one, "DELETE "+one)
			})
		}

		t.Run("a plan used by a company cannot be deleted", func(t *testing.T) {
			plan := e.dirCreate(t, "/api/v1/plans", e.admin, map[string]any{"name": "Used"})
			e.dirCreate(t, "/api/v1/companies", e.admin, map[string]any{"name": "Acme", "plan_id": plan})
			dirWant(t, e.do("DELETE", fmt.Sprintf("/api/v1/plans/%d", plan), e.admin, nil), 409, "conflict", "")
		})
		t.Run("a group with tickets cannot be deleted; an empty one releases its agents", func(t *testing.T) {
			busy := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "Busy"})
			contact := e.dirCreate(t, "/api/v1/contacts", e.admin, map[string]any{"name": "Caller"})
			dirTicket(t, d, contact, busy, nil)
			r := e.do("DELETE", fmt.Sprintf("/api/v1/groups/%d", busy), e.admin, nil)
			dirWant(t, r, 409, "conflict", "")
			t.Logf("message: %s", r.Raw)

			empty := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "Empty"})
			ag := e.dirCreate(t, "/api/v1/agents", e.admin, map[string]any{"name": "Member", "email": "m@example.com", "group_ids": []int64{empty}})
			r = e.do("GET", fmt.Sprintf("/api/v1/groups/%d", empty), agent, nil).want(t, http.StatusOK)
			if ids, _ := r.Body["agent_ids"].([]any); len(ids) != 1 || ids[0] != float64(ag) {
				t.Errorf("agent_ids %v, want [%d]", r.Body["agent_ids"], ag)
			}
			e.do("DELETE", fmt.Sprintf("/api/v1/groups/%d", empty), e.admin, nil).want(t, http.StatusNoContent)
			r = e.do("GET", fmt.Sprintf("/api/v1/agents/%d", ag), e.admin, nil).want(t, http.StatusOK)
			if ids, _ := r.Body["group_ids"].([]any); len(ids) != 0 {
				t.Errorf("group_ids %v after the group was deleted", ids)
			}
		})
	})
}
