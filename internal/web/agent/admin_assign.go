package agent

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/assign"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
)

func (s *Server) assignAdminRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/assignment", s.handleAssignment},
		{"POST /admin/assignment", s.handleAssignmentSave},
		{"GET /admin/shifts/{id}", s.handleShifts},
		{"POST /admin/shifts/{id}", s.handleShiftsSave},
	}
}

// awayRoutes let an agent mark themselves away and back.
func (s *Server) awayRoutes(mux *http.ServeMux) {
	s.page(mux, "POST /me/away", s.handleAway)
}

// assignmentPage shows each group's assignment and the team's
// availability now.
type assignmentPage struct {
	adminPage
	Groups   []directory.Group
	Settings map[int64]assign.Group
	Agents   []assign.Agent
	Modes    []string
	Names    map[int64]string // group names
}

func (s *Server) handleAssignment(w http.ResponseWriter, r *http.Request) error {
	return s.showAssignment(w, r, "", http.StatusOK)
}

func (s *Server) showAssignment(w http.ResponseWriter, r *http.Request, msg string, status int) error {
	data := assignmentPage{adminPage: s.adminBase(r, "assignment"), Settings: map[int64]assign.Group{}, Modes: assign.Modes,
		Names: map[int64]string{}}
	data.Error = msg
	ctx := r.Context()
	var err error
	if data.Groups, _, err = s.Directory.FindGroups(ctx, directory.GroupFilter{Limit: 500}); err != nil {
		return err
	}
	for _, g := range data.Groups {
		if data.Settings[g.ID], err = s.Assign.FindGroup(ctx, g.ID); err != nil {
			return err
		}
		data.Names[g.ID] = g.Name
	}
	if data.Agents, err = s.teamAvailability(ctx); err != nil {
		return err
	}
	s.render(w, r, status, "admin_assignment", data)
	return nil
}

func (s *Server) teamAvailability(ctx context.Context) ([]assign.Agent, error) {
	active := true
	agents, _, err := s.Directory.FindAgents(ctx, directory.AgentFilter{Active: &active, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]assign.Agent, 0, len(agents))
	for _, a := range agents {
		st, err := s.Assign.FindAgent(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// handleAssignmentSave sets every group's mode, limit and return time
// from mode.{id}, max_open.{id} and return_after.{id}.
func (s *Server) handleAssignmentSave(w http.ResponseWriter, r *http.Request) error {
	groups, _, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
	if err != nil {
		return err
	}
	show := func(msg string, status int) error { return s.showAssignment(w, r, msg, status) }
	var settings []assign.Group
	for _, g := range groups {
		key := "." + id64(g.ID)
		limit, err1 := formInt(r, "max_open"+key)
		after, err2 := formInt(r, "return_after"+key)
		if err1 != nil || err2 != nil {
			return show(g.Name+": "+viewer(r).L.T("routing.assign.bad_number"), http.StatusUnprocessableEntity)
		}
		settings = append(settings, assign.Group{GroupID: g.ID, Mode: r.PostFormValue("mode" + key), MaxOpen: limit,
			ReturnAfterMinutes: after})
	}
	for i, g := range settings {
		if _, err := s.Assign.SetGroup(r.Context(), g); err != nil {
			if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
				return show(groups[i].Name+": "+fieldLabel(viewer(r).L, "assign."+e.Field)+": "+e.Message, statusOf(e.Code))
			}
			return err
		}
	}
	redirect(w, r, "/admin/assignment?ok=saved")
	return nil
}

// shiftsPage edits one agent's weekly shifts, limit and away state.
type shiftsPage struct {
	adminPage
	Agent   directory.Agent
	Avail   assign.Agent
	Rows    []shiftRow
	Zones   []string
	MaxOpen string
}

// shiftRow is one window as the form shows it.
type shiftRow struct {
	Weekday  int
	From, To string
}

// Weekdays are 1 Monday … 7 Sunday.
func (shiftsPage) Weekdays() []int { return []int{1, 2, 3, 4, 5, 6, 7} }

func shiftRows(windows []sla.Window) []shiftRow {
	out := []shiftRow{}
	for _, w := range windows {
		out = append(out, shiftRow{w.Weekday, w.From.String(), w.To.String()})
	}
	return append(out, shiftRow{}, shiftRow{}, shiftRow{})
}

func (s *Server) handleShifts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "agent")
	if err != nil {
		return err
	}
	return s.showShifts(w, r, id, nil, "", http.StatusOK)
}

