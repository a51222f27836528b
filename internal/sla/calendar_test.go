package sla_test

import (
	"testing"
	"time"

	"linedesk/internal/sla"
)

// weekdays makes windows from..to on Monday to Friday.
func weekdays(from, to string) []sla.Window {
	var out []sla.Window
	for d := 1; d <= 5; d++ {
		out = append(out, sla.Window{Weekday: d, From: tod(from), To: tod(to)})
	}
	return out
}

// everyDay makes windows from..to on all seven days.
func everyDay(from, to string) []sla.Window {
	var out []sla.Window
	for d := 1; d <= 7; d++ {
		out = append(out, sla.Window{Weekday: d, From: tod(from), To: tod(to)})
	}
	return out
}

func tod(s string) sla.TimeOfDay {
	t, err := sla.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustCalendar(t testing.TB, c sla.Calendar) *sla.Calendar {
	t.Helper()
	if c.Name == "" {
		c.Name = "test"
	}
	cal, err := sla.NewCalendar(c)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// at reads a local time of the calendar's zone: "2025-03-28 16:00".
func at(t testing.TB, cal *sla.Calendar, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, cal.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func riga(windows []sla.Window, days ...sla.Day) sla.Calendar {
	return sla.Calendar{TimeZone: "Europe/Riga", Windows: windows, Days: days}
}

func moscow(windows []sla.Window, days ...sla.Day) sla.Calendar {
	return sla.Calendar{TimeZone: "Europe/Moscow", Windows: windows, Days: days}
}

func TestCalendarAdd(t *testing.T) {
	night := riga(everyDay("22:00", "06:00"))
	night.Overnight = true
	alwaysRiga := sla.Calendar{TimeZone: "Europe/Riga", AlwaysOpen: true}
	// Moscow, November 2025: Saturday the 1st was worked in place of
	// Monday the 3rd, and the 4th is Unity Day.
	moscowNovember := moscow(weekdays("09:00", "18:00"),
		sla.Day{Date: "2025-11-01", Kind: sla.DayWorking, AsWeekday: 1, Name: "Рабочая суббота"},
		sla.Day{Date: "2025-11-03", Kind: sla.DayHoliday, Name: "Перенесённый выходной"},
		sla.Day{Date: "2025-11-04", Kind: sla.DayHoliday, Name: "День народного единства"})
	cases := []struct {
		name     string
		cal      sla.Calendar
		from     string
		target   time.Duration
		want     string // local wall time in the calendar's zone
		wantZone string // the zone abbreviation the wall time is in
	}{
		{"4 h from Friday 16:00 on 09–17 lands Monday 12:00 (Riga)", riga(weekdays("09:00", "17:00")), "2025-06-13 16:00", 4 * time.Hour, "2025-06-16 12:00", "EEST"},
		{"4 h from Friday 16:00 on 09–18 lands Monday 11:00 (Riga)", riga(weekdays("09:00", "18:00")), "2025-06-13 16:00", 4 * time.Hour, "2025-06-16 11:00", "EEST"},
		{"4 h from Friday 16:00 on 09–17 lands Monday 12:00 (Moscow)", moscow(weekdays("09:00", "17:00")), "2025-06-13 16:00", 4 * time.Hour, "2025-06-16 12:00", "MSK"},
		{"set outside hours: counts from the next opening", riga(weekdays("09:00", "18:00")), "2025-06-14 11:00", 2 * time.Hour, "2025-06-16 11:00", "EEST"},
		{"runs out exactly at the end of the day", riga(weekdays("09:00", "18:00")), "2025-06-16 14:00", 4 * time.Hour, "2025-06-16 18:00", "EEST"},
		{"two working days over the spring-forward weekend keep the wall time", riga(weekdays("09:00", "18:00")), "2025-03-28 10:00", 18 * time.Hour, "2025-04-01 10:00", "EEST"},
		{"two working days over the fall-back weekend keep the wall time", riga(weekdays("09:00", "18:00")), "2025-10-24 10:00", 18 * time.Hour, "2025-10-28 10:00", "EET"},
		{"the spring-forward night shift is an hour shorter", night, "2025-03-29 22:00", 8 * time.Hour, "2025-03-30 23:00", "EEST"},
		{"the fall-back night shift is an hour longer", night, "2025-10-25 22:00", 9 * time.Hour, "2025-10-26 06:00", "EET"},
		{"a night window past midnight on an ordinary night", night, "2025-06-13 23:30", 3 * time.Hour, "2025-06-14 02:30", "EEST"},
		{"set in the morning after a night shift: waits for the evening", night, "2025-06-14 07:00", 1 * time.Hour, "2025-06-14 23:00", "EEST"},
		{"a whole-day window on the spring-forward Sunday has 23 hours", riga(everyDay("00:00", "24:00")), "2025-03-29 12:00", 24 * time.Hour, "2025-03-30 13:00", "EEST"},
		{"24/7 across the spring-forward night is plain elapsed time", alwaysRiga, "2025-03-29 12:00", 24 * time.Hour, "2025-03-30 13:00", "EEST"},
		{"24/7 over a weekend", alwaysRiga, "2025-06-13 16:00", 4 * time.Hour, "2025-06-13 20:00", "EEST"},
		{"a holiday is skipped (Riga, 18 November)", riga(weekdays("09:00", "17:00"), sla.Day{Date: "2025-11-18", Kind: sla.DayHoliday}), "2025-11-17 16:00", 4 * time.Hour, "2025-11-19 12:00", "EET"},
		{"a moved working Saturday is worked (Moscow)", moscowNovember, "2025-10-31 16:00", 4 * time.Hour, "2025-11-01 11:00", "MSK"},
		{"past the moved Saturday, the moved day off and the holiday (Moscow)", moscowNovember, "2025-10-31 16:00", 12 * time.Hour, "2025-11-05 10:00", "MSK"},
		{"two windows a day: the lunch break does not count", riga(append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...)), "2025-06-16 12:00", 3 * time.Hour, "2025-06-16 16:00", "EEST"},
		{"two windows a day: set during the lunch break", riga(append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...)), "2025-06-16 13:30", 1 * time.Hour, "2025-06-16 15:00", "EEST"},
		{"two windows a day: over the evening into the next morning", riga(append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...)), "2025-06-16 17:00", 3 * time.Hour, "2025-06-17 11:00", "EEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cal := mustCalendar(t, tc.cal)
			got := cal.Add(at(t, cal, tc.from), tc.target).In(cal.Location())
			if got.Format("2006-01-02 15:04") != tc.want {
				t.Errorf("due %s, want %s", got.Format("2006-01-02 15:04 MST"), tc.want)
			}
			if zone, _ := got.Zone(); zone != tc.wantZone {
				t.Errorf("due in zone %s, want %s", zone, tc.wantZone)
			}
			if back := cal.Between(at(t, cal, tc.from), got); back != tc.target {
				t.Errorf("working time from start to due: %v, want %v", back, tc.target)
			}
		})
	}
}

