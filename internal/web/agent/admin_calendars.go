package agent

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/sla"
)

func (s *Server) calendarRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/calendars", s.handleCalendars},
		{"GET /admin/calendars/new", s.handleCalendarNew},
		{"POST /admin/calendars", s.handleCalendarCreate},
		{"GET /admin/calendars/{id}", s.handleCalendar},
		{"POST /admin/calendars/{id}", s.handleCalendarSave},
		{"POST /admin/calendars/{id}/delete", s.handleCalendarDelete},
		{"POST /admin/calendars/{id}/days", s.handleDayAdd},
		{"POST /admin/calendars/{id}/days/{date}/delete", s.handleDayRemove},
		{"POST /admin/calendars/{id}/holidays", s.handleHolidays},
	}
}

type calendarsPage struct {
	adminPage
	Calendars []*sla.Calendar
	Q         string
	Pager     pager
}

func (s *Server) handleCalendars(w http.ResponseWriter, r *http.Request) error {
	data := calendarsPage{adminPage: s.adminBase(r, "calendars"), Q: r.URL.Query().Get("q")}
	list, total, err := s.SLA.FindCalendars(r.Context(), sla.CalendarFilter{Q: data.Q, Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Calendars, data.Pager = list, newPager(r, total)
	s.render(w, r, http.StatusOK, "admin_calendars", data)
	return nil
}

// calendarPage adds a calendar or edits one (C.ID set): its settings and
// weekly hours in one form, its days, and seeding public holidays.
type calendarPage struct {
	adminPage
	C     sla.Calendar
	Hours [7]string // Monday first, as typed: "09:00–13:00, 14:00–18:00"
	Year  int       // the year seeding offers
	Zones []string
}

// Weekdays are the rows of the hours form: 1 Monday … 7 Sunday.
func (calendarPage) Weekdays() []int { return []int{1, 2, 3, 4, 5, 6, 7} }

// Countries are the countries whose holidays can be seeded.
func (calendarPage) Countries() []string { return sla.Countries }

// commonZones are offered as suggestions; any IANA zone may be typed.
var commonZones = []string{"Europe/Riga", "Europe/Moscow", "Europe/Vilnius", "Europe/Tallinn", "Europe/Helsinki",
	"Europe/Warsaw", "Europe/Berlin", "Europe/London", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok", "UTC"}

func (s *Server) showCalendar(w http.ResponseWriter, r *http.Request, c sla.Calendar, hours [7]string, msg string, status int) error {
	data := calendarPage{adminPage: s.adminBase(r, "calendars"), C: c, Hours: hours, Year: now().Year(), Zones: commonZones}
	data.Error = msg
	s.render(w, r, status, "admin_calendar", data)
	return nil
}

// hoursOf writes a calendar's windows as the form shows them.
func hoursOf(ws []sla.Window) [7]string {
	var parts [7][]string
	for _, w := range ws {
		parts[w.Weekday-1] = append(parts[w.Weekday-1], w.From.String()+"–"+w.To.String())
	}
	var out [7]string
	for i, p := range parts {
		out[i] = strings.Join(p, ", ")
	}
	return out
}

func (s *Server) handleCalendarNew(w http.ResponseWriter, r *http.Request) error {
	c := sla.Calendar{TimeZone: viewer(r).L.Loc.String()}
	if c.TimeZone == "" || c.TimeZone == "Local" {
		c.TimeZone = "UTC"
	}
	hours := [7]string{"09:00–18:00", "09:00–18:00", "09:00–18:00", "09:00–18:00", "09:00–18:00", "", ""}
	return s.showCalendar(w, r, c, hours, "", http.StatusOK)
}

func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	c, err := s.SLA.FindCalendar(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showCalendar(w, r, *c, hoursOf(c.Windows), "", http.StatusOK)
}

// calendarFromForm reads the settings and hours; errors about the hours
// name the weekday's field (hours.1 … hours.7).
func calendarFromForm(r *http.Request, c sla.Calendar) (sla.Calendar, [7]string, error) {
	c.Name, c.TimeZone = r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("time_zone"))
	c.AlwaysOpen, c.Overnight = r.PostFormValue("always_open") != "", r.PostFormValue("overnight") != ""
	var hours [7]string
	c.Windows = []sla.Window{}
	for wd := 1; wd <= 7; wd++ {
		hours[wd-1] = r.PostFormValue(fmt.Sprintf("hours.%d", wd))
		ws, err := parseHours(wd, hours[wd-1])
		if err != nil {
			return c, hours, err
		}
		c.Windows = append(c.Windows, ws...)
	}
	return c, hours, nil
}

// parseHours reads one day's windows: "09:00–13:00, 14:00-18:00".
func parseHours(weekday int, s string) ([]sla.Window, error) {
	var out []sla.Window
	field := fmt.Sprintf("hours.%d", weekday)
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		from, to, ok := strings.Cut(strings.NewReplacer("–", "-", "—", "-").Replace(part), "-")
		if !ok {
			return nil, apperr.Field(field, "%q is not a window such as 09:00–18:00", part)
		}
		f, err := sla.ParseTimeOfDay(from)
		if err != nil {
			return nil, apperr.Field(field, "%v", err)
		}
		t, err := sla.ParseTimeOfDay(to)
		if err != nil {
			return nil, apperr.Field(field, "%v", err)
		}
		out = append(out, sla.Window{Weekday: weekday, From: f, To: t})
	}
	return out, nil
}

// windowField turns the domain's windows[i] into the form's hours.N.
var windowField = regexp.MustCompile(`^windows\[(\d+)\]`)

func hoursError(err error, c sla.Calendar) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	if m := windowField.FindStringSubmatch(e.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(c.Windows) {
			return &apperr.Error{Code: e.Code, Field: fmt.Sprintf("hours.%d", c.Windows[i].Weekday), Message: e.Message}
		}
	}
	return err
}

