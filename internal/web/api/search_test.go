package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestSearchAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := t.Context()
		net, err := e.dir.CreateGroup(ctx, directory.GroupInput{Name: "Network"})
		if err != nil {
			t.Fatal(err)
		}
		desk, err := e.dir.CreateGroup(ctx, directory.GroupInput{Name: "Service desk"})
		if err != nil {
			t.Fatal(err)
		}
		alice := e.agentToken(directory.AgentInput{Name: "Alice", Email: "alice@example.com", Role: auth.RoleAgent,
			GroupIDs: []int64{desk.ID}})
		printers := newTicket(t, e, e.admin, map[string]any{"subject": "Принтеры перестали печатать", "group_id": desk.ID,
			"priority": "high"}).id()
		vpn := newTicket(t, e, e.admin, map[string]any{"subject": "VPN drops", "group_id": net.ID, "tags": []string{"vpn"},
			"description": "ERR_CONNECTION_RESET from 10.0.0.1 since printing started"}).id()
		e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", printers), e.admin,
			map[string]any{"body": "Проверили: принтер снова печатает", "public": true}).want(t, http.StatusCreated)
		e.indexed()
		get := func(token, path string, status int) response {
			t.Helper()
			return e.do("GET", path, token, nil).want(t, status)
		}
		items := func(r response) []map[string]any {
			list, _ := r.Body["items"].([]any)
			var out []map[string]any
			for _, it := range list {
				out = append(out, it.(map[string]any))
			}
			return out
		}
		q := func(s string) string { return url.QueryEscape(s) }

		t.Run("hits carry kind, id, title, snippet, score, number and status", func(t *testing.T) {
			r := get(e.admin, "/api/v1/search?q="+q("принтер не печатает"), http.StatusOK)
			hits := items(r)
			if len(hits) != 1 || r.Body["total"] != 1.0 {
				t.Fatalf("hits %s", r.Raw)
			}
			h := hits[0]
			if h["kind"] != "ticket" || h["id"] != float64(printers) || h["title"] != "Принтеры перестали печатать" ||
				h["number"] == nil || h["status"] != "open" || h["score"].(float64) <= 0 ||
				!strings.Contains(h["snippet"].(string), "<mark>принтер</mark>") {
				t.Errorf("hit %v", h)
			}
		})

		t.Run("kind narrows the search", func(t *testing.T) {
			hits := items(get(e.admin, "/api/v1/search?q=anna&kind=contact", http.StatusOK))
			if len(hits) != 1 || hits[0]["kind"] != "contact" || hits[0]["title"] != "Anna Bērziņa" {
				t.Errorf("contacts %v", hits)
			}
			r := get(e.admin, "/api/v1/search?q=anna&kind=planet", http.StatusUnprocessableEntity)
			if code, field := r.errorOf(); code != "invalid" || field != "kind" {
				t.Errorf("unknown kind: %s", r.Raw)
			}
		})

		t.Run("an agent finds only tickets they may open", func(t *testing.T) {
			if hits := items(get(alice, "/api/v1/search?q=vpn", http.StatusOK)); len(hits) != 0 {
				t.Errorf("Alice found %v", hits)
			}
			if hits := items(get(alice, "/api/v1/search?q=printing&kind=ticket", http.StatusOK)); len(hits) != 0 {
				t.Errorf("Alice found another group's ticket by its description: %v", hits)
			}
			if hits := items(get(e.admin, "/api/v1/search?q=printing&kind=ticket", http.StatusOK)); len(hits) != 1 ||
				hits[0]["id"] != float64(vpn) {
				t.Errorf("the administrator's hits %v", hits)
			}
		})

		t.Run("invalid queries answer 422 with the position, never 500", func(t *testing.T) {
			for _, tc := range []struct {
				query    string
				position float64
				message  string
			}{
				{`printer "unclosed`, 9, "not closed"},
				{`stauts:open`, 1, "did you mean status:?"},
				{`vpn status:`, 5, "needs a value"},
				{`status:broken`, 1, `"broken" is not a status`},
				{`company:"No Such Firm"`, 1, "no company matches"},
				{`the`, 1, "only very common words"},
				{`#0`, 1, "not a ticket number"},
				{strings.Repeat("x", 501), 0, "longer than 500"},
			} {
				r := get(e.admin, "/api/v1/search?q="+q(tc.query), http.StatusUnprocessableEntity)
				errBody, _ := r.Body["error"].(map[string]any)
				if errBody["code"] != "invalid" || errBody["field"] != "q" || !strings.Contains(errBody["message"].(string), tc.message) {
					t.Errorf("%q: %s", tc.query, r.Raw)
				}
				if pos, _ := errBody["position"].(float64); pos != tc.position {
					t.Errorf("%q: position %v, want %v", tc.query, errBody["position"], tc.position)
				}
			}
			r := get(e.admin, "/api/v1/search?q=", http.StatusUnprocessableEntity)
			if code, field := r.errorOf(); code != "invalid" || field != "q" {
				t.Errorf("empty q: %s", r.Raw)
			}
			get(e.admin, "/api/v1/search?q=vpn&per_page=500", http.StatusUnprocessableEntity)
			get("", "/api/v1/search?q=vpn", http.StatusUnauthorized)
		})

		t.Run("q on the ticket list uses the index with the other filters", func(t *testing.T) {
			r := get(e.admin, "/api/v1/tickets?q="+q("печатает"), http.StatusOK)
			list := items(r)
			if len(list) != 1 || list[0]["id"] != float64(printers) || r.Body["total"] != 1.0 || list[0]["priority"] != "high" {
				t.Fatalf("q=печатает: %s", r.Raw)
			}
			for _, tc := range []struct {
				params string
				want   []int64
			}{
				{"q=printing", []int64{vpn}},
				{"q=printing&group_id=" + fmt.Sprint(desk.ID), nil},
				{"q=printing&priority=high", nil},
				{"q=tag:vpn", []int64{vpn}},
				{"q=10.0.0.1&tag=vpn&status=new", []int64{vpn}},
				{"q=10.0.0.1&status=solved", nil},
				{"q=err_connection_reset&assignee_id=none", []int64{vpn}},
				{"q=" + q("#") + fmt.Sprint(1000+vpn), []int64{vpn}},
			} {
				list := items(get(e.admin, "/api/v1/tickets?"+tc.params, http.StatusOK))
				var ids []int64
				for _, it := range list {
					ids = append(ids, int64(it["id"].(float64)))
				}
				if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
					t.Errorf("%s: %v, want %v", tc.params, ids, tc.want)
				}
			}
			r = get(e.admin, "/api/v1/tickets?q=vpn&sort=number", http.StatusUnprocessableEntity)
			if code, field := r.errorOf(); code != "invalid" || field != "sort" {
				t.Errorf("sort with q: %s", r.Raw)
			}
			get(e.admin, "/api/v1/tickets?q=vpn&status=broken", http.StatusUnprocessableEntity)
			r = get(e.admin, "/api/v1/tickets?q="+q(`"open`), http.StatusUnprocessableEntity)
			if code, field := r.errorOf(); code != "invalid" || field != "q" {
				t.Errorf("bad q on the list: %s", r.Raw)
			}
		})
	})
}
