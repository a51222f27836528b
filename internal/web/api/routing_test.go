package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestRoutingAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "Plain Agent", Email: "agent@example.com"})
		group := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "VIP"})
		rule := map[string]any{"name": "VIP clients", "conditions": []map[string]any{{"kind": "email_domain", "values": []string{"vip.example"}}},
			"actions": []map[string]any{{"kind": "set_priority", "value": "high"}, {"kind": "set_group", "value": fmt.Sprint(group)}}}
		id := e.dirCreate(t, "/api/v1/routing-rules", e.admin, rule)
		second := e.dirCreate(t, "/api/v1/routing-rules", e.admin, map[string]any{"name": "Tag all",
			"actions": []map[string]any{{"kind": "add_tags", "values": []string{"seen"}}}})
		one := fmt.Sprintf("/api/v1/routing-rules/%d", id)
		e.dirRefuse(t, e.admin, one, []dirBad{
			{"a missing group", "POST", "/api/v1/routing-rules", map[string]any{"name": "Lost",
				"actions": []map[string]any{{"kind": "set_group", "value": "999999"}}}, 422, "invalid", "actions[0].value"},
			{"every change without a condition", "POST", "/api/v1/routing-rules", map[string]any{"name": "Busy", "when": "updated",
				"actions": []map[string]any{{"kind": "set_priority", "value": "low"}}}, 422, "invalid", "conditions"},
			{"an hour 25:00", "PUT", one, map[string]any{"name": "VIP clients", "conditions": []map[string]any{{"kind": "time_of_day",
				"values": []string{"25:00", "06:00"}}}, "actions": rule["actions"]}, 422, "invalid", "conditions[0].values[0]"},
		})
		e.dirRefuse(t, agent, one, []dirBad{
			{"an agent adding a rule", "POST", "/api/v1/routing-rules", rule, 403, "forbidden", ""},
		})
		r := e.do("POST", "/api/v1/routing-rules/dry-run", agent, map[string]any{"subject": "Hi", "requester_email": "boss@vip.example"}).
			want(t, http.StatusOK)
		steps := r.Body["steps"].([]any)
		after := r.Body["after"].(map[string]any)
		if len(steps) != 2 || after["priority"] != "high" || after["group_id"].(float64) != float64(group) {
			t.Fatalf("dry run %s", r.Raw)
		}
		r = e.do("GET", "/api/v1/tickets", e.admin, nil).want(t, http.StatusOK)
		if r.Body["total"].(float64) != 0 {
			t.Errorf("the dry run left tickets: %s", r.Raw)
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/routing-rules/%d/move", second), e.admin, map[string]any{"by": -1}).want(t, http.StatusOK)
		items := r.Body["items"].([]any)
		if items[0].(map[string]any)["name"] != "Tag all" {
			t.Errorf("after moving up: %s", r.Raw)
		}
		e.do("PUT", fmt.Sprintf("/api/v1/groups/%d/assignment", group), e.admin, map[string]any{"mode": "round_robin", "max_open": 5}).
			want(t, http.StatusOK)
		r = e.do("GET", fmt.Sprintf("/api/v1/groups/%d/assignment", group), agent, nil).want(t, http.StatusOK)
		if r.Body["mode"] != "round_robin" || r.Body["max_open"].(float64) != 5 {
			t.Errorf("assignment %s", r.Raw)
		}
		me := e.do("GET", "/api/v1/me", agent, nil).want(t, http.StatusOK).id()
		bad := e.do("PUT", fmt.Sprintf("/api/v1/agents/%d/shifts", me), e.admin, map[string]any{"windows": []map[string]any{
			{"weekday": 1, "from": "09:00", "to": "13:00"}, {"weekday": 1, "from": "22:00", "to": "25:00"}}})
		if code, field := bad.errorOf(); bad.Status != 422 || code != "invalid" || field != "windows[1].to" {
			t.Errorf("a window to 25:00: %d %s", bad.Status, bad.Raw)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/agents/%d/availability", me), agent, nil).want(t, http.StatusOK)
		if sh := r.Body["shift"].(map[string]any); sh["windows"] != nil && len(sh["windows"].([]any)) != 0 {
			t.Errorf("the refused shifts were saved: %s", r.Raw)
		}
		r = e.do("PUT", fmt.Sprintf("/api/v1/agents/%d/shifts", me), e.admin, map[string]any{"windows": []map[string]any{
			{"weekday": 1, "from": "22:00", "to": "06:00"}}}).want(t, http.StatusOK)
		r = e.do("PUT", "/api/v1/me/away", agent, map[string]any{"away": true}).want(t, http.StatusOK)
		if r.Body["away"] != true {
			t.Errorf("away %s", r.Raw)
		}
		e.do("DELETE", one, e.admin, nil).want(t, http.StatusNoContent)
	})
}
