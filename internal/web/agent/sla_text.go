package agent

import (
	"time"

	"linedesk/internal/i18n"
	"linedesk/internal/ticket"
)

// workTime writes a span of (working) time: "45 min", "3 h", "3 h 20 min".
// A negative span is written as its length; the words around it say
// whether it is left or overdue.
func workTime(l *i18n.Localizer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return l.T("sla.minutes", "M", m)
	case m == 0:
		return l.T("sla.hours", "H", h)
	}
	return l.T("sla.h_min", "H", h, "M", m)
}

// minutesText writes a target's length given in minutes.
func minutesText(l *i18n.Localizer, m *int) string {
	if m == nil {
		return "—"
	}
	return workTime(l, time.Duration(*m)*time.Minute)
}

// dueText says when a deadline falls from now, in wall-clock time: "in
// 25 min", "2 h 5 min overdue", "in 3 d".
func dueText(l *i18n.Localizer, due *time.Time, now time.Time) string {
	if due == nil {
		return "—"
	}
	d := due.Sub(now)
	if d > -time.Minute && d < time.Minute {
		return l.T("sla.due.now")
	}
	span := func(d time.Duration) string {
		if d < 0 {
			d = -d
		}
		if d >= 48*time.Hour {
			return l.T("sla.days", "D", int(d/(24*time.Hour)))
		}
		return workTime(l, d)
	}
	if d < 0 {
		return l.T("sla.due.overdue", "Time", span(d))
	}
	return l.T("sla.due.in", "Time", span(d))
}

// dueClass marks a list row's deadline: late once missed, risk within the
// warning share.
func dueClass(v ticket.SLA, now time.Time) string {
	switch {
	case v.NextDueAt != nil && !now.Before(*v.NextDueAt):
		return "late"
	case v.WarnAt != nil && !now.Before(*v.WarnAt):
		return "risk"
	}
	return ""
}
