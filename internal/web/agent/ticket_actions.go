package agent

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/ticket"
	"linedesk/internal/web/api"
)

// handleTicketSave changes the ticket's fields against the version the
// agent saw. A colleague's change in between is shown, and what the agent
// chose stays in the form to be saved again.
func (s *Server) handleTicketSave(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Errorf(apperr.BadRequest, "malformed form")
	}
	u, err := updateFromForm(r)
	if err != nil {
		return s.ticketError(w, r, id, err, func(t *ticket.Ticket) {})
	}
	if _, err := s.Tickets.UpdateTicket(r.Context(), v.P, id, u); err != nil {
		return s.ticketError(w, r, id, err, func(t *ticket.Ticket) { overlay(t, u) })
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=saved", id))
	return nil
}

// ticketError shows the ticket page again with what went wrong; keep
// puts the agent's choices back into the form.
func (s *Server) ticketError(w http.ResponseWriter, r *http.Request, id int64, err error, keep func(*ticket.Ticket)) error {
	e := apperr.As(err)
	if e == nil || (e.Code != apperr.Conflict && e.Code != apperr.Invalid) {
		return err
	}
	v := viewer(r)
	data, lerr := s.ticketData(r.Context(), v, id)
	if lerr != nil {
		return lerr
	}
	data.Page = s.newPage(r, v.L, v, "ticket")
	data.Error = e.Message
	if e.Code == apperr.Conflict && strings.Contains(e.Message, "version") {
		data.Error = v.L.T("ticket.conflict")
	}
	keep(&data.Form)
	data.Draft = draft{Body: r.PostFormValue("body"), Public: r.PostFormValue("public") == "1", Reason: r.PostFormValue("reason")}
	s.render(w, r, statusOf(e.Code), "ticket", data)
	return nil
}

// updateFromForm reads the side panel's form.
func updateFromForm(r *http.Request) (ticket.Update, error) {
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return ticket.Update{}, apperr.Field("version", "the form is missing the ticket's version; reload the page")
	}
	u := ticket.Update{Version: version}
	// Only what the agent changed is sent: a field the agent left alone
	// must not overwrite a colleague's change to it.
	changed := func(key string) bool {
		_, sent := r.PostForm[key]
		was, hasWas := r.PostForm["was."+key]
		return sent && (!hasWas || was[0] != r.PostFormValue(key))
	}
	for _, key := range []string{"status", "priority", "type", "line", "group_id", "assignee_id", "tags"} {
		if !changed(key) {
			r.PostForm.Del(key)
		}
	}
	if st := r.PostFormValue("status"); st != "" {
		s := ticket.Status(st)
		u.Status = &s
	}
	if p := r.PostFormValue("priority"); p != "" {
		pr := ticket.Priority(p)
		u.Priority = &pr
	}
	if t := r.PostFormValue("type"); t != "" {
		ty := ticket.Type(t)
		u.Type = &ty
	}
	if l := r.PostFormValue("line"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return u, apperr.Field("line", "line must be 1 to 4")
		}
		u.Line = &n
	}
	if u.GroupID, err = idChange(r, "group_id"); err != nil {
		return u, err
	}
	if u.AssigneeID, err = idChange(r, "assignee_id"); err != nil {
		return u, err
	}
	if _, ok := r.PostForm["tags"]; ok {
		tags := splitTags(r.PostFormValue("tags"))
		u.Tags = &tags
	}
	u.CustomFields = customFields(r)
	return u, nil
}

// idChange reads a select of ids where "" means none.
func idChange(r *http.Request, key string) (ticket.IDChange, error) {
	if _, ok := r.PostForm[key]; !ok {
		return ticket.IDChange{}, nil
	}
	v := r.PostFormValue(key)
	if v == "" {
		return ticket.IDChange{Set: true}, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return ticket.IDChange{}, apperr.Field(key, "%s must be an id", key)
	}
	return ticket.IDChange{Set: true, ID: &id}, nil
}

func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, t)
	}
	return out
}

