package sla_test

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
	"time"

	"linedesk/internal/sla"
)

// randomCase is a random calendar, a start and two targets.
type randomCase struct {
	Cal    sla.Calendar
	Start  time.Time
	Short  time.Duration
	Long   time.Duration
	Descr  string
	Always bool
}

var zones = []string{"Europe/Riga", "Europe/Moscow", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kathmandu"}

// Generate makes calendars with zero to three windows a day (some past
// midnight), holidays and moved working days, around DST changes.
func (randomCase) Generate(r *rand.Rand, _ int) reflect.Value {
	c := sla.Calendar{Name: "random", TimeZone: zones[r.Intn(len(zones))], Overnight: r.Intn(3) == 0}
	for wd := 1; wd <= 7; wd++ {
		at := 0
		for range r.Intn(4) {
			from := at + r.Intn(8)*30
			to := from + 30 + r.Intn(10)*30
			if from >= 24*60 {
				break
			}
			if to > 24*60 {
				to = 24 * 60
				if c.Overnight && wd != 7 && r.Intn(2) == 0 { // a night window, ending before the next day's first
					to = r.Intn(4) * 30
					if to == from%1440 {
						to = 24 * 60
					}
					c.Windows = append(c.Windows, sla.Window{Weekday: wd, From: sla.TimeOfDay(from), To: sla.TimeOfDay(to)})
					break
				}
			}
			c.Windows = append(c.Windows, sla.Window{Weekday: wd, From: sla.TimeOfDay(from), To: sla.TimeOfDay(to)})
			at = to + 30
		}
	}
	if len(c.Windows) == 0 {
		c.Windows = append(c.Windows, sla.Window{Weekday: 1 + r.Intn(7), From: 9 * 60, To: 17 * 60})
	}
	base := time.Date(2024+r.Intn(3), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC)
	for range r.Intn(6) {
		d := sla.Day{Date: base.AddDate(0, 0, r.Intn(40)).Format(time.DateOnly), Kind: sla.DayHoliday}
		if r.Intn(3) == 0 {
			d.Kind, d.AsWeekday = sla.DayWorking, 1+r.Intn(7)
		}
		if !hasDay(c.Days, d.Date) {
			c.Days = append(c.Days, d)
		}
	}
	start := base.Add(time.Duration(r.Int63n(int64(20 * 24 * time.Hour))))
	short := time.Duration(1+r.Int63n(int64(60*time.Hour/time.Second))) * time.Second
	long := short + time.Duration(r.Int63n(int64(60*time.Hour)))
	always := r.Intn(10) == 0
	c.AlwaysOpen = always
	return reflect.ValueOf(randomCase{Cal: c, Start: start, Short: short, Long: long, Always: always,
		Descr: fmt.Sprintf("%s %+v days %v from %s", c.TimeZone, c.Windows, c.Days, start)})
}

func hasDay(days []sla.Day, date string) bool {
	for _, d := range days {
		if d.Date == date {
			return true
		}
	}
	return false
}

// TestDeadlineProperties: a longer target never gives an earlier
// deadline, a deadline is never outside working hours (the moment before
// it is working time), and exactly the target's working time lies between
// the start and the deadline.
func TestDeadlineProperties(t *testing.T) {
	prop := func(rc randomCase) bool {
		cal, err := sla.NewCalendar(rc.Cal)
		if err != nil {
			t.Logf("generated an invalid calendar: %v (%s)", err, rc.Descr)
			return false
		}
		short, long := cal.Add(rc.Start, rc.Short), cal.Add(rc.Start, rc.Long)
		switch {
		case long.Before(short):
			t.Logf("target %v is due %s, the longer %v earlier at %s (%s)", rc.Short, short, rc.Long, long, rc.Descr)
			return false
		case !cal.IsOpen(short.Add(-time.Nanosecond)) || !cal.IsOpen(long.Add(-time.Nanosecond)):
			t.Logf("a deadline outside working hours: %s / %s (%s)", short, long, rc.Descr)
			return false
		case cal.Between(rc.Start, short) != rc.Short || cal.Between(rc.Start, long) != rc.Long:
			t.Logf("working time to the deadline %v / %v, want %v / %v (%s)", cal.Between(rc.Start, short),
				cal.Between(rc.Start, long), rc.Short, rc.Long, rc.Descr)
			return false
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 3000}); err != nil {
		t.Error(err)
	}
}
