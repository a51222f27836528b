package sla

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // calendars name IANA zones; hosts without a zone database still know them

	"linedesk/internal/apperr"
)

// TimeOfDay is a wall-clock time as minutes after local midnight, written
// "HH:MM"; 24:00 is the end of the day.
type TimeOfDay int

// ParseTimeOfDay reads "HH:MM" (00:00 to 24:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM, 00:00 to 24:00)", s)
	}
	return TimeOfDay(hh*60 + mm), nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalText writes "HH:MM".
func (t TimeOfDay) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads "HH:MM".
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Window is a stretch of working hours on one day of the week. A window
// whose end is not after its start runs past midnight into the next day
// (22:00–06:00); only a night calendar may have one. To 00:00 means the
// end of the day.
type Window struct {
	Weekday int       `json:"weekday"` // 1 Monday … 7 Sunday (ISO 8601)
	From    TimeOfDay `json:"from"`
	To      TimeOfDay `json:"to"`
}

// Kinds of Day.
const (
	DayHoliday = "holiday" // no working hours
	DayWorking = "working" // a moved working day: the hours of AsWeekday
)

// Day is a date that differs from the week: a holiday, or a working day
// moved onto a day off (a Saturday worked instead of a bridge Monday).
type Day struct {
	Date      string `json:"date"` // YYYY-MM-DD in the calendar's zone
	Kind      string `json:"kind"` // holiday or working
	Name      string `json:"name"`
	AsWeekday int    `json:"as_weekday"` // a working day keeps this weekday's hours (1–7); Monday when 0
}