func TestCalendarBetweenAndIsOpen(t *testing.T) {
	cal := mustCalendar(t, riga(append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...),
		sla.Day{Date: "2025-06-23", Kind: sla.DayHoliday, Name: "Līgo diena"}))
	between := []struct {
		from, to string
		want     time.Duration
	}{
		{"2025-06-16 08:00", "2025-06-16 20:00", 8 * time.Hour},
		{"2025-06-16 12:30", "2025-06-16 14:30", time.Hour},
		{"2025-06-20 17:00", "2025-06-24 10:00", 2 * time.Hour}, // Friday evening, weekend, the holiday, Tuesday morning
		{"2025-06-16 10:00", "2025-06-16 10:00", 0},
		{"2025-06-16 11:00", "2025-06-16 10:00", 0},
	}
	for _, b := range between {
		if got := cal.Between(at(t, cal, b.from), at(t, cal, b.to)); got != b.want {
			t.Errorf("Between(%s, %s) = %v, want %v", b.from, b.to, got, b.want)
		}
	}
	open := map[string]bool{"2025-06-16 09:00": true, "2025-06-16 12:59": true, "2025-06-16 13:00": false,
		"2025-06-16 13:59": false, "2025-06-16 14:00": true, "2025-06-16 18:00": false, "2025-06-21 10:00": false,
		"2025-06-23 10:00": false, "2025-06-24 10:00": true}
	for s, want := range open {
		if got := cal.IsOpen(at(t, cal, s)); got != want {
			t.Errorf("IsOpen(%s) = %v, want %v", s, got, want)
		}
	}
	if got := cal.NextOpen(at(t, cal, "2025-06-20 18:30")); !got.Equal(at(t, cal, "2025-06-24 09:00")) {
		t.Errorf("NextOpen after Friday evening before a holiday Monday: %s", got.In(cal.Location()))
	}
	ivs := cal.Intervals(at(t, cal, "2025-06-16 12:00"), at(t, cal, "2025-06-16 15:00"))
	if len(ivs) != 2 || !ivs[0].Start.Equal(at(t, cal, "2025-06-16 12:00")) || !ivs[1].End.Equal(at(t, cal, "2025-06-16 15:00")) {
		t.Errorf("Intervals: %v", ivs)
	}
}

func TestCalendarNightShiftIsOpenAfterMidnight(t *testing.T) {
	c := riga([]sla.Window{{Weekday: 5, From: tod("22:00"), To: tod("06:00")}}) // Friday night only
	c.Overnight = true
	cal := mustCalendar(t, c)
	// Saturday is a holiday: the Friday night shift still runs into it.
	c.Days = []sla.Day{{Date: "2025-06-14", Kind: sla.DayHoliday}}
	withHoliday := mustCalendar(t, c)
	for _, cl := range []*sla.Calendar{cal, withHoliday} {
		for s, want := range map[string]bool{"2025-06-13 21:59": false, "2025-06-13 22:00": true, "2025-06-14 03:00": true,
			"2025-06-14 05:59": true, "2025-06-14 06:00": false, "2025-06-14 23:00": false} {
			if got := cl.IsOpen(at(t, cl, s)); got != want {
				t.Errorf("IsOpen(%s) = %v, want %v", s, got, want)
			}
		}
	}
}

func TestCalendarNilIsAroundTheClock(t *testing.T) {
	var cal *sla.Calendar
	now := time.Date(2025, 6, 14, 3, 0, 0, 0, time.UTC)
	if !cal.IsOpen(now) || !cal.Add(now, time.Hour).Equal(now.Add(time.Hour)) || cal.Between(now, now.Add(time.Hour)) != time.Hour {
		t.Error("a nil calendar is open around the clock")
	}
}
