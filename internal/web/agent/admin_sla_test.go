package agent_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// planForm is a whole plan form as the browser sends it.
func planForm(name string, calendar int64) url.Values {
	f := url.Values{"name": {name}, "description": {"Office hours"}, "calendar_id": {fmt.Sprint(calendar)},
		"warn_percent": {"80"}, "channels": {"email", "portal"}, "portal_access": {"on"}, "included_hours": {"7,5"},
		"rate": {"45.50"}, "currency": {"eur"}, "targets.urgent.first_response_minutes": {"15"},
		"targets.urgent.resolution_minutes": {"240"}, "targets.normal.first_response_minutes": {"60"},
		"escalation.on": {"first_response", "resolution"}, "escalation.next_line": {"on"}}
	if calendar == 0 {
		f.Del("calendar_id")
	}
	return f
}

func TestAdminPlans(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	cal, err := d.a.SLA.CreateCalendar(admCtx, sla.Calendar{Name: "Rīgas birojs", TimeZone: "Europe/Riga",
		Windows: []sla.Window{{Weekday: 1, From: 9 * 60, To: 17 * 60}}})
	admMust(t, err)

	t.Run("bad input is shown again with the field named, and nothing is stored", func(t *testing.T) {
		bad := planForm("Premium", cal.ID)
		bad.Set("targets.urgent.first_response_minutes", "-15")
		body := c.refused("/admin/plans", bad, http.StatusUnprocessableEntity, "Urgent: first response:", "positive number")
		admContains(t, body, `value="-15"`, `value="Office hours"`)
		missing := planForm("Premium", 9999)
		c.refused("/admin/plans", missing, http.StatusUnprocessableEntity, "Calendar:", "calendar 9999 does not exist")
		noChannel := planForm("Premium", cal.ID)
		noChannel.Del("channels")
		c.refused("/admin/plans", noChannel, http.StatusUnprocessableEntity, "Channels:")
		if n := d.count(`SELECT count(*) FROM plans`); n != 0 {
			t.Fatalf("refused plans stored: %d", n)
		}
	})
	t.Run("a plan with its terms: create, read back, edit", func(t *testing.T) {
		loc := c.submit("/admin/plans", planForm("Premium", cal.ID))
		body := c.page(loc)
		admContains(t, body, "Created.", `value="Premium"`, `value="45.50"`, `value="EUR"`, `value="7.5"`, `value="240"`,
			`name="escalation.next_line" checked`)
		var id int64
		admMust(t, d.a.DB.R.QueryRow(`SELECT id FROM plans WHERE name = 'Premium'`).Scan(&id))
		p, err := d.a.SLA.FindPlan(admCtx, id)
		admMust(t, err)
		if p.HourlyRateCents != 4550 || p.IncludedHours != 7.5 || p.WarnPercent != 80 || p.PortalAccess != true ||
			len(p.Channels) != 2 || p.Targets[ticket.PriorityUrgent].Minutes(sla.Resolution) != 240 || !p.Escalation.NextLine {
			t.Fatalf("stored %+v", p.Terms)
		}
		list := c.page("/admin/plans")
		admContains(t, list, "Premium", "Rīgas birojs", "15 min", "4 h")
		edit := planForm("Premium", cal.ID)
		edit.Set("is_default", "on")
		edit.Del("portal_access")
		edit.Set("targets.urgent.first_response_minutes", "")
		c.submit(fmt.Sprintf("/admin/plans/%d", id), edit)
		p, _ = d.a.SLA.FindPlan(admCtx, id)
		if !p.IsDefault || p.PortalAccess || p.Targets[ticket.PriorityUrgent].FirstResponse != nil {
			t.Errorf("after the edit %+v", p.Terms)
		}
		admContains(t, c.page("/admin/plans"), "default")
		// A bad edit changes nothing.
		bad := planForm("Premium", cal.ID)
		bad.Set("warn_percent", "150")
		c.refused(fmt.Sprintf("/admin/plans/%d", id), bad, http.StatusUnprocessableEntity, "Warn at (%):")
		if q, _ := d.a.SLA.FindPlan(admCtx, id); q.WarnPercent != 80 || !q.IsDefault {
			t.Errorf("a refused edit changed the plan: %+v", q.Terms)
		}
	})
}

