package agent

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"linedesk/internal/directory"
	"linedesk/internal/mailbox"
)

// MailboxChecker tries a mailbox's servers with its stored settings: the
// IMAP server it is polled on and the SMTP server its mail goes out
// through. Each error is nil when that server took the settings, and
// otherwise says what failed in words safe to show an administrator.
type MailboxChecker interface {
	CheckMailbox(ctx context.Context, id int64) (imapErr, smtpErr error)
}

func (s *Server) mailboxRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/mailboxes", s.handleMailboxes},
		{"GET /admin/mailboxes/new", s.handleMailboxNew},
		{"POST /admin/mailboxes", s.handleMailboxCreate},
		{"GET /admin/mailboxes/{id}", s.handleMailbox},
		{"POST /admin/mailboxes/{id}", s.handleMailboxSave},
		{"POST /admin/mailboxes/{id}/delete", s.handleMailboxDelete},
		{"POST /admin/mailboxes/{id}/check", s.handleMailboxCheck},
		{"POST /admin/mailboxes/{id}/rules", s.handleRuleAdd},
		{"POST /admin/mailboxes/{id}/rules/{n}/delete", s.handleRuleDelete},
	}
}

type mailboxesPage struct {
	adminPage
	Mailboxes []mailbox.Mailbox
	Pager     pager
}

