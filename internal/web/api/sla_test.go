package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

// apiClock is a settable time for the SLA service behind the API.
type apiClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *apiClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *apiClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func rigaTime(day, hour, min int) time.Time {
	loc, _ := time.LoadLocation("Europe/Riga")
	return time.Date(2025, 6, day, hour, min, 0, 0, loc)
}

func TestCalendarAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		agent := e.agentToken(directory.AgentInput{Name: "Plain Agent", Email: "agent@example.com"})
		id := e.dirCreate(t, "/api/v1/calendars", e.admin, map[string]any{"name": "Riga office", "time_zone": "Europe/Riga",
			"windows": []map[string]any{{"weekday": 1, "from": "09:00", "to": "13:00"}, {"weekday": 1, "from": "14:00", "to": "18:00"}}})
		one := fmt.Sprintf("/api/v1/calendars/%d", id)
		r := e.do("GET", one, agent, nil).want(t, http.StatusOK)
		ws, _ := r.Body["windows"].([]any)
		if r.Body["time_zone"] != "Europe/Riga" || len(ws) != 2 || ws[1].(map[string]any)["from"] != "14:00" {
			t.Fatalf("read %s", r.Raw)
		}
		e.dirRefuse(t, e.admin, one, []dirBad{
			{"a window past midnight on a day calendar", "POST", "/api/v1/calendars", map[string]any{"name": "Night", "time_zone": "UTC",
				"windows": []map[string]any{{"weekday": 1, "from": "18:00", "to": "09:00"}}}, 422, "invalid", "windows[0].to"},
			{"an unknown zone", "POST", "/api/v1/calendars", map[string]any{"name": "Mars", "time_zone": "Mars/Base",
				"windows": []map[string]any{{"weekday": 1, "from": "09:00", "to": "17:00"}}}, 422, "invalid", "time_zone"},
			{"a time that is no time", "POST", "/api/v1/calendars", map[string]any{"name": "Odd", "time_zone": "UTC",
				"windows": []map[string]any{{"weekday": 1, "from": "25:00", "to": "26:00"}}}, 422, "invalid", "windows[0].from"},
			{"a zone changed to nonsense", "PATCH", one, map[string]any{"time_zone": "Europe/Atlantis"}, 422, "invalid", "time_zone"},
			{"hours changed to a night window", "PATCH", one, map[string]any{"windows": []map[string]any{{"weekday": 2, "from": "22:00", "to": "06:00"}}},
				422, "invalid", "windows[0].to"},
			{"a day with a bad kind", "PUT", one + "/days/2025-11-18", map[string]any{"kind": "party"}, 422, "invalid", "day.kind"},
			{"a day with a bad date", "PUT", one + "/days/2025-11-31", map[string]any{"kind": "holiday"}, 422, "invalid", "date"},
			{"seeding an unknown country", "POST", one + "/holidays", map[string]any{"country": "de", "year": 2026}, 422, "invalid", "country"},
		})
		e.dirRefuse(t, agent, one, []dirBad{
			{"an agent creating one", "POST", "/api/v1/calendars", map[string]any{"name": "Mine", "time_zone": "UTC", "always_open": true},
				403, "forbidden", ""},
			{"an agent changing one", "PATCH", one, map[string]any{"name": "Mine"}, 403, "forbidden", ""},
			{"an agent seeding holidays", "POST", one + "/holidays", map[string]any{"country": "lv", "year": 2026}, 403, "forbidden", ""},
		})
		// A night calendar may run past midnight.
		e.dirCreate(t, "/api/v1/calendars", e.admin, map[string]any{"name": "Night desk", "time_zone": "Europe/Moscow", "overnight": true,
			"windows": []map[string]any{{"weekday": 5, "from": "22:00", "to": "06:00"}}})

		e.do("PUT", one+"/days/2025-11-01", e.admin, map[string]any{"kind": "working", "name": "Worked Saturday", "as_weekday": 1}).want(t, http.StatusOK)
		r = e.do("POST", one+"/holidays", e.admin, map[string]any{"country": "lv", "year": 2025}).want(t, http.StatusOK)
		if r.Body["added"].(float64) < 10 {
			t.Errorf("seeded %s", r.Raw)
		}
		r = e.do("GET", one+"/days?year=2025", agent, nil).want(t, http.StatusOK)
		days := r.Body["items"].([]any)
		found := false
		for _, day := range days {
			m := day.(map[string]any)
			if m["date"] == "2025-11-18" && m["kind"] == "holiday" {
				found = true
			}
		}
		if !found || r.Body["total"].(float64) != float64(len(days)) {
			t.Errorf("days %s", r.Raw)
		}
		e.do("DELETE", one+"/days/2025-11-01", e.admin, nil).want(t, http.StatusNoContent)
		dirWant(t, e.do("DELETE", one+"/days/2025-11-01", e.admin, nil), 404, "not_found", "")
		r = e.do("PATCH", one, e.admin, map[string]any{"always_open": true}).want(t, http.StatusOK)
		if r.Body["always_open"] != true || len(r.Body["windows"].([]any)) != 2 {
			t.Errorf("patched %s", r.Raw)
		}
	})
}

func TestPlanTermsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cal := e.dirCreate(t, "/api/v1/calendars", e.admin, map[string]any{"name": "Office", "time_zone": "Europe/Riga",
			"windows": []map[string]any{{"weekday": 1, "from": "09:00", "to": "17:00"}}})
		id := e.dirCreate(t, "/api/v1/plans", e.admin, map[string]any{"name": "Premium", "calendar_id": cal,
			"channels": []string{"email", "portal"}, "portal_access": false, "pause_on_hold": true, "warn_percent": 80,
			"included_hours": 10, "hourly_rate_cents": 4500, "currency": "EUR", "is_default": true,
			"targets":    map[string]any{"urgent": map[string]any{"first_response_minutes": 15, "resolution_minutes": 240}},
			"escalation": map[string]any{"on": []string{"resolution"}, "next_line": true, "raise_priority": true}})
		one := fmt.Sprintf("/api/v1/plans/%d", id)
		r := e.do("GET", one, e.admin, nil).want(t, http.StatusOK)
		urgent := r.Body["targets"].(map[string]any)["urgent"].(map[string]any)
		if r.Body["calendar_id"].(float64) != float64(cal) || r.Body["portal_access"] != false || r.Body["warn_percent"] != 80.0 ||
			urgent["first_response_minutes"] != 15.0 || urgent["next_response_minutes"] != nil || r.Body["is_default"] != true ||
			r.Body["escalation"].(map[string]any)["next_line"] != true || r.Body["currency"] != "EUR" || r.Body["included_hours"] != 10.0 {
			t.Fatalf("read %s", r.Raw)
		}
		r = e.do("PATCH", one, e.admin, map[string]any{"warn_percent": 60, "calendar_id": nil}).want(t, http.StatusOK)
		if r.Body["warn_percent"] != 60.0 || r.Body["calendar_id"] != nil || r.Body["hourly_rate_cents"] != 4500.0 {
			t.Errorf("patched %s", r.Raw)
		}
		e.dirRefuse(t, e.admin, one, []dirBad{
			{"a negative target", "PATCH", one, map[string]any{"targets": map[string]any{"urgent": map[string]any{"first_response_minutes": -5}}},
				422, "invalid", "targets.urgent.first_response_minutes"},
			{"a missing calendar", "PATCH", one, map[string]any{"calendar_id": 999}, 422, "invalid", "calendar_id"},
			{"a new plan on a missing calendar", "POST", "/api/v1/plans", map[string]any{"name": "Gold", "calendar_id": 999}, 422, "invalid", "calendar_id"},
			{"a new plan with a negative target", "POST", "/api/v1/plans", map[string]any{"name": "Gold",
				"targets": map[string]any{"low": map[string]any{"resolution_minutes": -1}}}, 422, "invalid", "targets.low.resolution_minutes"},
			{"an unknown term", "PATCH", one, map[string]any{"sla": 1}, 400, "bad_request", "sla"},
			{"null channels", "PATCH", one, map[string]any{"channels": nil}, 400, "bad_request", "channels"},
			{"a bad currency", "PATCH", one, map[string]any{"currency": "euro"}, 422, "invalid", "currency"},
		})
		r = e.do("GET", "/api/v1/plans?q=gold", e.admin, nil).want(t, http.StatusOK)
		if r.Body["total"] != 0.0 {
			t.Errorf("a refused plan was created: %s", r.Raw)
		}
	})
}

