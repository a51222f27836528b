package sla_test

import (
	"context"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Bad input gets an error naming the field, and nothing changes.
func TestBadInputChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		rows := func(table string) int {
			var n int
			must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n))
			return n
		}
		calendars, windows, plans := rows("sla_calendars"), rows("sla_calendar_windows"), rows("plans")

		calendarCases := []struct {
			name  string
			cal   sla.Calendar
			field string
		}{
			{"a window past midnight on a day calendar", sla.Calendar{Name: "Night", TimeZone: "Europe/Riga",
				Windows: []sla.Window{{Weekday: 1, From: tod("18:00"), To: tod("09:00")}}}, "windows[0].to"},
			{"an unknown zone", sla.Calendar{Name: "Mars", TimeZone: "Mars/Olympus_Mons", Windows: weekdays("09:00", "17:00")}, "time_zone"},
			{"the server's own zone", sla.Calendar{Name: "Here", TimeZone: "Local", Windows: weekdays("09:00", "17:00")}, "time_zone"},
			{"no hours at all", sla.Calendar{Name: "Empty", TimeZone: "UTC"}, "windows"},
			{"overlapping windows", sla.Calendar{Name: "Twice", TimeZone: "UTC", Windows: []sla.Window{
				{Weekday: 1, From: tod("09:00"), To: tod("13:00")}, {Weekday: 1, From: tod("12:00"), To: tod("18:00")}}}, "windows[1]"},
			{"a weekday 8", sla.Calendar{Name: "Eight", TimeZone: "UTC", Windows: []sla.Window{{Weekday: 8, From: 0, To: 60}}}, "windows[0].weekday"},
			{"a bad date", sla.Calendar{Name: "Dates", TimeZone: "UTC", Windows: weekdays("09:00", "17:00"),
				Days: []sla.Day{{Date: "2025-02-30", Kind: sla.DayHoliday}}}, "days[0].date"},
			{"no name", sla.Calendar{TimeZone: "UTC", Windows: weekdays("09:00", "17:00")}, "name"},
		}
		for _, tc := range calendarCases {
			_, err := f.svc.CreateCalendar(ctx, tc.cal)
			wantField(t, err, tc.field)
		}
		_, err := f.svc.UpdateCalendar(ctx, f.office.ID, sla.CalendarUpdate{TimeZone: ptr("Europe/Atlantis")})
		wantField(t, err, "time_zone")
		_, err = f.svc.UpdateCalendar(ctx, f.office.ID, sla.CalendarUpdate{Windows: &[]sla.Window{{Weekday: 1, From: tod("18:00"), To: tod("09:00")}}})
		wantField(t, err, "windows[0].to")
		_, err = f.svc.SetDay(ctx, f.office.ID, sla.Day{Date: "2025-13-01", Kind: sla.DayHoliday})
		wantField(t, err, "day.date")
		_, err = f.svc.SeedHolidays(ctx, f.office.ID, "de", 2025)
		wantField(t, err, "country")
		if got := rows("sla_calendars"); got != calendars {
			t.Errorf("calendars: %d, want %d", got, calendars)
		}
		if got := rows("sla_calendar_windows"); got != windows {
			t.Errorf("calendar windows: %d, want %d", got, windows)
		}
		if got := rows("sla_calendar_days"); got != 0 {
			t.Errorf("calendar days: %d, want none", got)
		}
		if cal, _ := f.svc.FindCalendar(ctx, f.office.ID); cal.TimeZone != "Europe/Riga" || len(cal.Windows) != 5 {
			t.Errorf("the office calendar changed: %s %v", cal.TimeZone, cal.Windows)
		}

		planCases := []struct {
			name  string
			set   func(in *sla.PlanInput)
			field string
		}{
			{"a negative target", func(in *sla.PlanInput) {
				in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityUrgent: {FirstResponse: ptr(-15)}}
			}, "targets.urgent.first_response_minutes"},
			{"a zero target", func(in *sla.PlanInput) {
				in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityLow: {Resolution: ptr(0)}}
			}, "targets.low.resolution_minutes"},
			{"a missing calendar", func(in *sla.PlanInput) { in.CalendarID = ptr(int64(9999)) }, "calendar_id"},
			{"an unknown priority", func(in *sla.PlanInput) {
				in.Targets = map[ticket.Priority]sla.Targets{"critical": {Resolution: ptr(60)}}
			}, "targets"},
			{"an unknown channel", func(in *sla.PlanInput) { in.Channels = []ticket.Channel{"fax"} }, "channels"},
			{"no channel", func(in *sla.PlanInput) { in.Channels = nil }, "channels"},
			{"a warning share of 100 %", func(in *sla.PlanInput) { in.WarnPercent = 100 }, "warn_percent"},
			{"a rate without currency", func(in *sla.PlanInput) { in.HourlyRateCents = 4500 }, "currency"},
			{"a made-up currency", func(in *sla.PlanInput) { in.HourlyRateCents, in.Currency = 4500, "EURO" }, "currency"},
			{"negative included hours", func(in *sla.PlanInput) { in.IncludedHours = -1 }, "included_hours"},
			{"a missing escalation group", func(in *sla.PlanInput) { in.Escalation.GroupID = ptr(int64(9999)) }, "escalation.group_id"},
			{"an agent who is no supervisor", func(in *sla.PlanInput) { in.Escalation.NotifyAgentID = &f.anna.AgentID }, "escalation.notify_agent_id"},
			{"an unknown target to escalate on", func(in *sla.PlanInput) { in.Escalation.On = []sla.Target{"lunch"} }, "escalation.on"},
			{"no name", func(in *sla.PlanInput) { in.Name = " " }, "name"},
		}
		for _, tc := range planCases {
			in := sla.NewPlanInput()
			in.Name = "Gold"
			tc.set(&in)
			_, err := f.svc.CreatePlan(ctx, in)
			wantField(t, err, tc.field)
			up := sla.PlanInput{Name: f.plan.Name, Description: "changed", Terms: f.plan.Terms}
			up.Targets = map[ticket.Priority]sla.Targets{}
			for k, v := range f.plan.Targets {
				up.Targets[k] = v
			}
			tc.set(&up)
			_, err = f.svc.UpdatePlan(ctx, f.plan.ID, up)
			wantField(t, err, tc.field)
		}
		if got := rows("plans"); got != plans {
			t.Errorf("plans: %d, want %d", got, plans)
		}
		got, err := f.svc.FindPlan(ctx, f.plan.ID)
		must(t, err)
		if got.Description != "" || got.Terms.Targets[ticket.PriorityUrgent].Minutes(sla.FirstResponse) != 15 ||
			got.CalendarID == nil || *got.CalendarID != f.office.ID || got.WarnPercent != 75 {
			t.Errorf("the plan changed: %+v", got)
		}
	})
}