func TestAdminCalendars(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	form := url.Values{"name": {"Rīgas birojs"}, "time_zone": {"Europe/Riga"}, "hours.1": {"09:00–13:00, 14:00-18:00"},
		"hours.5": {"09:00–16:00"}}

	t.Run("bad input names the day or field and stores nothing", func(t *testing.T) {
		night := url.Values{"name": {"Night"}, "time_zone": {"Europe/Riga"}, "hours.3": {"18:00–09:00"}}
		c.refused("/admin/calendars", night, http.StatusUnprocessableEntity, "Wednesday:", "night calendar", `value="18:00–09:00"`)
		zone := url.Values{"name": {"Mars"}, "time_zone": {"Mars/Olympus"}, "hours.1": {"09:00–17:00"}}
		c.refused("/admin/calendars", zone, http.StatusUnprocessableEntity, "Time zone:", "Mars/Olympus")
		garbled := url.Values{"name": {"Odd"}, "time_zone": {"UTC"}, "hours.2": {"nine to five"}}
		c.refused("/admin/calendars", garbled, http.StatusUnprocessableEntity, "Tuesday:")
		if n := d.count(`SELECT count(*) FROM sla_calendars`); n != 0 {
			t.Fatalf("refused calendars stored: %d", n)
		}
	})
	t.Run("hours, days and seeded holidays", func(t *testing.T) {
		loc := c.submit("/admin/calendars", form)
		body := c.page(loc)
		admContains(t, body, "Created.", `value="09:00–13:00, 14:00–18:00"`, `value="09:00–16:00"`)
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/calendars/"), "?ok=created")
		base := "/admin/calendars/" + id
		c.submit(base+"/days", url.Values{"date": {"2026-11-07"}, "kind": {"working"}, "day_name": {"Darba sestdiena"}, "as_weekday": {"5"}})
		c.submit(base+"/holidays", url.Values{"country": {"lv"}, "year": {"2026"}})
		body = c.page(base)
		admContains(t, body, "2026-11-18", "Latvijas Republikas proklamēšanas diena", "Darba sestdiena", "like Friday")
		c.refused(base+"/days", url.Values{"date": {"2026-02-30"}, "kind": {"holiday"}}, http.StatusUnprocessableEntity, "Date:")
		c.refused(base+"/holidays", url.Values{"country": {"xx"}, "year": {"2026"}}, http.StatusUnprocessableEntity, "Country:")
		c.submit(base+"/days/2026-11-07/delete", nil)
		cal, err := d.a.SLA.FindCalendar(admCtx, mustID(t, id))
		admMust(t, err)
		for _, day := range cal.Days {
			if day.Date == "2026-11-07" {
				t.Error("the deleted day is still there")
			}
		}
		bad := url.Values{"name": {"Rīgas birojs"}, "time_zone": {"Europe/Riga"}, "hours.1": {"18:00–09:00"}}
		c.refused(base, bad, http.StatusUnprocessableEntity, "Monday:")
		if cal, _ = d.a.SLA.FindCalendar(admCtx, cal.ID); len(cal.Windows) != 3 {
			t.Errorf("a refused edit changed the hours: %v", cal.Windows)
		}
		night := url.Values{"name": {"Rīgas birojs"}, "time_zone": {"Europe/Riga"}, "overnight": {"on"}, "hours.5": {"22:00–06:00"}}
		c.submit(base, night)
		if cal, _ = d.a.SLA.FindCalendar(admCtx, cal.ID); !cal.Overnight || len(cal.Windows) != 1 {
			t.Errorf("the night calendar: %+v", cal)
		}
		admContains(t, c.page("/admin/calendars"), "Rīgas birojs", "Europe/Riga", "Fri 22:00–06:00")
	})
}

func TestAdminLines(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	desk, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Service desk"})
	admMust(t, err)
	net1, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Network"})
	admMust(t, err)
	net2, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Data centre"})
	admMust(t, err)
	c.submit("/admin/lines", url.Values{"line." + fmt.Sprint(desk.ID): {"1"}, "line." + fmt.Sprint(net1.ID): {"2"},
		"line." + fmt.Sprint(net2.ID): {"2"}, "first.2": {fmt.Sprint(net2.ID)}})
	lines, err := d.a.SLA.Lines(admCtx)
	admMust(t, err)
	if len(lines[0].GroupIDs) != 1 || len(lines[1].GroupIDs) != 2 || lines[1].GroupIDs[0] != net2.ID {
		t.Fatalf("lines %+v", lines)
	}
	c.refused("/admin/lines", url.Values{"line." + fmt.Sprint(desk.ID): {"7"}}, http.StatusUnprocessableEntity, "Line:")
	if lines, _ = d.a.SLA.Lines(admCtx); len(lines[1].GroupIDs) != 2 {
		t.Errorf("a refused change changed the lines: %+v", lines)
	}
	admContains(t, c.page("/admin/lines"), "Service desk", "Data centre")
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}