func (s *Server) handleMailboxes(w http.ResponseWriter, r *http.Request) error {
	data := mailboxesPage{adminPage: s.adminBase(r, "mailboxes")}
	list, total, err := s.Mailboxes.FindMailboxes(r.Context(), mailbox.MailboxFilter{Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Mailboxes, data.Pager = list, newPager(r, total)
	s.render(w, r, http.StatusOK, "admin_mailboxes", data)
	return nil
}

// mailboxPage adds a mailbox or edits one (M.ID set) with its routing
// rules and the result of a connection check.
type mailboxPage struct {
	adminPage
	M          mailbox.Mailbox // the form's values
	Groups     []directory.Group
	Agents     []directory.Agent
	GroupNames map[int64]string
	AgentNames map[int64]string
	Rule       mailbox.Rule // a refused rule, to fix and send again
	Check      *checkResult
}

// TLSModes are the connection security choices, safest first.
func (mailboxPage) TLSModes() []string {
	return []string{mailbox.TLSImplicit, mailbox.TLSStartTLS, mailbox.TLSNone}
}

// checkResult is what a connection check found; an empty error text is
// a server that took the settings.
type checkResult struct {
	IMAP, SMTP string
}

// mailboxView is what the mailbox page shows besides the mailbox.
type mailboxView struct {
	rule  mailbox.Rule
	check *checkResult
	msg   string
}

func (s *Server) showMailbox(w http.ResponseWriter, r *http.Request, m mailbox.Mailbox, view mailboxView, status int) error {
	lk, err := s.lookups(r.Context())
	if err != nil {
		return err
	}
	data := mailboxPage{adminPage: s.adminBase(r, "mailboxes"), M: m, Groups: lk.groups, Agents: lk.agents,
		GroupNames: lk.groupName, AgentNames: lk.agentName, Rule: view.rule, Check: view.check}
	data.Error = view.msg
	s.render(w, r, status, "admin_mailbox", data)
	return nil
}

// storedMailbox shows the mailbox as stored, with what the view adds.
func (s *Server) storedMailbox(w http.ResponseWriter, r *http.Request, id int64, view mailboxView, status int) error {
	m, err := s.Mailboxes.FindMailbox(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showMailbox(w, r, m, view, status)
}

func (s *Server) handleMailboxNew(w http.ResponseWriter, r *http.Request) error {
	m := mailbox.Mailbox{Active: true, DefaultLine: 1, DefaultPriority: "normal", DefaultLanguage: viewer(r).Agent.Language,
		IMAP: mailbox.IMAP{TLS: mailbox.TLSImplicit, Folder: "INBOX", After: mailbox.AfterSeen},
		SMTP: mailbox.SMTP{TLS: mailbox.TLSStartTLS}}
	return s.showMailbox(w, r, m, mailboxView{}, http.StatusOK)
}

func (s *Server) handleMailbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	return s.storedMailbox(w, r, id, mailboxView{}, http.StatusOK)
}

// mailboxForm is the mailbox form as sent: the settings, and the
// passwords, which are never shown again once saved.
type mailboxForm struct {
	m                    mailbox.Mailbox
	imapPass, smtpPass   string
	clearIMAP, clearSMTP bool
}

func mailboxFromForm(r *http.Request, m mailbox.Mailbox) (mailboxForm, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	m.Address, m.Name, m.Active = v("address"), v("name"), r.PostFormValue("active") == "on"
	m.IMAP.Host, m.IMAP.Username, m.IMAP.TLS = v("imap.host"), v("imap.username"), v("imap.tls")
	m.IMAP.Folder, m.IMAP.After, m.IMAP.MoveTo = v("imap.folder"), v("imap.after"), v("imap.move_to")
	m.SMTP.Host, m.SMTP.Username, m.SMTP.TLS = v("smtp.host"), v("smtp.username"), v("smtp.tls")
	m.DefaultPriority, m.DefaultLanguage = v("default_priority"), v("default_language")
	f := mailboxForm{m: m, imapPass: r.PostFormValue("imap.password"), smtpPass: r.PostFormValue("smtp.password"),
		clearIMAP: r.PostFormValue("imap.password_clear") == "on", clearSMTP: r.PostFormValue("smtp.password_clear") == "on"}
	var err error
	if f.m.IMAP.Port, err = formInt(r, "imap.port"); err != nil {
		return f, err
	}
	if f.m.SMTP.Port, err = formInt(r, "smtp.port"); err != nil {
		return f, err
	}
	if f.m.DefaultLine, err = formInt(r, "default_line"); err != nil {
		return f, err
	}
	f.m.DefaultGroupID, err = formID(r, "default_group_id")
	return f, err
}

func (s *Server) handleMailboxCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := mailboxFromForm(r, mailbox.Mailbox{})
	failed := func(msg string, status int) error { return s.showMailbox(w, r, f.m, mailboxView{msg: msg}, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	m := f.m
	created, err := s.Mailboxes.CreateMailbox(r.Context(), mailbox.MailboxInput{Address: m.Address, Name: m.Name,
		IMAP: mailbox.IMAPInput{Host: m.IMAP.Host, Port: m.IMAP.Port, Username: m.IMAP.Username, Password: f.imapPass,
			TLS: m.IMAP.TLS, Folder: m.IMAP.Folder, After: m.IMAP.After, MoveTo: m.IMAP.MoveTo},
		SMTP: mailbox.SMTPInput{Host: m.SMTP.Host, Port: m.SMTP.Port, Username: m.SMTP.Username, Password: f.smtpPass,
			TLS: m.SMTP.TLS},
		DefaultGroupID: m.DefaultGroupID, DefaultLine: m.DefaultLine, DefaultPriority: m.DefaultPriority,
		DefaultLanguage: m.DefaultLanguage, Active: &m.Active})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?ok=created", created.ID))
	return nil
}

// passwordChange is a password field of the edit form: blank keeps the
// saved password, unless the box to remove it is ticked.
func passwordChange(typed string, clear bool) *string {
	switch {
	case typed != "":
		return &typed
	case clear:
		return new(string)
	}
	return nil
}

func (s *Server) handleMailboxSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	cur, err := s.Mailboxes.FindMailbox(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := mailboxFromForm(r, cur)
	failed := func(msg string, status int) error { return s.showMailbox(w, r, f.m, mailboxView{msg: msg}, status) }
	if err != nil {
		return formFailed(r, err, failed)
	}
	m := f.m
	_, err = s.Mailboxes.UpdateMailbox(r.Context(), id, mailbox.MailboxUpdate{Address: &m.Address, Name: &m.Name,
		IMAP: mailbox.IMAPUpdate{Host: &m.IMAP.Host, Port: &m.IMAP.Port, Username: &m.IMAP.Username,
			Password: passwordChange(f.imapPass, f.clearIMAP), TLS: &m.IMAP.TLS, Folder: &m.IMAP.Folder,
			After: &m.IMAP.After, MoveTo: &m.IMAP.MoveTo},
		SMTP: mailbox.SMTPUpdate{Host: &m.SMTP.Host, Port: &m.SMTP.Port, Username: &m.SMTP.Username,
			Password: passwordChange(f.smtpPass, f.clearSMTP), TLS: &m.SMTP.TLS},
		DefaultGroupID: mailbox.Ref{Set: true, ID: m.DefaultGroupID}, DefaultLine: &m.DefaultLine,
		DefaultPriority: &m.DefaultPriority, DefaultLanguage: &m.DefaultLanguage, Active: &m.Active})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?ok=saved", id))
	return nil
}

// handleMailboxDelete deletes a mailbox no ticket came through; one with
// tickets stays, and its page says to deactivate it instead.
func (s *Server) handleMailboxDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	if err := s.Mailboxes.DeleteMailbox(r.Context(), id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			return s.storedMailbox(w, r, id, mailboxView{msg: msg}, status)
		})
	}
	redirect(w, r, "/admin/mailboxes?ok=deleted")
	return nil
}

// handleMailboxCheck tries the mailbox's saved settings on its servers
// and shows what they answered.
func (s *Server) handleMailboxCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	m, err := s.Mailboxes.FindMailbox(r.Context(), id)
	if err != nil {
		return err
	}
	if s.MailboxChecker == nil {
		return s.showMailbox(w, r, m, mailboxView{msg: viewer(r).L.T("admin.mailboxes.check_unavailable")}, http.StatusServiceUnavailable)
	}
	imapErr, smtpErr := s.MailboxChecker.CheckMailbox(r.Context(), id)
	res := &checkResult{}
	if imapErr != nil {
		res.IMAP = imapErr.Error()
	}
	if smtpErr != nil {
		res.SMTP = smtpErr.Error()
	}
	return s.showMailbox(w, r, m, mailboxView{check: res}, http.StatusOK)
}
