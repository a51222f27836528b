package sla_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Support lines: groups per line, escalation up and back down with a
// reason, and the time spent at each line.
func TestSupportLines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		lines, err := f.svc.Lines(ctx)
		must(t, err)
		if len(lines) != 4 || len(lines[0].GroupIDs) != 1 || lines[1].GroupIDs[0] != f.line2.ID || len(lines[2].GroupIDs) != 0 {
			t.Fatalf("lines %+v", lines)
		}
		// A group works at one line: naming it for line 3 takes it from line 2.
		_, err = f.svc.SetLineGroups(ctx, 3, []int64{f.line2.ID})
		must(t, err)
		if lines, _ = f.svc.Lines(ctx); len(lines[1].GroupIDs) != 0 || len(lines[2].GroupIDs) != 1 {
			t.Errorf("after moving the group: %+v", lines)
		}
		_, err = f.svc.SetLineGroups(ctx, 2, []int64{f.line2.ID})
		must(t, err)
		_, err = f.svc.SetLineGroups(ctx, 5, nil)
		wantField(t, err, "line")
		_, err = f.svc.SetLineGroups(ctx, 2, []int64{f.line2.ID, 9999})
		wantField(t, err, "group_ids[1]")
		if lines, _ = f.svc.Lines(ctx); len(lines[1].GroupIDs) != 1 {
			t.Errorf("a refused change changed line 2: %+v", lines[1])
		}
		if g, err := f.svc.LineGroup(ctx, 2, &f.line1.ID); err != nil || g == nil || *g != f.line2.ID {
			t.Errorf("the group of line 2: %v %v", g, err)
		}
		if g, _ := f.svc.LineGroup(ctx, 2, &f.line2.ID); g != nil {
			t.Errorf("a ticket already in line 2's group moves to %d", *g)
		}

		f.clock.Set(local(16, 9, 0))
		tk := f.open(t, ticket.PriorityNormal)
		f.clock.Set(local(16, 10, 0))
		_, err = f.tickets.Escalate(ctx, f.anna, tk.ID, ticket.Escalation{Line: 2, GroupID: &f.line2.ID, Reason: "needs the firewall"})
		must(t, err)
		f.clock.Set(local(16, 16, 0))
		// Back down, to confirm with the customer: a reason is required.
		_, err = f.tickets.Escalate(ctx, f.ivan, tk.ID, ticket.Escalation{Line: 1, GroupID: &f.line1.ID})
		wantField(t, err, "reason")
		down, err := f.tickets.Escalate(ctx, f.ivan, tk.ID, ticket.Escalation{Line: 1, GroupID: &f.line1.ID,
			Reason: "fixed on our side; please confirm with the customer"})
		must(t, err)
		if down.Line != 1 || !contains(down.FollowerIDs, f.anna.AgentID) || !contains(down.FollowerIDs, f.ivan.AgentID) {
			t.Fatalf("back at line 1: line %d followers %v", down.Line, down.FollowerIDs)
		}
		f.clock.Set(local(17, 10, 0))
		f.update(t, tk.ID, ticket.Update{Status: ptr(ticket.StatusSolved)})

		lt, err := f.svc.LineTimes(ctx, auth.System(), tk.ID)
		must(t, err)
		if len(lt.Stays) != 3 {
			t.Fatalf("stays %+v", lt.Stays)
		}
		want := []struct {
			line          int
			working, wall time.Duration
		}{{1, time.Hour, time.Hour}, {2, 6 * time.Hour, 6 * time.Hour}, {1, 2 * time.Hour, 18 * time.Hour}}
		for i, w := range want {
			st := lt.Stays[i]
			if st.Line != w.line || st.Working != w.working || st.Wall != w.wall || st.EndedAt == nil {
				t.Errorf("stay %d: line %d working %v wall %v ended %v, want line %d %v / %v", i, st.Line, st.Working, st.Wall,
					st.EndedAt, w.line, w.working, w.wall)
			}
		}
		if len(lt.Totals) != 2 || lt.Totals[0].Working != 3*time.Hour || lt.Totals[0].Wall != 19*time.Hour ||
			lt.Totals[1].Working != 6*time.Hour || lt.Totals[0].Current {
			t.Errorf("totals %+v", lt.Totals)
		}

		// Reopened: a new stay counts up to now.
		f.clock.Set(local(18, 9, 0))
		f.customerReply(t, tk.ID)
		f.clock.Set(local(18, 9, 30))
		lt, err = f.svc.LineTimes(ctx, auth.System(), tk.ID)
		must(t, err)
		if last := lt.Stays[len(lt.Stays)-1]; len(lt.Stays) != 4 || last.EndedAt != nil || last.Working != 30*time.Minute || !lt.Totals[0].Current {
			t.Errorf("after reopening: %+v %+v", lt.Stays, lt.Totals)
		}
		// Another agent's ticket is not theirs to see.
		if _, err := f.svc.LineTimes(ctx, auth.Principal{AgentID: 999, Role: auth.RoleAgent, GroupIDs: []int64{12345}}, tk.ID); err == nil {
			t.Error("an agent outside the ticket's groups saw its line times")
		}
	})
}