// Plans keep their terms: channels, portal access, hours, rates,
// escalation; one is the default.
func TestPlanTerms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		in := sla.NewPlanInput()
		in.Name, in.Description = "Basic", "Office hours, e-mail only"
		in.Channels = []ticket.Channel{ticket.ChannelPortal, ticket.ChannelEmail, ticket.ChannelEmail}
		in.PortalAccess, in.PauseOnHold, in.WarnPercent, in.IncludedHours = false, true, 80, 7.5
		in.HourlyRateCents, in.Currency, in.IsDefault = 4550, "eur", true
		in.CalendarID = &f.office.ID
		in.Escalation = sla.Escalation{On: []sla.Target{sla.Resolution, sla.FirstResponse}, GroupID: &f.line2.ID}
		p, err := f.svc.CreatePlan(ctx, in)
		must(t, err)
		got, err := f.svc.FindPlan(ctx, p.ID)
		must(t, err)
		if len(got.Channels) != 2 || got.Channels[0] != ticket.ChannelEmail || !got.AllowsChannel(ticket.ChannelPortal) ||
			got.AllowsChannel(ticket.ChannelPhone) {
			t.Errorf("channels %v", got.Channels)
		}
		if got.PortalAccess || !got.PauseOnHold || got.WarnPercent != 80 || got.IncludedHours != 7.5 ||
			got.HourlyRateCents != 4550 || got.Currency != "EUR" || !got.IsDefault || got.Description != in.Description {
			t.Errorf("terms %+v", got.Terms)
		}
		if e := got.Escalation; len(e.On) != 2 || e.On[0] != sla.FirstResponse || e.GroupID == nil || *e.GroupID != f.line2.ID || e.NextLine {
			t.Errorf("escalation %+v", e)
		}
		def, ok, err := f.svc.DefaultPlan(ctx)
		if err != nil || !ok || def.ID != p.ID {
			t.Fatalf("default plan %v %v %v", def.Name, ok, err)
		}
		in2 := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
		in2.IsDefault = true
		_, err = f.svc.UpdatePlan(ctx, f.plan.ID, in2)
		must(t, err)
		if def, _, _ = f.svc.DefaultPlan(ctx); def.ID != f.plan.ID {
			t.Errorf("the default did not move: %s", def.Name)
		}
		if old, _ := f.svc.FindPlan(ctx, p.ID); old.IsDefault {
			t.Error("two default plans")
		}
		// A plan made through the directory alone has the default terms.
		bare, err := f.dir.CreatePlan(ctx, directory.PlanInput{Name: "Legacy"})
		must(t, err)
		legacy, err := f.svc.FindPlan(ctx, bare.ID)
		must(t, err)
		if !legacy.PortalAccess || len(legacy.Channels) != len(ticket.Channels) || legacy.WarnPercent != 75 {
			t.Errorf("legacy terms %+v", legacy.Terms)
		}
		// Deleting a calendar a plan uses is refused; the plan is kept.
		if err := f.svc.DeleteCalendar(ctx, f.office.ID); err == nil {
			t.Error("deleted a calendar plans use")
		}
		must(t, f.svc.DeletePlan(ctx, p.ID))
		if _, err := f.svc.FindPlan(ctx, p.ID); err == nil {
			t.Error("a deleted plan is still found")
		}
	})
}
