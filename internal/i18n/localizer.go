package i18n

import (
	"fmt"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Localizer speaks to one reader in their language and time zone.
type Localizer struct {
	Lang  string
	Loc   *time.Location
	l     *goi18n.Localizer
	fixed map[string]string
}

// T returns message id, filled with args given as name, value pairs:
// T("ticket.escalated", "Line", 2). A missing message shows as its id in
// brackets, so it is seen, and tests catch it first.
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.fixed[id]; ok {
			return s
		}
	}
	return l.localize(id, nil, args)
}

// N returns the plural form of message id for n; the message sees n as
// .Count beside args.
func (l *Localizer) N(id string, n int, args ...any) string {
	return l.localize(id, n, append(args, "Count", n))
}

func (l *Localizer) localize(id string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return "[" + id + "]"
	}
	return s
}

// dateLayouts are how each language writes a date and a time.
var dateLayouts = map[string][2]string{
	"en": {"2 Jan 2006", "2 Jan 2006, 15:04"},
	"ru": {"02.01.2006", "02.01.2006 15:04"},
	"lv": {"02.01.2006.", "02.01.2006. 15:04"},
}

// Date writes t's day in the reader's zone.
func (l *Localizer) Date(t time.Time) string {
	return l.format(t, 0)
}

// DateTime writes t in the reader's zone, to the minute.
func (l *Localizer) DateTime(t time.Time) string {
	return l.format(t, 1)
}

func (l *Localizer) format(t time.Time, which int) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.Loc).Format(dateLayouts[l.Lang][which])
}

// Ago writes how long before now t was in the largest whole unit, "5
// minutes ago"; past a week it gives the date.
func (l *Localizer) Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return l.N("time.hours_ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return l.N("time.days_ago", int(d/(24*time.Hour)))
	}
	return l.Date(t)
}

// Duration writes a span of working time as hours and minutes, e.g. "3 h
// 20 min", for deadlines.
func (l *Localizer) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if h == 0 {
		return l.T("time.min", "M", m)
	}
	return l.T("time.h_min", "H", h, "M", m)
}
