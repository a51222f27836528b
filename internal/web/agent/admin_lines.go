package agent

import (
	"net/http"
	"slices"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
)

func (s *Server) lineRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/lines", s.handleLines},
		{"POST /admin/lines", s.handleLinesSave},
	}
}

// linesPage shows each support line with the groups that work at it.
type linesPage struct {
	adminPage
	Lines  []sla.Line
	Groups []directory.Group
}

// LineOf is the line a group works at, 0 for none.
func (p linesPage) LineOf(groupID int64) int {
	for _, l := range p.Lines {
		if slices.Contains(l.GroupIDs, groupID) {
			return l.Line
		}
	}
	return 0
}

// First is the group escalations to a line land in.
func (p linesPage) First(line int) int64 {
	for _, l := range p.Lines {
		if l.Line == line && len(l.GroupIDs) > 0 {
			return l.GroupIDs[0]
		}
	}
	return 0
}

func (s *Server) handleLines(w http.ResponseWriter, r *http.Request) error {
	return s.showLines(w, r, "", http.StatusOK)
}

func (s *Server) showLines(w http.ResponseWriter, r *http.Request, msg string, status int) error {
	data := linesPage{adminPage: s.adminBase(r, "lines")}
	data.Error = msg
	var err error
	if data.Lines, err = s.SLA.Lines(r.Context()); err != nil {
		return err
	}
	if data.Groups, _, err = s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500}); err != nil {
		return err
	}
	s.render(w, r, status, "admin_lines", data)
	return nil
}

// handleLinesSave sets every group's line from the form: line.{group id}
// is the group's line (empty for none), first.{line} the group
// escalations to the line land in.
func (s *Server) handleLinesSave(w http.ResponseWriter, r *http.Request) error {
	groups, _, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
	if err != nil {
		return err
	}
	byLine := map[int][]int64{}
	for _, g := range groups {
		n, err := formInt(r, "line."+strconv.FormatInt(g.ID, 10))
		if err != nil || n < 0 || n > 4 {
			return formFailed(r, apperr.Field("line", "choose a line from 1 to 4 for %s", g.Name),
				func(msg string, status int) error { return s.showLines(w, r, msg, status) })
		}
		if n > 0 {
			byLine[n] = append(byLine[n], g.ID)
		}
	}
	for _, n := range sla.LineNumbers {
		ids := byLine[n]
		if first, _ := formID(r, "first."+strconv.Itoa(n)); first != nil && slices.Contains(ids, *first) {
			ids = append([]int64{*first}, slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == *first })...)
		}
		if _, err := s.SLA.SetLineGroups(r.Context(), n, ids); err != nil {
			return formFailed(r, err, func(msg string, status int) error { return s.showLines(w, r, msg, status) })
		}
	}
	redirect(w, r, "/admin/lines?ok=saved")
	return nil
}
