package agent

import (
	"fmt"
	"net/http"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/script"
	"linedesk/internal/ticket"
)

// The script runner: an agent on the phone walks a script from the ticket
// page, a question at a time, with number keys for answers and Backspace
// to go back. The version and the answers so far are in the address, so
// a step is one request and a version published meanwhile changes
// nothing. At a leaf the run is saved on the ticket.

func (s *Server) scriptRunRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /tickets/{id}/scripts/{script}", s.handleScriptRun)
	s.page(mux, "POST /tickets/{id}/scripts/{script}", s.handleScriptFinish)
	s.ticketReplyRoutes(mux)
}

// runPage is the runner.
type runPage struct {
	Page
	T         ticket.Ticket
	Requester directory.Contact
	Pos       script.Position
	Group     string // an escalation's group, by name
	Article   string // a solution's article, by title
	Remark    string
	Error     string
}

// StepLink is the runner's address after the first n answers of the path
// and then, when next ≥ 0, the answer next.
func (d runPage) StepLink(n, next int) string {
	path := append([]int{}, d.Pos.Path[:n]...)
	if next >= 0 {
		path = append(path, next)
	}
	return fmt.Sprintf("/tickets/%d/scripts/%d?v=%d&p=%s", d.T.ID, d.Pos.Script.ID, d.Pos.Version.ID, script.PathString(path))
}

// Back is the address one answer back.
func (d runPage) Back() string { return d.StepLink(len(d.Pos.Path)-1, -1) }

func (s *Server) handleScriptRun(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return s.showRun(w, r, q.Get("v"), q.Get("p"), "", "", http.StatusOK)
}

func (s *Server) showRun(w http.ResponseWriter, r *http.Request, version, path, remark, msg string, status int) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "script", "script")
	if err != nil {
		return err
	}
	data := runPage{Page: s.newPage(r, v.L, v, "ticket"), Remark: remark, Error: msg}
	if data.T, err = s.Tickets.FindTicket(r.Context(), v.P, id); err != nil {
		return err
	}
	if data.Requester, err = s.Directory.FindContact(r.Context(), data.T.Requester.ID); err != nil {
		return err
	}
	vid, _ := strconv.ParseInt(version, 10, 64)
	steps, err := script.ParsePath(path)
	if err != nil {
		return err
	}
	if data.Pos, err = s.Scripts.Walk(r.Context(), sid, vid, steps); err != nil {
		return err
	}
	s.leafNames(r, &data)
	if isPartial(r) {
		s.fragment(w, r, "script_run", "runner", data)
		return nil
	}
	s.render(w, r, status, "script_run", data)
	return nil
}

// leafNames names the group and article a leaf points at.
func (s *Server) leafNames(r *http.Request, d *runPage) {
	n := d.Pos.Node
	if n.GroupID != nil {
		if g, err := s.Directory.FindGroup(r.Context(), *n.GroupID); err == nil {
			d.Group = g.Name
		}
	}
	if n.ArticleID != nil {
		if a, err := s.KB.FindArticle(r.Context(), *n.ArticleID); err == nil {
			d.Article = a.Title(d.L.Lang)
		}
	}
}

func (s *Server) handleScriptFinish(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "script", "script")
	if err != nil {
		return err
	}
	vid, err := strconv.ParseInt(r.PostFormValue("v"), 10, 64)
	if err != nil {
		return apperr.Field("v", "the form is missing the script's version; start the script again")
	}
	path, err := script.ParsePath(r.PostFormValue("p"))
	if err != nil {
		return err
	}
	run, err := s.Scripts.Finish(r.Context(), v.P, id, script.Finish{ScriptID: sid, VersionID: vid, Path: path,
		Remark: r.PostFormValue("remark"), Language: v.L.Lang})
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		return s.showRun(w, r, r.PostFormValue("v"), r.PostFormValue("p"), r.PostFormValue("remark"), e.Message, statusOf(e.Code))
	}
	if err != nil {
		return err
	}
	s.Watcher.Poke()
	done := "noted"
	if run.Outcome == script.Escalate {
		done = "escalated"
		if s.Tickets.CanViewTicket(r.Context(), v.P, id) != nil {
			redirect(w, r, "/?done=escalated")
			return nil
		}
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=%s#c%d", id, done, run.CommentID))
	return nil
}

// PathValue is the path so far as the finish form sends it.
func (d runPage) PathValue() string { return script.PathString(d.Pos.Path) }