func TestSeedHolidays(t *testing.T) {
	for _, tc := range []struct {
		country string
		year    int
		want    []string
	}{
		{"lv", 2025, []string{"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-05", "2025-06-23", "2025-06-24",
			"2025-11-18", "2025-12-24", "2025-12-25", "2025-12-26", "2025-12-31"}},
		{"ru", 2025, []string{"2025-01-01", "2025-01-02", "2025-01-06", "2025-01-07", "2025-01-08", "2025-02-24", "2025-03-10",
			"2025-05-01", "2025-05-09", "2025-06-12", "2025-11-04"}},
	} {
		days, err := sla.PublicHolidays(tc.country, tc.year)
		must(t, err)
		have := map[string]bool{}
		for _, d := range days {
			have[d.Date] = d.Kind == sla.DayHoliday
		}
		for _, w := range tc.want {
			if !have[w] {
				t.Errorf("%s %d: %s is not a holiday (%v)", tc.country, tc.year, w, days)
			}
		}
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		// A Saturday worked by decree stays as it was entered.
		_, err := f.svc.SetDay(ctx, f.office.ID, sla.Day{Date: "2025-11-01", Kind: sla.DayWorking, AsWeekday: 1, Name: "Worked Saturday"})
		must(t, err)
		_, err = f.svc.SetDay(ctx, f.office.ID, sla.Day{Date: "2025-11-04", Kind: sla.DayWorking, AsWeekday: 2})
		must(t, err)
		n, err := f.svc.SeedHolidays(ctx, f.office.ID, "ru", 2025)
		must(t, err)
		again, err := f.svc.SeedHolidays(ctx, f.office.ID, "ru", 2025)
		must(t, err)
		if n < 10 || again != 0 {
			t.Errorf("seeded %d, then %d more", n, again)
		}
		cal, err := f.svc.FindCalendar(ctx, f.office.ID)
		must(t, err)
		kinds := map[string]string{}
		for _, day := range cal.Days {
			kinds[day.Date] = day.Kind
		}
		if kinds["2025-11-04"] != sla.DayWorking || kinds["2025-11-01"] != sla.DayWorking || kinds["2025-05-09"] != sla.DayHoliday {
			t.Errorf("days after seeding: %v", kinds)
		}
		if !cal.IsOpen(time.Date(2025, 11, 1, 10, 0, 0, 0, cal.Location())) || cal.IsOpen(time.Date(2025, 5, 9, 10, 0, 0, 0, cal.Location())) {
			t.Error("the seeded calendar does not work as its days say")
		}
		must(t, f.svc.DeleteDay(ctx, f.office.ID, "2025-05-09"))
		if err := f.svc.DeleteDay(ctx, f.office.ID, "2025-05-09"); err == nil {
			t.Error("deleted a day twice")
		}
	})
}
