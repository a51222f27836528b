package agent

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

func (s *Server) quickRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /new", s.handleQuickForm)
	s.page(mux, "POST /new", s.handleQuick)
	s.page(mux, "GET /callers", s.handleCallers)
}

// quickPage is the phone ticket: what the caller says first, who they are
// after.
type quickPage struct {
	Page
	Groups      []directory.Group
	Error       string
	Description string
	Subject     string
	Caller      string
	ContactID   string
	Priority    string
	GroupID     string
}

func (s *Server) handleQuickForm(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	groups, _, err := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "quick", quickPage{Page: s.newPage(r, v.L, v, "quick"), Groups: groups, Priority: "normal"})
	return nil
}

func (s *Server) handleQuick(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	form := quickPage{Description: r.PostFormValue("description"), Subject: strings.TrimSpace(r.PostFormValue("subject")),
		Caller: strings.TrimSpace(r.PostFormValue("caller")), ContactID: r.PostFormValue("contact_id"),
		Priority: r.PostFormValue("priority"), GroupID: r.PostFormValue("group_id")}
	t, err := s.createQuick(r, form)
	if err != nil {
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			return err
		}
		groups, _, gerr := s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500})
		if gerr != nil {
			return gerr
		}
		form.Page, form.Groups, form.Error = s.newPage(r, v.L, v, "quick"), groups, e.Message
		s.render(w, r, http.StatusUnprocessableEntity, "quick", form)
		return nil
	}
	s.Watcher.Poke()
	redirect(w, r, fmt.Sprintf("/tickets/%d?done=created", t.ID))
	return nil
}

func (s *Server) createQuick(r *http.Request, f quickPage) (ticket.Ticket, error) {
	v := viewer(r)
	if strings.TrimSpace(f.Description) == "" {
		return ticket.Ticket{}, apperr.Field("description", "%s", v.L.T("quick.need_description"))
	}
	req, err := s.caller(r, f)
	if err != nil {
		return ticket.Ticket{}, err
	}
	in := ticket.NewTicket{Subject: f.Subject, Description: f.Description, Requester: req,
		Priority: ticket.Priority(f.Priority), Channel: ticket.ChannelPhone}
	if in.Subject == "" {
		in.Subject = firstLine(f.Description, 80)
	}
	if f.GroupID != "" {
		id, err := strconv.ParseInt(f.GroupID, 10, 64)
		if err != nil {
			return ticket.Ticket{}, apperr.Field("group_id", "choose a group from the list")
		}
		in.GroupID = &id
	}
	return s.Tickets.CreateTicket(r.Context(), v.P, in)
}

// caller is whom the ticket is for: the contact picked from the lookup,
// an e-mail address typed in, or a new contact with the name or phone
// the agent typed, to be completed after the call.
func (s *Server) caller(r *http.Request, f quickPage) (ticket.RequesterRef, error) {
	if f.ContactID != "" {
		id, err := strconv.ParseInt(f.ContactID, 10, 64)
		if err != nil {
			return ticket.RequesterRef{}, apperr.Field("contact_id", "choose the caller from the list")
		}
		return ticket.RequesterRef{ID: &id}, nil
	}
	if strings.Contains(f.Caller, "@") {
		return ticket.RequesterRef{Email: f.Caller}, nil
	}
	in := directory.ContactInput{Name: f.Caller}
	if looksLikePhone(f.Caller) {
		in.Phone = f.Caller
	}
	if in.Name == "" {
		in.Name = viewer(r).L.T("quick.unknown_caller")
	}
	c, err := s.Directory.CreateContact(r.Context(), in)
	if err != nil {
		return ticket.RequesterRef{}, err
	}
	return ticket.RequesterRef{ID: &c.ID}, nil
}

func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 5
}

// firstLine makes a subject of a description's first line.
func firstLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

type callersPage struct {
	Page
	Contacts  []directory.Contact
	Companies map[int64]string
	Q         string
}

// handleCallers looks a caller up by phone, e-mail or name as the agent
// types.
func (s *Server) handleCallers(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	q := strings.TrimSpace(r.URL.Query().Get("caller"))
	data := callersPage{Page: s.newPage(r, v.L, v, "quick"), Q: q}
	if utf8.RuneCountInString(q) >= 2 {
		list, _, err := s.Directory.FindContacts(r.Context(), directory.ContactFilter{Q: q, Limit: 8})
		if err != nil {
			return err
		}
		var ids []int64
		for _, c := range list {
			if c.CompanyID != nil {
				ids = append(ids, *c.CompanyID)
			}
		}
		if data.Companies, err = s.Directory.CompanyNames(r.Context(), ids); err != nil {
			return err
		}
		data.Contacts = list
	}
	s.fragment(w, r, "quick", "callers", data)
	return nil
}
