package sla

import "time"

// Interval is a stretch of working time: from Start up to (not including)
// End.
type Interval struct {
	Start, End time.Time
}

// horizon bounds every search for working time: a calendar with none in
// ten years (holidays on every day) answers as if the time were never
// reached.
const horizon = 10 * 366 * 24 * time.Hour

// IsOpen reports whether t is inside working hours.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c == nil || c.AlwaysOpen {
		return true
	}
	open := false
	c.walk(t, func(s, _ time.Time) bool {
		open = s.Equal(t)
		return false
	})
	return open
}

// NextOpen returns t when it is inside working hours, else the moment
// working hours next begin.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	if c == nil || c.AlwaysOpen {
		return t
	}
	next := t.Add(horizon)
	c.walk(t, func(s, _ time.Time) bool {
		next = s
		return false
	})
	return next
}

// Add returns the moment d of working time after t: a deadline of d
// working time set at t. It lands inside working hours, or exactly at the
// end of a window when the time runs out there (a 4-hour target set at
// 14:00 on a 09:00–18:00 day is due at 18:00). d ≤ 0 returns t.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	if c == nil || c.AlwaysOpen {
		return t.Add(d)
	}
	due, left := t.Add(horizon), d
	c.walk(t, func(s, e time.Time) bool {
		if n := e.Sub(s); n < left {
			left -= n
			return true
		}
		due = s.Add(left)
		return false
	})
	return due
}

// Between returns the working time from a up to b; 0 when b is not after a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c == nil || c.AlwaysOpen {
		return b.Sub(a)
	}
	var total time.Duration
	c.walk(a, func(s, e time.Time) bool {
		if !s.Before(b) {
			return false
		}
		if e.After(b) {
			e = b
		}
		total += e.Sub(s)
		return true
	})
	return total
}

// Intervals returns the working intervals between from and to, clipped
// to them, in order.
func (c *Calendar) Intervals(from, to time.Time) []Interval {
	if !to.After(from) {
		return nil
	}
	if c == nil || c.AlwaysOpen {
		return []Interval{{from, to}}
	}
	var out []Interval
	c.walk(from, func(s, e time.Time) bool {
		if !s.Before(to) {
			return false
		}
		if e.After(to) {
			e = to
		}
		out = append(out, Interval{s, e})
		return true
	})
	return out
}

// walk calls fn with each working interval that ends after from, in
// order, merged where windows touch or overlap and clipped to start no
// earlier than from, until fn returns false or the horizon is passed.
// Days are taken from the calendar's zone one local date at a time, from
// the day before from's (whose night windows may reach into it).
func (c *Calendar) walk(from time.Time, fn func(s, e time.Time) bool) {
	local := from.In(c.loc)
	y, m, d := local.Date()
	cursor := time.Date(y, m, d-1, 12, 0, 0, 0, time.UTC) // a civil date: noon UTC never meets a DST change
	end := from.Add(horizon)
	var cur Interval
	have := false
	emit := func(iv Interval) bool {
		if !iv.End.After(from) {
			return true
		}
		if iv.Start.Before(from) {
			iv.Start = from
		}
		return fn(iv.Start, iv.End)
	}
	var buf [8]Interval
	for ; cursor.Before(end); cursor = cursor.AddDate(0, 0, 1) {
		for _, iv := range c.dayIntervals(cursor, buf[:0]) {
			switch {
			case !have:
				cur, have = iv, true
			case !iv.Start.After(cur.End): // touching or overlapping: one stretch
				if iv.End.After(cur.End) {
					cur.End = iv.End
				}
			default:
				if !emit(cur) {
					return
				}
				cur = iv
			}
		}
	}
	if have {
		emit(cur)
	}
}

// dayIntervals appends the intervals of the windows that start on the
// civil date day (noon UTC of that date): none on a holiday, another
// weekday's on a moved working day.
func (c *Calendar) dayIntervals(day time.Time, out []Interval) []Interval {
	y, m, d := day.Date()
	spans := c.week[day.Weekday()]
	if sp := c.special[dateKey(y, m, d)]; sp != nil {
		if sp.Kind == DayHoliday {
			return out
		}
		spans = c.week[weekday(sp.AsWeekday)]
	}
	for _, s := range spans {
		start := time.Date(y, m, d, 0, s.from, 0, 0, c.loc)
		end := time.Date(y, m, d, 0, s.to, 0, 0, c.loc)
		if end.After(start) {
			out = append(out, Interval{start, end})
		}
	}
	return out
}