func (s *Server) handleCalendarCreate(w http.ResponseWriter, r *http.Request) error {
	c, hours, err := calendarFromForm(r, sla.Calendar{})
	failed := func(msg string, status int) error { return s.showCalendar(w, r, c, hours, msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	created, err := s.SLA.CreateCalendar(r.Context(), c)
	if err != nil {
		return formFailed(r, hoursError(err, c), failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/calendars/%d?ok=created", created.ID))
	return nil
}

func (s *Server) handleCalendarSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	cur, err := s.SLA.FindCalendar(r.Context(), id)
	if err != nil {
		return err
	}
	c, hours, err := calendarFromForm(r, *cur)
	failed := func(msg string, status int) error { return s.showCalendar(w, r, c, hours, msg, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.SLA.UpdateCalendar(r.Context(), id, sla.CalendarUpdate{Name: &c.Name, TimeZone: &c.TimeZone,
		AlwaysOpen: &c.AlwaysOpen, Overnight: &c.Overnight, Windows: &c.Windows})
	if err != nil {
		return formFailed(r, hoursError(err, c), failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/calendars/%d?ok=saved", id))
	return nil
}

// calendarChange runs a change of a calendar's days; an error the form
// can explain shows the calendar again with it.
func (s *Server) calendarChange(w http.ResponseWriter, r *http.Request, ok string, change func(id int64) error) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			c, err := s.SLA.FindCalendar(r.Context(), id)
			if err != nil {
				return err
			}
			return s.showCalendar(w, r, *c, hoursOf(c.Windows), msg, status)
		})
	}
	redirect(w, r, fmt.Sprintf("/admin/calendars/%d?ok=%s#days", id, ok))
	return nil
}

func (s *Server) handleDayAdd(w http.ResponseWriter, r *http.Request) error {
	return s.calendarChange(w, r, "saved", func(id int64) error {
		wd, err := formInt(r, "as_weekday")
		if err != nil {
			return err
		}
		date := strings.TrimSpace(r.PostFormValue("date"))
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return apperr.Field("date", "%q is not a date (YYYY-MM-DD)", date)
		}
		_, err = s.SLA.SetDay(r.Context(), id, sla.Day{Date: date, Kind: r.PostFormValue("kind"),
			Name: r.PostFormValue("day_name"), AsWeekday: wd})
		return err
	})
}

func (s *Server) handleDayRemove(w http.ResponseWriter, r *http.Request) error {
	return s.calendarChange(w, r, "deleted", func(id int64) error {
		return s.SLA.DeleteDay(r.Context(), id, r.PathValue("date"))
	})
}

func (s *Server) handleHolidays(w http.ResponseWriter, r *http.Request) error {
	return s.calendarChange(w, r, "seeded", func(id int64) error {
		year, err := formInt(r, "year")
		if err != nil {
			return err
		}
		_, err = s.SLA.SeedHolidays(r.Context(), id, r.PostFormValue("country"), year)
		return err
	})
}

// handleCalendarDelete deletes a calendar no plan uses.
func (s *Server) handleCalendarDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	if err := s.SLA.DeleteCalendar(r.Context(), id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			c, err := s.SLA.FindCalendar(r.Context(), id)
			if err != nil {
				return err
			}
			return s.showCalendar(w, r, *c, hoursOf(c.Windows), msg, status)
		})
	}
	redirect(w, r, "/admin/calendars?ok=deleted")
	return nil
}