func (s *Server) showShifts(w http.ResponseWriter, r *http.Request, id int64, rows []shiftRow, msg string, status int) error {
	data := shiftsPage{adminPage: s.adminBase(r, "assignment"), Zones: zones}
	data.Error = msg
	var err error
	if data.Agent, err = s.Directory.FindAgent(r.Context(), id); err != nil {
		return err
	}
	if data.Avail, err = s.Assign.FindAgent(r.Context(), id); err != nil {
		return err
	}
	data.Rows = rows
	if rows == nil {
		data.Rows = shiftRows(data.Avail.Shift.Windows)
	}
	if data.Avail.MaxOpen != nil {
		data.MaxOpen = strconv.Itoa(*data.Avail.MaxOpen)
	}
	s.render(w, r, status, "admin_shifts", data)
	return nil
}

// handleShiftsSave saves the windows (day.N, from.N, to.N; rows without
// times are left out), around the clock, the zone and the limit.
func (s *Server) handleShiftsSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "agent")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var rows []shiftRow
	sh := assign.Shift{TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")), Always: r.PostFormValue("always") == "1"}
	for i := 0; i < 100; i++ {
		n := strconv.Itoa(i)
		if _, ok := r.PostForm["day."+n]; !ok {
			break
		}
		from, to := strings.TrimSpace(r.PostFormValue("from."+n)), strings.TrimSpace(r.PostFormValue("to."+n))
		wd, _ := strconv.Atoi(r.PostFormValue("day." + n))
		rows = append(rows, shiftRow{wd, from, to})
		if from == "" && to == "" {
			continue
		}
		win, err := assign.ParseWindow(len(sh.Windows), r.PostFormValue("day."+n), from, to)
		if err == nil {
			sh.Windows = append(sh.Windows, win)
			continue
		}
		return s.shiftFailed(w, r, id, rows, err)
	}
	var limit *int
	if v := strings.TrimSpace(r.PostFormValue("max_open")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.shiftFailed(w, r, id, rows, apperr.Field("max_open", "%q is not a number", v))
		}
		limit = &n
	}
	if limit != nil && (*limit < 0 || *limit > 10_000) {
		return s.shiftFailed(w, r, id, rows, apperr.Field("max_open", "must be 0 (no limit) to 10000, or empty for the group's"))
	}
	if _, err := s.Assign.SetShift(r.Context(), id, sh); err != nil {
		return s.shiftFailed(w, r, id, rows, err)
	}
	if _, err := s.Assign.SetLimit(r.Context(), id, limit); err != nil {
		return s.shiftFailed(w, r, id, rows, err)
	}
	redirect(w, r, "/admin/shifts/"+id64(id)+"?ok=saved")
	return nil
}

func (s *Server) shiftFailed(w http.ResponseWriter, r *http.Request, id int64, rows []shiftRow, err error) error {
	rows = append(rows, shiftRow{})
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		return err
	}
	l := viewer(r).L
	where := fieldLabel(l, "assign."+e.Field)
	if m := shiftFieldRE.FindStringSubmatch(e.Field); m != nil {
		n, _ := strconv.Atoi(m[1])
		where = l.T("routing.shift.window_n", "N", n+1) + ", " + l.T("routing.shift.part."+m[2])
	}
	return s.showShifts(w, r, id, rows, where+": "+e.Message, statusOf(e.Code))
}

func (s *Server) handleAway(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	if _, err := s.Assign.SetAway(r.Context(), v.P.AgentID, r.PostFormValue("away") == "1"); err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/profile"
	}
	redirect(w, r, back)
	return nil
}

// shiftFieldRE reads a window's field in an error: windows[1].to.
var shiftFieldRE = regexp.MustCompile(`^windows\[(\d+)\]\.(\w+)$`)

// weekDay is one day of a shift's week grid: its bars as shares of the
// day (a night window shows on both days it touches).
type weekDay struct {
	Weekday int
	Bars    []weekBar
}

type weekBar struct {
	Left, Width float64 // percent of the day
	From, To    string
}

// shiftWeek lays a shift out on the week grid, Monday first.
func shiftWeek(sh assign.Shift) []weekDay {
	days := make([]weekDay, 7)
	for i := range days {
		days[i].Weekday = i + 1
	}
	if sh.Always {
		for i := range days {
			days[i].Bars = []weekBar{{0, 100, "00:00", "24:00"}}
		}
		return days
	}
	bar := func(day, from, to int, label0, label1 string) {
		days[day].Bars = append(days[day].Bars, weekBar{float64(from) * 100 / 1440, float64(to-from) * 100 / 1440, label0, label1})
	}
	for _, w := range sh.Windows {
		d, from, to := w.Weekday-1, int(w.From), int(w.To)
		if to == 0 {
			to = 1440
		}
		if to > from {
			bar(d, from, to, w.From.String(), w.To.String())
			continue
		}
		bar(d, from, 1440, w.From.String(), "24:00")
		bar((d+1)%7, 0, to, "00:00", w.To.String())
	}
	return days
}
