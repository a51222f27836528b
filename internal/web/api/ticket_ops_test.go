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

// allTickets is watched by refusal tests: every ticket, as the
// administrator lists them.
const allTickets = "/api/v1/tickets?sort=number&per_page=100"

func TestTicketMergeAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		src := newTicket(t, e, e.admin, map[string]any{"subject": "Printer jams", "tags": []string{"jam"}}).id()
		dst := newTicket(t, e, e.admin, map[string]any{"subject": "Printers on floor 3"}).id()
		e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", src), e.admin, map[string]any{"body": "Tray 2", "public": false}).
			want(t, http.StatusCreated)

		r := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/merge", src), e.admin, map[string]any{"into_id": dst}).want(t, http.StatusOK)
		if r.id() != dst || r.Body["version"] != 2.0 || r.Header.Get("ETag") != `"2"` || !strings.Contains(string(r.Raw), `"tags":["jam"]`) {
			t.Errorf("survivor %s", r.Raw)
		}
		merged := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", src), e.admin, nil).want(t, http.StatusOK).Body
		if merged["status"] != "closed" || merged["merged_into_id"] != float64(dst) {
			t.Errorf("merged ticket: status %v merged_into_id %v", merged["status"], merged["merged_into_id"])
		}
		if got := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", dst), e.admin, nil).Body["merged_into_id"]; got != nil {
			t.Errorf("survivor's merged_into_id %v, want null", got)
		}
		cs := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/comments", dst), e.admin, nil).want(t, http.StatusOK)
		if cs.Body["total"] != 1.0 {
			t.Errorf("survivor's comments %s", cs.Raw)
		}

		g := insertGroupSQL(t, d, "Facilities")
		hidden := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		open := newTicket(t, e, e.admin, map[string]any{}).id()
		outsider := e.agentToken(directory.AgentInput{Name: "Olga Outsider", Email: "olga@support.example"})
		merge := func(id int64) string { return fmt.Sprintf("/api/v1/tickets/%d/merge", id) }
		e.dirRefuse(t, e.admin, allTickets, []dirBad{
			{"into itself", "POST", merge(open), map[string]any{"into_id": open}, 422, "invalid", "into_id"},
			{"no into_id", "POST", merge(open), map[string]any{}, 422, "invalid", "into_id"},
			{"into_id not a number", "POST", merge(open), `{"into_id":"x"}`, 400, "bad_request", "into_id"},
			{"unknown field", "POST", merge(open), map[string]any{"into_id": dst, "force": true}, 400, "bad_request", "force"},
			{"unknown target", "POST", merge(open), map[string]any{"into_id": 99999}, 404, "not_found", ""},
			{"unknown source", "POST", merge(99999), map[string]any{"into_id": open}, 404, "not_found", ""},
			{"bad id", "POST", "/api/v1/tickets/abc/merge", map[string]any{"into_id": open}, 404, "not_found", ""},
			{"already merged", "POST", merge(src), map[string]any{"into_id": open}, 409, "conflict", ""},
			{"into a merged ticket", "POST", merge(open), map[string]any{"into_id": src}, 409, "conflict", ""},
		})
		e.dirRefuse(t, outsider, allTickets, []dirBad{
			{"target hidden from the agent", "POST", merge(open), map[string]any{"into_id": hidden}, 404, "not_found", ""},
			{"source hidden from the agent", "POST", merge(hidden), map[string]any{"into_id": open}, 404, "not_found", ""},
		})
		e.dirUnauthenticated(t, "POST "+merge(open))
	})
}

func TestCommentSplitAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		old := newTicket(t, e, e.admin, map[string]any{"subject": "Printer and VPN", "priority": "high"}).id()
		comments := fmt.Sprintf("/api/v1/tickets/%d/comments", old)
		e.do("POST", comments, e.admin, map[string]any{"body": "The printer jams", "public": false}).want(t, http.StatusCreated)
		vpn := e.do("POST", comments, e.admin, map[string]any{"body": "The VPN drops", "public": false}).want(t, http.StatusCreated).id()
		last := e.do("POST", comments, e.admin, map[string]any{"body": "Printer fixed", "public": false}).want(t, http.StatusCreated).id()

		split := func(ticketID, commentID int64) string {
			return fmt.Sprintf("/api/v1/tickets/%d/comments/%d/split", ticketID, commentID)
		}
		r := e.do("POST", split(old, vpn), e.admin, map[string]any{"subject": "VPN drops"}).want(t, http.StatusCreated)
		created := r.id()
		if r.Body["subject"] != "VPN drops" || r.Body["priority"] != "high" || created == old ||
			r.Header.Get("Location") != fmt.Sprintf("/api/v1/tickets/%d", created) {
			t.Errorf("new ticket %s (Location %s)", r.Raw, r.Header.Get("Location"))
		}
		moved := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/comments", created), e.admin, nil).want(t, http.StatusOK)
		if moved.Body["total"] != 1.0 || !strings.Contains(string(moved.Raw), "The VPN drops") {
			t.Errorf("new ticket's comments %s", moved.Raw)
		}
		links := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/links", created), e.admin, nil).want(t, http.StatusOK)
		if items := itemsOf(links); len(items) != 1 || items[0]["kind"] != "split" ||
			items[0]["ticket"].(map[string]any)["id"] != float64(old) {
			t.Errorf("links of the new ticket %s", links.Raw)
		}
		// No body: the old subject.
		r = e.do("POST", split(old, last), e.admin, nil).want(t, http.StatusCreated)
		if r.Body["subject"] != "Printer and VPN" {
			t.Errorf("default subject %v", r.Body["subject"])
		}

		other := newTicket(t, e, e.admin, map[string]any{}).id()
		elsewhere := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", other), e.admin,
			map[string]any{"body": "Elsewhere", "public": false}).want(t, http.StatusCreated).id()
		first := e.do("POST", comments, e.admin, map[string]any{"body": "Still here", "public": false}).want(t, http.StatusCreated).id()
		g := insertGroupSQL(t, d, "Facilities")
		hidden := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		hiddenComment := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", hidden), e.admin,
			map[string]any{"body": "Secret", "public": false}).want(t, http.StatusCreated).id()
		outsider := e.agentToken(directory.AgentInput{Name: "Olga Outsider", Email: "olga@support.example"})
		e.dirRefuse(t, e.admin, allTickets, []dirBad{
			{"comment of another ticket", "POST", split(old, elsewhere), map[string]any{}, 404, "not_found", ""},
			{"unknown comment", "POST", split(old, 99999), map[string]any{}, 404, "not_found", ""},
			{"bad comment id", "POST", fmt.Sprintf("/api/v1/tickets/%d/comments/x/split", old), map[string]any{}, 404, "not_found", ""},
			{"subject too long", "POST", split(old, first), map[string]any{"subject": strings.Repeat("x", 501)}, 422, "invalid", "subject"},
			{"malformed body", "POST", split(old, first), `{"subject":`, 400, "bad_request", ""},
		})
		e.dirRefuse(t, outsider, allTickets, []dirBad{
			{"ticket hidden from the agent", "POST", split(hidden, hiddenComment), map[string]any{}, 404, "not_found", ""},
		})
		e.dirUnauthenticated(t, "POST "+split(old, first))
	})
}

func TestTicketLinksAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a := newTicket(t, e, e.admin, map[string]any{"subject": "Printer jams"}).id()
		b := newTicket(t, e, e.admin, map[string]any{"subject": "Printer jams again"}).id()
		links := func(id int64) string { return fmt.Sprintf("/api/v1/tickets/%d/links", id) }

		for range 2 {
			r := e.do("POST", links(a), e.admin, map[string]any{"ticket_id": b, "kind": "duplicate"}).want(t, http.StatusNoContent)
			if len(r.Raw) != 0 {
				t.Errorf("204 with a body: %s", r.Raw)
			}
		}
		for _, c := range [][2]int64{{a, b}, {b, a}} {
			r := e.do("GET", links(c[0]), e.admin, nil).want(t, http.StatusOK)
			items := itemsOf(r)
			if r.Body["total"] != 1.0 || len(items) != 1 || items[0]["kind"] != "duplicate" {
				t.Fatalf("links of %d: %s", c[0], r.Raw)
			}
			tk := items[0]["ticket"].(map[string]any)
			if tk["id"] != float64(c[1]) || tk["number"] == nil || tk["subject"] == nil || tk["status"] != "new" {
				t.Errorf("linked ticket %v", tk)
			}
		}

		// An agent does not see a linked ticket of a group they are not in.
		g := insertGroupSQL(t, d, "Facilities")
		hidden := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		e.do("POST", links(a), e.admin, map[string]any{"ticket_id": hidden}).want(t, http.StatusNoContent)
		outsider := e.agentToken(directory.AgentInput{Name: "Olga Outsider", Email: "olga@support.example"})
		if r := e.do("GET", links(a), outsider, nil).want(t, http.StatusOK); r.Body["total"] != 1.0 {
			t.Errorf("outsider sees %s", r.Raw)
		}
		if r := e.do("GET", links(a), e.admin, nil).want(t, http.StatusOK); r.Body["total"] != 2.0 {
			t.Errorf("administrator sees %s", r.Raw)
		}

		e.dirRefuse(t, e.admin, links(a), []dirBad{
			{"bad kind", "POST", links(a), map[string]any{"ticket_id": b, "kind": "cousin"}, 422, "invalid", "kind"},
			{"to itself", "POST", links(a), map[string]any{"ticket_id": a}, 422, "invalid", "ticket_id"},
			{"no ticket_id", "POST", links(a), map[string]any{"kind": "related"}, 422, "invalid", "ticket_id"},
			{"unknown ticket", "POST", links(a), map[string]any{"ticket_id": 99999}, 404, "not_found", ""},
			{"unknown field", "POST", links(a), map[string]any{"ticket_id": b, "note": "x"}, 400, "bad_request", "note"},
			{"unlink unknown", "DELETE", links(a) + "/99999", nil, 404, "not_found", ""},
			{"unlink bad id", "DELETE", links(a) + "/abc", nil, 404, "not_found", ""},
		})
		e.dirRefuse(t, outsider, links(a), []dirBad{
			{"link a hidden ticket", "POST", links(a), map[string]any{"ticket_id": hidden, "kind": "related"}, 404, "not_found", ""},
			{"unlink a hidden ticket", "DELETE", fmt.Sprintf("%s/%d", links(a), hidden), nil, 404, "not_found", ""},
			{"links of a hidden ticket", "GET", links(hidden), nil, 404, "not_found", ""},
		})

		e.do("DELETE", fmt.Sprintf("%s/%d", links(b), a), e.admin, nil).want(t, http.StatusNoContent)
		if r := e.do("GET", links(b), e.admin, nil).want(t, http.StatusOK); r.Body["total"] != 0.0 {
			t.Errorf("after unlinking: %s", r.Raw)
		}
		dirWant(t, e.do("DELETE", fmt.Sprintf("%s/%d", links(b), a), e.admin, nil), 404, "not_found", "")
		e.dirUnauthenticated(t, "GET "+links(a), "POST "+links(a), "DELETE "+links(a)+"/1")
	})
}

func TestTicketBulkAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		g := insertGroupSQL(t, d, "Service desk")
		a := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		b := newTicket(t, e, e.admin, map[string]any{"group_id": g, "tags": []string{"printer"}}).id()
		closed := newTicket(t, e, e.admin, map[string]any{"status": "solved"}).id()
		e.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", closed), e.admin, map[string]any{"version": 1, "status": "closed"}).want(t, http.StatusOK)

		r := e.do("POST", "/api/v1/tickets/bulk", e.admin, map[string]any{"ids": []int64{a, b, closed, 99999},
			"status": "open", "priority": "urgent", "group_id": nil, "add_tags": []string{"VIP"}}).want(t, http.StatusOK)
		items := itemsOf(r)
		if r.Body["total"] != 4.0 || len(items) != 4 {
			t.Fatalf("bulk answer %s", r.Raw)
		}
		for _, it := range items[:2] {
			tk, _ := it["ticket"].(map[string]any)
			if it["error"] != nil || tk["status"] != "open" || tk["priority"] != "urgent" || tk["group_id"] != nil ||
				!strings.Contains(fmt.Sprint(tk["tags"]), "vip") {
				t.Errorf("changed item %v", it)
			}
		}
		for i, want := range [][2]string{{"invalid", "status"}, {"not_found", ""}} {
			it := items[2+i]
			er, _ := it["error"].(map[string]any)
			field, _ := er["field"].(string)
			if it["ticket"] != nil || er["code"] != want[0] || field != want[1] || er["message"] == "" {
				t.Errorf("failed item %v, want %v", it, want)
			}
		}
		if got := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", closed), e.admin, nil).Body; got["status"] != "closed" || got["priority"] != "normal" {
			t.Errorf("closed ticket changed: %v", got)
		}

		many := make([]int64, 501)
		for i := range many {
			many[i] = int64(i + 1)
		}
		e.dirRefuse(t, e.admin, allTickets, []dirBad{
			{"no ids", "POST", "/api/v1/tickets/bulk", map[string]any{"priority": "low"}, 422, "invalid", "ids"},
			{"too many ids", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": many, "priority": "low"}, 422, "invalid", "ids"},
			{"no change", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a}}, 422, "invalid", ""},
			{"bad status", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a}, "status": "done"}, 422, "invalid", "status"},
			{"bad tag", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a}, "add_tags": []string{"a,b"}}, 422, "invalid", "add_tags"},
			{"unknown group", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a}, "group_id": 99999}, 422, "invalid", "group_id"},
			{"ids not numbers", "POST", "/api/v1/tickets/bulk", `{"ids":["x"],"priority":"low"}`, 400, "bad_request", "ids"},
			{"unknown field", "POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a}, "colour": "red"}, 400, "bad_request", "colour"},
		})
		// "bulk" is not a ticket id for the routes that take one.
		dirWant(t, e.do("GET", "/api/v1/tickets/bulk", e.admin, nil), 404, "not_found", "")
		dirWant(t, e.do("PATCH", "/api/v1/tickets/bulk", e.admin, map[string]any{"version": 1}), 404, "not_found", "")
		e.dirUnauthenticated(t, "POST /api/v1/tickets/bulk")

		// An agent's hidden tickets answer not_found, the visible ones change
		// (a left its group above, so every agent sees it).
		outsider := e.agentToken(directory.AgentInput{Name: "Olga Outsider", Email: "olga@support.example"})
		hidden := newTicket(t, e, e.admin, map[string]any{"group_id": g}).id()
		r = e.do("POST", "/api/v1/tickets/bulk", outsider, map[string]any{"ids": []int64{hidden, a}, "priority": "low"}).want(t, http.StatusOK)
		items = itemsOf(r)
		if er, _ := items[0]["error"].(map[string]any); er["code"] != "not_found" || items[1]["error"] != nil {
			t.Errorf("outsider's bulk change %s", r.Raw)
		}
	})
}

// itemsOf returns the items of a list response.
func itemsOf(r response) []map[string]any {
	raw, _ := r.Body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i], _ = it.(map[string]any)
	}
	return out
}
