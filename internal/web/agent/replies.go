package agent

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/reply"
	"linedesk/internal/ticket"
)

// Canned responses and macros: every agent keeps their own (and those
// shared with their groups) at /replies; administrators see and change
// every one under /admin/responses and /admin/macros.

// replyScope is where a replies screen lives and what it lists.
type replyScope struct {
	Base  string     // /replies, /admin/responses or /admin/macros
	Admin bool       // the administrators' screen: every reply
	Kind  reply.Kind // "" on the agent's own screen: both kinds
}

var (
	mineScope      = replyScope{Base: "/replies"}
	responsesScope = replyScope{Base: "/admin/responses", Admin: true, Kind: reply.Response}
	macrosScope    = replyScope{Base: "/admin/macros", Admin: true, Kind: reply.Macro}
)

func (s *Server) replyRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /replies", s.handleReplies(mineScope))
	s.page(mux, "GET /replies/new", s.handleReplyNew(mineScope))
	s.page(mux, "POST /replies", s.handleReplyCreate(mineScope))
	s.page(mux, "GET /replies/{id}", s.handleReply(mineScope))
	s.page(mux, "POST /replies/{id}", s.handleReplySave(mineScope))
	s.page(mux, "POST /replies/{id}/delete", s.handleReplyDelete(mineScope))
}

func (s *Server) replyAdminRoutes() []adminRoute {
	var out []adminRoute
	for _, sc := range []replyScope{responsesScope, macrosScope} {
		out = append(out,
			adminRoute{"GET " + sc.Base, s.handleReplies(sc)},
			adminRoute{"GET " + sc.Base + "/new", s.handleReplyNew(sc)},
			adminRoute{"POST " + sc.Base, s.handleReplyCreate(sc)},
			adminRoute{"GET " + sc.Base + "/{id}", s.handleReply(sc)},
			adminRoute{"POST " + sc.Base + "/{id}", s.handleReplySave(sc)},
			adminRoute{"POST " + sc.Base + "/{id}/delete", s.handleReplyDelete(sc)})
	}
	return out
}

// repliesPage lists replies.
type repliesPage struct {
	adminPage
	Scope     replyScope
	Responses []reply.Reply
	Macros    []reply.Reply
	Q         string
	Groups    map[int64]string
}

func (s *Server) section(sc replyScope) string {
	if !sc.Admin {
		return ""
	}
	return strings.TrimPrefix(sc.Base, "/admin/")
}

func (s *Server) handleReplies(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := viewer(r)
		data := repliesPage{adminPage: s.adminBase(r, s.section(sc)), Scope: sc, Q: r.URL.Query().Get("q")}
		data.Name = "replies"
		if sc.Admin {
			data.Name = "admin"
		}
		for kind, dst := range map[reply.Kind]*[]reply.Reply{reply.Response: &data.Responses, reply.Macro: &data.Macros} {
			if sc.Kind != "" && sc.Kind != kind {
				continue
			}
			list, err := s.Replies.List(r.Context(), v.P, reply.Filter{Kind: kind, Q: data.Q, All: sc.Admin})
			if err != nil {
				return err
			}
			*dst = list
		}
		lk, err := s.lookups(r.Context())
		if err != nil {
			return err
		}
		data.Groups = lk.groupName
		s.render(w, r, http.StatusOK, "admin_replies", data)
		return nil
	}
}

// replyForm edits one reply.
type replyForm struct {
	adminPage
	Scope     replyScope
	R         reply.Reply
	Editable  bool
	Groups    []directory.Group // those it may be shared with
	AllGroups []directory.Group // those a macro may move a ticket to
	Agents    []directory.Agent
	Assign    string // the assignee action: "", me, nobody or an agent's id
	TagsAdd   string
	TagsDrop  string
	Vars      []string
}

// Langs are the languages a text may be written in.
func (replyForm) Langs() []string { return reply.Languages }

func (s *Server) showReply(w http.ResponseWriter, r *http.Request, sc replyScope, f replyForm, msg string, status int) error {
	v := viewer(r)
	f.adminPage, f.Scope, f.Vars = s.adminBase(r, s.section(sc)), sc, reply.Variables
	f.Error = msg
	if !sc.Admin {
		f.Name = "replies"
	}
	f.Editable = f.R.ID == 0 || f.R.OwnerID == v.P.AgentID || v.P.IsAdmin()
	lk, err := s.lookups(r.Context())
	if err != nil {
		return err
	}
	f.Agents, f.AllGroups = lk.agents, lk.groups
	for _, g := range lk.groups {
		if v.P.IsAdmin() || v.P.InGroup(g.ID) {
			f.Groups = append(f.Groups, g)
		}
	}
	if f.Assign == "" && f.TagsAdd == "" && f.TagsDrop == "" {
		f.Assign, f.TagsAdd, f.TagsDrop = assignValue(f.R.Actions), strings.Join(f.R.Actions.TagsAdd, ", "),
			strings.Join(f.R.Actions.TagsRemove, ", ")
	}
	s.render(w, r, status, "admin_reply", f)
	return nil
}