// Deadlines in the ticket API, the at-risk list, lines and escalation
// into a line's group.
func TestTicketDeadlinesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := &apiClock{t: rigaTime(16, 9, 0)}
		e.api.SLA.SetClock(c.now)
		cal := e.dirCreate(t, "/api/v1/calendars", e.admin, map[string]any{"name": "Office", "time_zone": "Europe/Riga",
			"windows": []map[string]any{{"weekday": 1, "from": "09:00", "to": "17:00"}, {"weekday": 2, "from": "09:00", "to": "17:00"}}})
		e.dirCreate(t, "/api/v1/plans", e.admin, map[string]any{"name": "Premium", "calendar_id": cal, "is_default": true,
			"targets": map[string]any{
				"normal": map[string]any{"first_response_minutes": 60, "resolution_minutes": 480},
				"urgent": map[string]any{"first_response_minutes": 20, "resolution_minutes": 240}}})
		line2 := e.dirCreate(t, "/api/v1/groups", e.admin, map[string]any{"name": "Line 2 — Network"})
		e.do("PUT", "/api/v1/lines/2", e.admin, map[string]any{"group_ids": []int64{line2}}).want(t, http.StatusOK)
		dirWant(t, e.do("PUT", "/api/v1/lines/5", e.admin, map[string]any{"group_ids": []int64{}}), 404, "not_found", "")
		dirWant(t, e.do("PUT", "/api/v1/lines/3", e.admin, map[string]any{"group_ids": []int64{999}}), 422, "invalid", "group_ids[0]")
		r := e.do("GET", "/api/v1/lines", e.admin, nil).want(t, http.StatusOK)
		if items := r.Body["items"].([]any); len(items) != 4 || len(items[1].(map[string]any)["group_ids"].([]any)) != 1 ||
			len(items[2].(map[string]any)["group_ids"].([]any)) != 0 {
			t.Fatalf("lines %s", r.Raw)
		}

		open := func(subject, priority string) int64 {
			r := e.do("POST", "/api/v1/tickets", e.admin, map[string]any{"subject": subject, "priority": priority,
				"requester": map[string]any{"email": "anna@gmail.com"}}).want(t, http.StatusCreated)
			if fr, _ := r.Body["sla"].(map[string]any)["first_response"].(map[string]any); fr["state"] != "running" ||
				fr["remaining_seconds"] == nil {
				t.Errorf("the create response's deadlines: %s", r.Raw)
			}
			return r.id()
		}
		calm := open("Printer toner", "normal") // first response 10:00, resolution 17:00
		c.set(rigaTime(16, 9, 10))
		hot := open("Site is down", "urgent") // first response 09:30
		c.set(rigaTime(16, 9, 20))
		late := open("Invoice question", "normal") // first response 10:20
		r = e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", hot), e.admin, nil).want(t, http.StatusOK)
		s := r.Body["sla"].(map[string]any)
		fr := s["first_response"].(map[string]any)
		if s["first_response_due_at"] != rigaTime(16, 9, 30).UTC().Format(time.RFC3339) || fr["state"] != "running" ||
			fr["remaining_seconds"] != 600.0 || fr["target_minutes"] != 20.0 || fr["at_risk"] != false || s["next_response"] != nil {
			t.Fatalf("sla %s", r.Raw)
		}

		c.set(rigaTime(16, 9, 27)) // hot past 75 %; the others not
		r = e.do("GET", "/api/v1/tickets?sla=at_risk&sort=sla_due", e.admin, nil).want(t, http.StatusOK)
		if got := ids(r); len(got) != 1 || got[0] != hot {
			t.Errorf("at risk at 09:27: %v, want [%d]", got, hot)
		}
		c.set(rigaTime(16, 10, 16)) // hot and calm breached, late at 93 %
		r = e.do("GET", "/api/v1/tickets?sla=at_risk&sort=sla_due", e.admin, nil).want(t, http.StatusOK)
		if got := ids(r); len(got) != 3 || got[0] != hot || got[1] != calm || got[2] != late {
			t.Errorf("at risk at 10:16: %v, want [%d %d %d] soonest first", got, hot, calm, late)
		}
		one := r.Body["items"].([]any)[0].(map[string]any)["sla"].(map[string]any)["first_response"].(map[string]any)
		if one["state"] != "breached" || one["remaining_seconds"] != -46.0*60 {
			t.Errorf("the breached first response: %v", one)
		}
		dirWant(t, e.do("GET", "/api/v1/tickets?sla=late", e.admin, nil), 422, "invalid", "sla")

		r = e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/sla", calm), e.admin, nil).want(t, http.StatusOK)
		if r.Body["plan_name"] != "Premium" || r.Body["calendar_name"] != "Office" || len(r.Body["targets"].([]any)) != 2 {
			t.Errorf("sla detail %s", r.Raw)
		}

		// Escalating to line 2 without naming a group lands in line 2's group.
		r = e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/escalate", calm), e.admin, map[string]any{"line": 2,
			"reason": "needs the network team"}).want(t, http.StatusOK)
		if r.Body["line"] != 2.0 || r.Body["group_id"] != float64(line2) {
			t.Errorf("escalated %s", r.Raw)
		}
		c.set(rigaTime(16, 11, 16))
		r = e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/lines", calm), e.admin, nil).want(t, http.StatusOK)
		totals := r.Body["totals"].([]any)
		if len(totals) != 2 || totals[0].(map[string]any)["working_seconds"] != 76.0*60 ||
			totals[1].(map[string]any)["working_seconds"] != 3600.0 || totals[1].(map[string]any)["current"] != true {
			t.Errorf("line times %s", r.Raw)
		}
	})
}

// ids are the ids of a list's items, in order.
func ids(r response) []int64 {
	var out []int64
	for _, it := range r.Body["items"].([]any) {
		out = append(out, int64(it.(map[string]any)["id"].(float64)))
	}
	return out
}