// customFields reads the cf.KEY inputs the agent changed (cf-was.KEY
// holds the value shown); a changed input left empty clears the field.
// Checkboxes send cf.KEY=on when ticked, and cf-present.KEY always.
func customFields(r *http.Request) map[string]any {
	out := map[string]any{}
	for name := range r.PostForm {
		key, ok := strings.CutPrefix(name, "cf-present.")
		if !ok {
			continue
		}
		val := strings.TrimSpace(r.PostFormValue("cf." + key))
		was, hasWas := r.PostForm["cf-was."+key]
		typ := r.PostFormValue("cf-type." + key)
		if hasWas && sameField(typ, val, was[0]) {
			continue
		}
		out[key] = fieldValue(typ, val)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sameField(typ, val, was string) bool {
	if typ == string(ticket.FieldCheckbox) {
		return (val == "on") == (was == "true")
	}
	return val == was
}

// fieldValue turns a form value into the field's JSON value; the service
// answers a wrong one with the field at fault.
func fieldValue(typ, val string) any {
	switch {
	case typ == string(ticket.FieldCheckbox):
		return val == "on"
	case val == "":
		return nil
	case typ == string(ticket.FieldNumber):
		if n, err := strconv.ParseFloat(val, 64); err == nil {
			return n
		}
	}
	return val
}

// overlay shows the agent's unsaved choices on the ticket.
func overlay(t *ticket.Ticket, u ticket.Update) {
	if u.Status != nil {
		t.Status = *u.Status
	}
	if u.Priority != nil {
		t.Priority = *u.Priority
	}
	if u.Type != nil {
		t.Type = *u.Type
	}
	if u.Line != nil {
		t.Line = *u.Line
	}
	if u.GroupID.Set {
		t.GroupID = u.GroupID.ID
	}
	if u.AssigneeID.Set {
		t.AssigneeID = u.AssigneeID.ID
	}
	if u.Tags != nil {
		t.Tags = *u.Tags
	}
	if len(u.CustomFields) > 0 {
		fields := make(map[string]any, len(t.CustomFields)+len(u.CustomFields))
		for k, v := range t.CustomFields {
			fields[k] = v
		}
		for k, v := range u.CustomFields {
			fields[k] = v
		}
		t.CustomFields = fields
	}
}

// maxFiles is how many files one comment may carry.
const maxFiles = 20

// handleComment adds a public reply or an internal note with its files,
// and optionally moves the ticket on (e.g. reply and set pending).
func (s *Server) handleComment(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.Attachments.MaxBytes()*maxFiles+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return attachment.TooLargeError(s.Attachments.MaxBytes())
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return apperr.Errorf(apperr.BadRequest, "malformed form")
		}
	}
	ids, err := s.uploadFiles(r)
	if err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	public := r.PostFormValue("public") == "1"
	_, err = s.Tickets.AddComment(r.Context(), v.P, id, ticket.NewComment{
		Body: r.PostFormValue("body"), Public: public, Channel: ticket.ChannelWeb, AttachmentIDs: ids,
	})
	if err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	if st := r.PostFormValue("then_status"); st != "" {
		if err := s.thenStatus(r, id, ticket.Status(st)); err != nil {
			return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
		}
	}
	s.Presence.Touch(r.Context(), id, v.P.AgentID, v.P.Name, false)
	s.Watcher.Poke()
	done := "noted"
	if public {
		done = "replied"
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=%s#end", id, done))
	return nil
}

// thenStatus applies the status chosen beside the send button to the
// ticket as it is after the comment.
func (s *Server) thenStatus(r *http.Request, id int64, st ticket.Status) error {
	v := viewer(r)
	t, err := s.Tickets.FindTicket(r.Context(), v.P, id)
	if err != nil || t.Status == st {
		return err
	}
	_, err = s.Tickets.UpdateTicket(r.Context(), v.P, id, ticket.Update{Version: t.Version, Status: &st})
	return err
}

// uploadFiles stores the files of the form's "files" inputs.
func (s *Server) uploadFiles(r *http.Request) ([]int64, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	files := r.MultipartForm.File["files"]
	if len(files) > maxFiles {
		return nil, apperr.Field("files", "at most %d files per comment", maxFiles)
	}
	var ids []int64
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		a, err := s.upload(r, fh)
		if err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

func (s *Server) upload(r *http.Request, fh *multipart.FileHeader) (attachment.Attachment, error) {
	f, err := fh.Open()
	if err != nil {
		return attachment.Attachment{}, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	return s.Attachments.Upload(r.Context(), viewer(r).P, fh.Filename, fh.Header.Get("Content-Type"), f)
}

func (s *Server) handleEscalate(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	e := ticket.Escalation{Reason: r.PostFormValue("reason")}
	if l := r.PostFormValue("line"); l != "" {
		if e.Line, err = strconv.Atoi(l); err != nil {
			return apperr.Field("line", "line must be 1 to 4")
		}
	}
	if g := r.PostFormValue("group_id"); g != "" {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return apperr.Field("group_id", "group must be an id")
		}
		e.GroupID = &gid
	}
	if e.Line != 0 && e.GroupID == nil {
		// A line without a named group: the line's first group takes it,
		// unless the ticket's group already works at that line.
		t, err := s.Tickets.FindTicket(r.Context(), v.P, id)
		if err != nil {
			return err
		}
		if e.GroupID, err = s.SLA.LineGroup(r.Context(), e.Line, t.GroupID); err != nil {
			return err
		}
	}
	if _, err := s.Tickets.Escalate(r.Context(), v.P, id, e); err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=escalated", id))
	return nil
}

func (s *Server) handleMerge(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	into, err := s.ticketByNumber(r, r.PostFormValue("into"))
	if err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	if _, err := s.Tickets.Merge(r.Context(), v.P, id, into); err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=merged", into))
	return nil
}

// ticketByNumber finds the id of a ticket the agent may see by its number
// as customers write it ("#1042" or "1042").
func (s *Server) ticketByNumber(r *http.Request, number string) (int64, error) {
	number = strings.TrimSpace(number)
	n, err := strconv.ParseInt(strings.TrimPrefix(number, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Field("into", "write the ticket's number, e.g. #1042")
	}
	list, _, err := s.Tickets.FindTickets(r.Context(), viewer(r).P, ticket.Filter{Query: "#" + strconv.FormatInt(n, 10), PerPage: 1})
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, apperr.Field("into", "there is no ticket %s you can see", ticket.Number(n))
	}
	return list[0].ID, nil
}

func (s *Server) handleSplit(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(r.PathValue("comment"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("comment %q not found", r.PathValue("comment"))
	}
	t, err := s.Tickets.SplitComment(r.Context(), v.P, id, cid, r.PostFormValue("subject"))
	if err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=split", t.ID))
	return nil
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	other, err := s.ticketByNumber(r, r.PostFormValue("number"))
	if err == nil {
		err = s.Tickets.Link(r.Context(), v.P, id, other, r.PostFormValue("kind"))
	}
	if err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=saved", id))
	return nil
}

func (s *Server) handleUnlink(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	other, err := strconv.ParseInt(r.PathValue("other"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("ticket %q not found", r.PathValue("other"))
	}
	if err := s.Tickets.Unlink(r.Context(), v.P, id, other); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=saved", id))
	return nil
}

// handleAttachment serves a file to an agent who may see its ticket.
func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("attachment %q not found", r.PathValue("id"))
	}
	a, f, err := s.Attachments.Open(r.Context(), viewer(r).P, id, s.Tickets)
	if err != nil {
		return err
	}
	defer f.Close()
	api.ServeAttachment(w, r, a, f)
	return nil
}

// handleRequester puts the ticket in the name of the contact picked in
// the side panel, as when a caller is identified after the call.
func (s *Server) handleRequester(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return apperr.Field("version", "the form is missing the ticket's version; reload the page")
	}
	contact, err := strconv.ParseInt(r.PostFormValue("contact_id"), 10, 64)
	if err != nil {
		return s.ticketError(w, r, id, apperr.Field("contact_id", "%s", v.L.T("quick.pick_caller")), func(*ticket.Ticket) {})
	}
	if _, err := s.Tickets.UpdateTicket(r.Context(), v.P, id, ticket.Update{Version: version, RequesterID: &contact}); err != nil {
		return s.ticketError(w, r, id, err, func(*ticket.Ticket) {})
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=saved", id))
	return nil
}
