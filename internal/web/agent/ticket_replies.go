package agent

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/reply"
	"linedesk/internal/ticket"
)

// Canned responses and macros on the ticket page: the picker the reply
// box opens, and a macro's preview, applied with one more click.

func (s *Server) ticketReplyRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /tickets/{id}/responses", s.handleCannedPicker)
	s.page(mux, "GET /tickets/{id}/responses/{reply}", s.handleCannedFill)
	s.page(mux, "GET /tickets/{id}/macros/{macro}", s.handleMacroPreview)
	s.page(mux, "POST /tickets/{id}/macros/{macro}", s.handleMacroApply)
}

// cannedItem is a canned response in the picker.
type cannedItem struct {
	Reply   reply.Reply
	Preview string // the start of its text in the requester's language
}

type cannedPicker struct {
	Page
	TicketID int64
	Q        string
	Items    []cannedItem
}

func (s *Server) handleCannedPicker(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.requestedTicket(r)
	if err != nil {
		return err
	}
	lang := s.requesterLanguage(r.Context(), t)
	if lang == "" {
		lang = v.L.Lang
	}
	data := cannedPicker{Page: s.newPage(r, v.L, v, "ticket"), TicketID: t.ID, Q: r.URL.Query().Get("q")}
	list, err := s.Replies.List(r.Context(), v.P, reply.Filter{Kind: reply.Response, Q: data.Q})
	if err != nil {
		return err
	}
	for _, rp := range list {
		data.Items = append(data.Items, cannedItem{Reply: rp, Preview: excerpt(rp.Texts[rp.Pick(lang)], 140)})
	}
	s.fragment(w, r, "ticket_tools", "canned-results", data)
	return nil
}

// excerpt is the start of a text on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (s *Server) handleCannedFill(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	rid, err := pathID(r, "reply", "response")
	if err != nil {
		return err
	}
	f, err := s.Replies.Fill(r.Context(), viewer(r).P, rid, id, r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	return writeJSON(w, f)
}

// macroPage shows what a macro will do before it is applied.
type macroPage struct {
	Page
	T       ticket.Ticket
	Macro   reply.Reply
	Result  reply.Result
	Changes []macroChange
	Error   string
	Names   lookups
}

// macroChange is a field change as the agent reads it.
type macroChange struct{ Field, From, To string }

func (s *Server) handleMacroPreview(w http.ResponseWriter, r *http.Request) error {
	return s.showMacro(w, r, nil, "")
}

// showMacro works the preview out and shows it; body keeps what the agent
// edited, msg what went wrong when applying.
func (s *Server) showMacro(w http.ResponseWriter, r *http.Request, body *string, msg string) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "macro", "macro")
	if err != nil {
		return err
	}
	data := macroPage{Page: s.newPage(r, v.L, v, "ticket"), Error: msg}
	if data.T, err = s.Tickets.FindTicket(r.Context(), v.P, id); err != nil {
		return err
	}
	if data.Macro, err = s.Replies.Find(r.Context(), v.P, mid); err != nil || data.Macro.Kind != reply.Macro {
		return apperr.NotFoundf("macro %d not found", mid)
	}
	if data.Names, err = s.lookups(r.Context()); err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = r.PostFormValue("lang")
	}
	res, err := s.Replies.Preview(r.Context(), v.P, mid, id, reply.Apply{Language: lang, Body: body})
	status := http.StatusOK
	switch e := apperr.As(err); {
	case err == nil:
		data.Result = res
		data.Changes = s.macroChanges(v, data.Names, res.Changes)
	case e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict):
		data.Error, status = fieldLabel(v.L, e.Field)+": "+e.Message, statusOf(e.Code)
		if e.Field == "" {
			data.Error = e.Message
		}
	default:
		return err
	}
	if msg != "" {
		status = http.StatusConflict
	}
	s.render(w, r, status, "macro_preview", data)
	return nil
}

// macroChanges writes the fields a macro changes in the agent's words.
func (s *Server) macroChanges(v *Viewer, names lookups, list []reply.Change) []macroChange {
	ew := eventWriter{L: v.L, Names: names}
	out := make([]macroChange, len(list))
	for i, c := range list {
		out[i] = macroChange{Field: ew.fieldName(c.Field), From: ew.value(c.Field, c.From), To: ew.value(c.Field, c.To)}
		if c.Field == "line" {
			out[i].From, out[i].To = v.L.T("ticket.line_n", "N", c.From), v.L.T("ticket.line_n", "N", c.To)
		}
	}
	return out
}

func (s *Server) handleMacroApply(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "macro", "macro")
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return apperr.Field("version", "the form is missing the ticket's version; reload the page")
	}
	var body *string
	if _, ok := r.PostForm["body"]; ok {
		b := r.PostFormValue("body")
		body = &b
	}
	_, err = s.Replies.ApplyMacro(r.Context(), v.P, mid, id, reply.Apply{Version: version, Language: r.PostFormValue("lang"), Body: body})
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		msg := e.Message
		if e.Code == apperr.Conflict && e.Field == "version" {
			msg = v.L.T("macro.changed")
		}
		return s.showMacro(w, r, body, msg)
	}
	if err != nil {
		return err
	}
	s.Watcher.Poke()
	s.Jobs.Wake()
	// The macro may have passed the ticket to a queue the agent does not see.
	if s.Tickets.CanViewTicket(r.Context(), v.P, id) != nil {
		redirect(w, r, "/?done=saved")
		return nil
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=saved", id))
	return nil
}
