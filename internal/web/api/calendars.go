package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/sla"
)

// calendarRoutes serve working-hours calendars: their weekly windows,
// holidays and moved working days, and seeding public holidays.
func (s *Server) calendarRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/calendars", s.handleCalendarList)
	s.handle(mux, "POST /api/v1/calendars", s.handleCalendarCreate)
	s.handle(mux, "GET /api/v1/calendars/{id}", getByID(s.SLA.FindCalendar))
	s.handle(mux, "PATCH /api/v1/calendars/{id}", s.handleCalendarUpdate)
	s.handle(mux, "DELETE /api/v1/calendars/{id}", deleteByID(requireAdmin, s.SLA.DeleteCalendar))
	s.handle(mux, "GET /api/v1/calendars/{id}/days", s.handleDayList)
	s.handle(mux, "PUT /api/v1/calendars/{id}/days/{date}", s.handleDayPut)
	s.handle(mux, "DELETE /api/v1/calendars/{id}/days/{date}", s.handleDayDelete)
	s.handle(mux, "POST /api/v1/calendars/{id}/holidays", s.handleHolidaySeed)
}

func (s *Server) handleCalendarList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.SLA.FindCalendars(r.Context(), sla.CalendarFilter{Q: r.URL.Query().Get("q"),
		Offset: page.Offset(), Limit: page.PerPage})
	return writeList(w, items, total, err)
}

// windowIn is a window as the API takes it: times as "HH:MM".
type windowIn struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

func windowsOf(in []windowIn) ([]sla.Window, error) {
	out := make([]sla.Window, len(in))
	for i, w := range in {
		from, err := sla.ParseTimeOfDay(w.From)
		if err != nil {
			return nil, apperr.Field(fmt.Sprintf("windows[%d].from", i), "%v", err)
		}
		to, err := sla.ParseTimeOfDay(w.To)
		if err != nil {
			return nil, apperr.Field(fmt.Sprintf("windows[%d].to", i), "%v", err)
		}
		out[i] = sla.Window{Weekday: w.Weekday, From: from, To: to}
	}
	return out, nil
}

type calendarIn struct {
	Name       string     `json:"name"`
	TimeZone   string     `json:"time_zone"`
	AlwaysOpen bool       `json:"always_open"`
	Overnight  bool       `json:"overnight"`
	Windows    []windowIn `json:"windows"`
	Days       []sla.Day  `json:"days"`
}

func (s *Server) handleCalendarCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in calendarIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	windows, err := windowsOf(in.Windows)
	if err != nil {
		return err
	}
	c, err := s.SLA.CreateCalendar(r.Context(), sla.Calendar{Name: in.Name, TimeZone: in.TimeZone,
		AlwaysOpen: in.AlwaysOpen, Overnight: in.Overnight, Windows: windows, Days: in.Days})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

type calendarPatch struct {
	Name       Optional[string]     `json:"name"`
	TimeZone   Optional[string]     `json:"time_zone"`
	AlwaysOpen Optional[bool]       `json:"always_open"`
	Overnight  Optional[bool]       `json:"overnight"`
	Windows    Optional[[]windowIn] `json:"windows"`
}

func (s *Server) handleCalendarUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in calendarPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := sla.CalendarUpdate{Name: notNull(&err, "name", in.Name), TimeZone: notNull(&err, "time_zone", in.TimeZone),
		AlwaysOpen: notNull(&err, "always_open", in.AlwaysOpen), Overnight: notNull(&err, "overnight", in.Overnight)}
	if ws := notNull(&err, "windows", in.Windows); ws != nil && err == nil {
		windows, werr := windowsOf(*ws)
		if werr != nil {
			return werr
		}
		u.Windows = &windows
	}
	if err != nil {
		return err
	}
	c, err := s.SLA.UpdateCalendar(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// handleDayList lists a calendar's holidays and moved working days, of
// one year when ?year= says so.
func (s *Server) handleDayList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	year, err := queryInt(r, "year", 0, 1900, 2200)
	if err != nil {
		return err
	}
	c, err := s.SLA.FindCalendar(r.Context(), id)
	if err != nil {
		return err
	}
	out := []sla.Day{}
	for _, d := range c.Days {
		if year == 0 || strings.HasPrefix(d.Date, fmt.Sprintf("%04d-", year)) {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, List[sla.Day]{Items: out, Total: len(out)})
	return nil
}

// handleDayPut sets the entry of one date: PUT /calendars/1/days/2025-11-18.
func (s *Server) handleDayPut(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Kind      string `json:"kind"`
		Name      string `json:"name"`
		AsWeekday int    `json:"as_weekday"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	date := r.PathValue("date")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return apperr.Field("date", "%q is not a date (YYYY-MM-DD)", date)
	}
	d, err := s.SLA.SetDay(r.Context(), id, sla.Day{Date: date, Kind: in.Kind, Name: in.Name, AsWeekday: in.AsWeekday})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDayDelete(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.SLA.DeleteDay(r.Context(), id, r.PathValue("date")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleHolidaySeed adds a country's public holidays of a year.
func (s *Server) handleHolidaySeed(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Country string `json:"country"`
		Year    int    `json:"year"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	added, err := s.SLA.SeedHolidays(r.Context(), id, strings.ToLower(strings.TrimSpace(in.Country)), in.Year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"added": added})
	return nil
}