func assignValue(a reply.Actions) string {
	switch {
	case a.AssignMe:
		return "me"
	case a.Unassign:
		return "nobody"
	case a.AssigneeID != nil:
		return strconv.FormatInt(*a.AssigneeID, 10)
	}
	return ""
}

func (s *Server) handleReplyNew(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind := sc.Kind
		if kind == "" {
			kind = reply.Kind(r.URL.Query().Get("kind"))
		}
		if kind != reply.Macro {
			kind = reply.Response
		}
		return s.showReply(w, r, sc, replyForm{R: reply.Reply{Kind: kind, Public: true, Texts: map[string]string{}}}, "", http.StatusOK)
	}
}

// replyFromForm reads the form into a reply's input, keeping what was
// typed in f for a form shown again.
func replyFromForm(r *http.Request, f *replyForm) (reply.Input, error) {
	in := reply.Input{Name: r.PostFormValue("name"), Texts: map[string]string{}, Public: r.PostFormValue("public") != "0"}
	for _, l := range reply.Languages {
		in.Texts[l] = r.PostFormValue("text." + l)
	}
	f.R.Name, f.R.Texts, f.R.Public = in.Name, in.Texts, in.Public
	f.Assign, f.TagsAdd, f.TagsDrop = r.PostFormValue("assign"), r.PostFormValue("tags_add"), r.PostFormValue("tags_remove")
	var err error
	if in.GroupID, err = formID(r, "group_id"); err != nil {
		return in, err
	}
	f.R.GroupID = in.GroupID
	if f.R.Kind != reply.Macro {
		return in, nil
	}
	a := reply.Actions{Status: ticket.Status(r.PostFormValue("status")), Priority: ticket.Priority(r.PostFormValue("priority")),
		TagsAdd: splitTags(f.TagsAdd), TagsRemove: splitTags(f.TagsDrop)}
	if a.Line, err = formInt(r, "line"); err != nil {
		return in, err
	}
	if a.GroupID, err = formID(r, "action_group_id"); err != nil {
		return in, err
	}
	switch f.Assign {
	case "":
	case "me":
		a.AssignMe = true
	case "nobody":
		a.Unassign = true
	default:
		id, err := strconv.ParseInt(f.Assign, 10, 64)
		if err != nil {
			return in, apperr.Field("actions.assignee_id", "%q is not an agent", f.Assign)
		}
		a.AssigneeID = &id
	}
	in.Actions, f.R.Actions = a, a
	return in, nil
}

func (s *Server) handleReplyCreate(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind := reply.Kind(r.PostFormValue("kind"))
		if sc.Kind != "" {
			kind = sc.Kind
		}
		f := replyForm{R: reply.Reply{Kind: kind}}
		in, err := replyFromForm(r, &f)
		if err == nil {
			var created reply.Reply
			if created, err = s.Replies.Create(r.Context(), viewer(r).P, kind, in); err == nil {
				redirect(w, r, fmt.Sprintf("%s/%d?ok=created", sc.Base, created.ID))
				return nil
			}
		}
		return formFailed(r, err, func(msg string, status int) error { return s.showReply(w, r, sc, f, msg, status) })
	}
}

func (s *Server) handleReply(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rp, err := s.scopedReply(r, sc)
		if err != nil {
			return err
		}
		return s.showReply(w, r, sc, replyForm{R: rp}, "", http.StatusOK)
	}
}

// scopedReply loads the reply of the path, of the screen's kind.
func (s *Server) scopedReply(r *http.Request, sc replyScope) (reply.Reply, error) {
	id, err := pathID(r, "id", "reply")
	if err != nil {
		return reply.Reply{}, err
	}
	rp, err := s.Replies.Find(r.Context(), viewer(r).P, id)
	if err == nil && sc.Kind != "" && rp.Kind != sc.Kind {
		return reply.Reply{}, apperr.NotFoundf("reply %d not found", id)
	}
	return rp, err
}

func (s *Server) handleReplySave(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rp, err := s.scopedReply(r, sc)
		if err != nil {
			return err
		}
		f := replyForm{R: rp}
		in, err := replyFromForm(r, &f)
		if err == nil {
			version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
			if _, err = s.Replies.Update(r.Context(), viewer(r).P, rp.ID, version, in); err == nil {
				redirect(w, r, fmt.Sprintf("%s/%d?ok=saved", sc.Base, rp.ID))
				return nil
			}
		}
		return formFailed(r, err, func(msg string, status int) error { return s.showReply(w, r, sc, f, msg, status) })
	}
}

func (s *Server) handleReplyDelete(sc replyScope) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rp, err := s.scopedReply(r, sc)
		if err != nil {
			return err
		}
		if err := s.Replies.Delete(r.Context(), viewer(r).P, rp.ID); err != nil {
			return err
		}
		redirect(w, r, sc.Base+"?ok=deleted")
		return nil
	}
}
