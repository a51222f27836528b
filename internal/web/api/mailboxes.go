package api

import (
	"net/http"

	"linedesk/internal/mailbox"
)

// mailboxRoutes let administrators manage mailboxes, see the messages
// taken in (quarantined ones included) and block sender domains.
func (s *Server) mailboxRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/mailboxes", s.handleMailboxList)
	s.handle(mux, "POST /api/v1/mailboxes", s.handleMailboxCreate)
	s.handle(mux, "GET /api/v1/mailboxes/{id}", adminOnly(getByID(s.Mailboxes.FindMailbox)))
	s.handle(mux, "PATCH /api/v1/mailboxes/{id}", s.handleMailboxUpdate)
	s.handle(mux, "DELETE /api/v1/mailboxes/{id}", deleteByID(requireAdmin, s.Mailboxes.DeleteMailbox))
	s.inboundRoutes(mux)
	s.blockedDomainRoutes(mux)
}

// adminOnly refuses h to anyone but an administrator.
func adminOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAdmin(r); err != nil {
			return err
		}
		return h(w, r)
	}
}

func (s *Server) handleMailboxList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	active, err := queryBool(r, "active")
	if err != nil {
		return err
	}
	items, total, err := s.Mailboxes.FindMailboxes(r.Context(), mailbox.MailboxFilter{
		Active: active, Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleMailboxCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in mailbox.MailboxInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.Mailboxes.CreateMailbox(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

type mailboxPatch struct {
	Address         Optional[string]         `json:"address"`
	Name            Optional[string]         `json:"name"`
	IMAP            *imapPatch               `json:"imap"`
	SMTP            *smtpPatch               `json:"smtp"`
	DefaultGroupID  Optional[int64]          `json:"default_group_id"`
	DefaultLine     Optional[int]            `json:"default_line"`
	DefaultPriority Optional[string]         `json:"default_priority"`
	DefaultLanguage Optional[string]         `json:"default_language"`
	RoutingRules    Optional[[]mailbox.Rule] `json:"routing_rules"`
	Active          Optional[bool]           `json:"active"`
}

type imapPatch struct {
	Host     Optional[string] `json:"host"`
	Port     Optional[int]    `json:"port"`
	Username Optional[string] `json:"username"`
	Password Optional[string] `json:"password"`
	TLS      Optional[string] `json:"tls"`
	Folder   Optional[string] `json:"folder"`
	After    Optional[string] `json:"after"`
	MoveTo   Optional[string] `json:"move_to"`
}

type smtpPatch struct {
	Host     Optional[string] `json:"host"`
	Port     Optional[int]    `json:"port"`
	Username Optional[string] `json:"username"`
	Password Optional[string] `json:"password"`
	TLS      Optional[string] `json:"tls"`
}

func (p mailboxPatch) update() (mailbox.MailboxUpdate, error) {
	var err error
	u := mailbox.MailboxUpdate{
		Address:         notNull(&err, "address", p.Address),
		Name:            notNull(&err, "name", p.Name),
		DefaultGroupID:  mailbox.Ref{Set: p.DefaultGroupID.Set, ID: p.DefaultGroupID.Ptr()},
		DefaultLine:     notNull(&err, "default_line", p.DefaultLine),
		DefaultPriority: notNull(&err, "default_priority", p.DefaultPriority),
		DefaultLanguage: notNull(&err, "default_language", p.DefaultLanguage),
		RoutingRules:    notNull(&err, "routing_rules", p.RoutingRules),
		Active:          notNull(&err, "active", p.Active),
	}
	if i := p.IMAP; i != nil {
		u.IMAP = mailbox.IMAPUpdate{
			Host: notNull(&err, "imap.host", i.Host), Port: notNull(&err, "imap.port", i.Port),
			Username: notNull(&err, "imap.username", i.Username), Password: notNull(&err, "imap.password", i.Password),
			TLS: notNull(&err, "imap.tls", i.TLS), Folder: notNull(&err, "imap.folder", i.Folder),
			After: notNull(&err, "imap.after", i.After), MoveTo: notNull(&err, "imap.move_to", i.MoveTo),
		}
	}
	if m := p.SMTP; m != nil {
		u.SMTP = mailbox.SMTPUpdate{
			Host: notNull(&err, "smtp.host", m.Host), Port: notNull(&err, "smtp.port", m.Port),
			Username: notNull(&err, "smtp.username", m.Username), Password: notNull(&err, "smtp.password", m.Password),
			TLS: notNull(&err, "smtp.tls", m.TLS),
		}
	}
	return u, err
}

func (s *Server) handleMailboxUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in mailboxPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := in.update()
	if err != nil {
		return err
	}
	m, err := s.Mailboxes.UpdateMailbox(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