// Calendar is working hours in one time zone: weekly windows, holidays
// and moved working days, or around the clock. Its methods (IsOpen, Add,
// Between, NextOpen, Intervals) compute in the calendar's zone from the
// local dates, so days that are 23 or 25 hours long across DST changes
// count exactly what the clock on the wall says. A nil *Calendar is open
// around the clock.
type Calendar struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	TimeZone   string    `json:"time_zone"`   // an IANA zone, e.g. Europe/Riga
	AlwaysOpen bool      `json:"always_open"` // 24/7: windows and days are ignored
	Overnight  bool      `json:"overnight"`   // a night calendar: windows may run past midnight
	Windows    []Window  `json:"windows"`
	Days       []Day     `json:"days"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	loc     *time.Location
	week    [7][]span      // by time.Weekday, ordered by start
	special map[int32]*Day // by dateKey
}

// span is a window in minutes after its day's midnight; to may pass 1440.
type span struct{ from, to int }

// Limits of a calendar's definition.
const (
	maxWindows = 70
	maxDays    = 5000
	maxNameLen = 200
)

// NewCalendar checks a calendar's definition and readies it for
// computation. Errors name the field at fault.
func NewCalendar(c Calendar) (*Calendar, error) {
	if err := c.prepare(); err != nil {
		return nil, err
	}
	return &c, nil
}

// AroundTheClock returns a calendar open at every moment, in UTC.
func AroundTheClock() *Calendar {
	c, _ := NewCalendar(Calendar{Name: "24/7", TimeZone: "UTC", AlwaysOpen: true})
	return c
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location {
	if c == nil || c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// prepare validates the definition, normalises it and builds the lookup
// tables the computations use.
func (c *Calendar) prepare() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len([]rune(c.Name)) > maxNameLen {
		return apperr.Field("name", "is required (at most %d characters)", maxNameLen)
	}
	loc, err := loadZone(c.TimeZone)
	if err != nil {
		return err
	}
	c.loc, c.TimeZone = loc, strings.TrimSpace(c.TimeZone)
	if c.Windows == nil {
		c.Windows = []Window{}
	}
	if c.Days == nil {
		c.Days = []Day{}
	}
	if err := c.prepareWindows(); err != nil {
		return err
	}
	return c.prepareDays()
}

// loadZone accepts IANA zone names only: "Local" would make a calendar
// depend on the server it runs on.
func loadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, apperr.Field("time_zone", "is required: an IANA time zone such as Europe/Riga")
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, apperr.Field("time_zone", "%q is not a known IANA time zone (for example Europe/Riga, Europe/Moscow, UTC)", name)
	}
	return loc, nil
}

func (c *Calendar) prepareWindows() error {
	if len(c.Windows) > maxWindows {
		return apperr.Field("windows", "at most %d windows", maxWindows)
	}
	if len(c.Windows) == 0 && !c.AlwaysOpen {
		return apperr.Field("windows", "a calendar needs working hours, or must be open around the clock (always_open)")
	}
	c.week = [7][]span{}
	for i, w := range c.Windows {
		s, err := c.windowSpan(i, w)
		if err != nil {
			return err
		}
		wd := weekday(w.Weekday)
		for _, o := range c.week[wd] {
			if s.from < o.to && o.from < s.to {
				return apperr.Field(fmt.Sprintf("windows[%d]", i), "%s–%s overlaps %s–%s on the same day",
					w.From, w.To, TimeOfDay(o.from), TimeOfDay(o.to%1440))
			}
		}
		c.week[wd] = append(c.week[wd], s)
	}
	for wd := range c.week {
		slices.SortFunc(c.week[wd], func(a, b span) int { return a.from - b.from })
	}
	slices.SortStableFunc(c.Windows, func(a, b Window) int {
		if a.Weekday != b.Weekday {
			return a.Weekday - b.Weekday
		}
		return int(a.From - b.From)
	})
	return nil
}

func (c *Calendar) windowSpan(i int, w Window) (span, error) {
	field := fmt.Sprintf("windows[%d]", i)
	if w.Weekday < 1 || w.Weekday > 7 {
		return span{}, apperr.Field(field+".weekday", "must be 1 (Monday) to 7 (Sunday)")
	}
	if w.From < 0 || w.From >= 24*60 {
		return span{}, apperr.Field(field+".from", "must be 00:00 to 23:59")
	}
	if w.To < 0 || w.To > 24*60 {
		return span{}, apperr.Field(field+".to", "must be 00:00 to 24:00")
	}
	to := int(w.To)
	if to == 0 {
		to = 24 * 60 // "22:00–00:00" ends at midnight
	}
	if to == int(w.From) {
		return span{}, apperr.Field(field+".to", "a window needs a length: %s–%s is empty", w.From, w.To)
	}
	if to < int(w.From) {
		if !c.Overnight {
			return span{}, apperr.Field(field+".to", "%s is before %s: a window past midnight needs a night calendar (overnight)",
				w.To, w.From)
		}
		to += 24 * 60
	}
	return span{from: int(w.From), to: to}, nil
}

func (c *Calendar) prepareDays() error {
	if len(c.Days) > maxDays {
		return apperr.Field("days", "at most %d days", maxDays)
	}
	c.special = make(map[int32]*Day, len(c.Days))
	for i := range c.Days {
		d := &c.Days[i]
		if err := d.normalize(fmt.Sprintf("days[%d]", i)); err != nil {
			return err
		}
		t, _ := time.Parse(time.DateOnly, d.Date)
		k := dateKey(t.Date())
		if _, dup := c.special[k]; dup {
			return apperr.Field(fmt.Sprintf("days[%d].date", i), "%s is listed twice", d.Date)
		}
		c.special[k] = d
	}
	slices.SortFunc(c.Days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) })
	for i := range c.Days { // the map points into the slice: rebuild after sorting
		t, _ := time.Parse(time.DateOnly, c.Days[i].Date)
		c.special[dateKey(t.Date())] = &c.Days[i]
	}
	return nil
}

// normalize checks one date of a calendar; field prefixes its errors.
func (d *Day) normalize(field string) error {
	d.Date, d.Name = strings.TrimSpace(d.Date), strings.TrimSpace(d.Name)
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		return apperr.Field(field+".date", "%q is not a date (YYYY-MM-DD)", d.Date)
	}
	if d.Kind != DayHoliday && d.Kind != DayWorking {
		return apperr.Field(field+".kind", "must be holiday or working")
	}
	if len([]rune(d.Name)) > maxNameLen {
		return apperr.Field(field+".name", "must be at most %d characters", maxNameLen)
	}
	if d.AsWeekday == 0 {
		d.AsWeekday = 1
	}
	if d.AsWeekday < 1 || d.AsWeekday > 7 {
		return apperr.Field(field+".as_weekday", "must be 1 (Monday) to 7 (Sunday)")
	}
	return nil
}

// weekday turns an ISO weekday (1 Monday … 7 Sunday) into Go's.
func weekday(iso int) time.Weekday { return time.Weekday(iso % 7) }

// ISOWeekday turns Go's weekday into ISO's: 1 Monday … 7 Sunday.
func ISOWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

func dateKey(y int, m time.Month, d int) int32 { return int32(y*10000 + int(m)*100 + d) }
