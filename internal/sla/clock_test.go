package sla

import (
	"testing"
	"time"

	"linedesk/internal/ticket"
)

// The clock's own arithmetic: pause and resume, new targets and
// calendars, stops, on Riga's 09:00–18:00 weekdays.
func TestClock(t *testing.T) {
	office := testCalendar(t, Calendar{Name: "office", TimeZone: "Europe/Riga", Windows: testWeekdays(9*60, 18*60)})
	always := AroundTheClock()
	in := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, office.Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type step struct {
		at, op string
		arg    time.Duration
	}
	cases := []struct {
		name      string
		start     string
		allowed   time.Duration
		steps     []step
		wantDue   string // "" when paused or stopped
		wantWarn  string // 75% of the allowed time
		wantState string
		wantLeft  time.Duration // remaining at check
		check     string
	}{
		{name: "runs one working day", start: "2025-06-16 09:00", allowed: 9 * time.Hour,
			wantDue: "2025-06-16 18:00", wantWarn: "2025-06-16 15:45", wantState: ticket.SLARunning, check: "2025-06-16 10:00", wantLeft: 8 * time.Hour},
		{name: "pause and resume keeps the time left", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "pause", 0}, {"2025-06-18 10:00", "resume", 0}},
			wantDue: "2025-06-18 16:00", wantWarn: "2025-06-18 14:00", wantState: ticket.SLARunning, check: "2025-06-18 10:00", wantLeft: 6 * time.Hour},
		{name: "paused: the time left stands still", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:     []step{{"2025-06-16 11:00", "pause", 0}},
			wantState: ticket.SLAPaused, check: "2025-06-20 17:00", wantLeft: 6 * time.Hour},
		{name: "paused over a weekend", start: "2025-06-20 15:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-20 17:00", "pause", 0}, {"2025-06-23 09:00", "resume", 0}},
			wantDue: "2025-06-23 15:00", wantWarn: "2025-06-23 13:00", wantState: ticket.SLARunning, check: "2025-06-23 09:00", wantLeft: 6 * time.Hour},
		{name: "priority raised mid-way: a shorter target counts the time used", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "retarget", 4 * time.Hour}},
			wantDue: "2025-06-16 13:00", wantWarn: "2025-06-16 12:00", wantState: ticket.SLARunning, check: "2025-06-16 11:00", wantLeft: 2 * time.Hour},
		{name: "priority lowered mid-way: a longer target", start: "2025-06-16 09:00", allowed: 4 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "retarget", 16 * time.Hour}},
			wantDue: "2025-06-17 16:00", wantWarn: "2025-06-17 12:00", wantState: ticket.SLARunning, check: "2025-06-16 11:00", wantLeft: 14 * time.Hour},
		{name: "priority raised past the time used: due and missed at once", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-16 15:00", "retarget", 4 * time.Hour}},
			wantDue: "2025-06-16 15:00", wantWarn: "2025-06-16 15:00", wantState: ticket.SLABreached, check: "2025-06-16 15:00", wantLeft: -2 * time.Hour},
		{name: "paused, then the priority changes, then resumed", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "pause", 0}, {"2025-06-17 12:00", "retarget", 4 * time.Hour}, {"2025-06-17 12:00", "resume", 0}},
			wantDue: "2025-06-17 14:00", wantWarn: "2025-06-17 13:00", wantState: ticket.SLARunning, check: "2025-06-17 12:00", wantLeft: 2 * time.Hour},
		{name: "stopped in time: met", start: "2025-06-16 09:00", allowed: 4 * time.Hour,
			steps:     []step{{"2025-06-16 12:00", "stop", 0}},
			wantState: ticket.SLAMet, check: "2025-06-17 12:00", wantLeft: time.Hour},
		{name: "stopped late: breached", start: "2025-06-16 09:00", allowed: 4 * time.Hour,
			steps:     []step{{"2025-06-16 14:00", "stop", 0}},
			wantState: ticket.SLABreached, check: "2025-06-17 12:00", wantLeft: -time.Hour},
		{name: "reopened: resumes with what was left", start: "2025-06-16 09:00", allowed: 4 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "stop", 0}, {"2025-06-17 09:00", "resume", 0}},
			wantDue: "2025-06-17 11:00", wantWarn: "2025-06-17 10:00", wantState: ticket.SLARunning, check: "2025-06-17 09:00", wantLeft: 2 * time.Hour},
		{name: "the plan changes to a 24/7 calendar mid-way", start: "2025-06-16 09:00", allowed: 8 * time.Hour,
			steps:   []step{{"2025-06-16 11:00", "around-the-clock", 8 * time.Hour}},
			wantDue: "2025-06-16 17:00", wantWarn: "2025-06-16 15:00", wantState: ticket.SLARunning, check: "2025-06-16 11:00", wantLeft: 6 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal := office
			c := startClock(cal, Resolution, 1, tc.allowed, in(tc.start), 75)
			for _, s := range tc.steps {
				switch s.op {
				case "pause":
					c.Pause(cal, in(s.at))
				case "resume":
					c.Resume(cal, in(s.at), 75)
				case "retarget":
					c.Retarget(cal, cal, in(s.at), s.arg, 75)
				case "stop":
					c.Stop(cal, in(s.at))
				case "around-the-clock":
					c.Retarget(office, always, in(s.at), s.arg, 75)
					cal = always
				}
			}
			show := func(p *time.Time) string {
				if p == nil {
					return ""
				}
				return p.In(office.Location()).Format("2006-01-02 15:04")
			}
			if got := show(c.DueAt); c.State == Running && got != tc.wantDue {
				t.Errorf("due %s, want %s", got, tc.wantDue)
			}
			if c.State != Running && c.DueAt != nil && c.State == Paused {
				t.Errorf("a paused clock has a due time %s", show(c.DueAt))
			}
			if got := show(c.WarnAt); got != tc.wantWarn {
				t.Errorf("warning at %s, want %s", got, tc.wantWarn)
			}
			if got := c.Display(cal, in(tc.check)); got != tc.wantState {
				t.Errorf("state %s, want %s", got, tc.wantState)
			}
			if got := c.Remaining(cal, in(tc.check)); got != tc.wantLeft {
				t.Errorf("remaining at %s: %v, want %v", tc.check, got, tc.wantLeft)
			}
		})
	}
}

func testCalendar(t testing.TB, c Calendar) *Calendar {
	t.Helper()
	cal, err := NewCalendar(c)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func testWeekdays(from, to TimeOfDay) []Window {
	var out []Window
	for d := 1; d <= 5; d++ {
		out = append(out, Window{Weekday: d, From: from, To: to})
	}
	return out
}
