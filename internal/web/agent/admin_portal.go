package agent

import (
	"fmt"
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/mailbox"
	"linedesk/internal/portal"
)

func (s *Server) portalRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/portal", s.handlePortalAdmin},
		{"POST /admin/portal", s.handlePortalSave},
		{"POST /admin/portal/accounts/{id}/approve", s.handleRegistration(true)},
		{"POST /admin/portal/accounts/{id}/reject", s.handleRegistration(false)},
		{"POST /admin/contacts/{id}/portal", s.handleAccountSave},
	}
}

// portalAdminPage is the portal's settings, the registrations waiting for
// a decision and every contact with access.
type portalAdminPage struct {
	adminPage
	Settings  portal.Settings
	Mailboxes []mailbox.Mailbox
	Sender    int64 // the mailbox the portal's mail leaves from now; 0: none
	Pending   []portal.Account
	Accounts  []portal.Account
	Pager     pager
}

// Registrations are the policies the settings offer.
func (portalAdminPage) Registrations() []string { return portal.Registrations }

func (s *Server) showPortalAdmin(w http.ResponseWriter, r *http.Request, st portal.Settings, msg string, status int) error {
	ctx := r.Context()
	d := portalAdminPage{adminPage: s.adminBase(r, "portal"), Settings: st}
	d.Error = msg
	var err error
	if d.Mailboxes, _, err = s.Mailboxes.FindMailboxes(ctx, mailbox.MailboxFilter{Limit: 500}); err != nil {
		return err
	}
	if d.Sender, err = s.Portal.Sender(ctx); err != nil {
		return err
	}
	if d.Pending, _, err = s.Portal.FindAccounts(ctx, portal.AccountFilter{State: portal.StatePending, Limit: 500}); err != nil {
		return err
	}
	var total int
	if d.Accounts, total, err = s.Portal.FindAccounts(ctx, portal.AccountFilter{Offset: listOffset(r), Limit: adminPerPage}); err != nil {
		return err
	}
	d.Pager = newPager(r, total)
	s.render(w, r, status, "admin_portal", d)
	return nil
}

func (s *Server) handlePortalAdmin(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Portal.FindSettings(r.Context())
	if err != nil {
		return err
	}
	return s.showPortalAdmin(w, r, st, "", http.StatusOK)
}

func (s *Server) handlePortalSave(w http.ResponseWriter, r *http.Request) error {
	st := portal.Settings{Registration: r.PostFormValue("registration"), Approval: r.PostFormValue("approval") == "on"}
	var err error
	failed := func(msg string, status int) error { return s.showPortalAdmin(w, r, st, msg, status) }
	if st.MailboxID, err = formID(r, "mailbox_id"); err != nil {
		return formFailed(r, err, failed)
	}
	if _, err := s.Portal.SaveSettings(r.Context(), viewer(r).P, st); err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, "/admin/portal?ok=saved")
	return nil
}

// handleRegistration approves or rejects a pending registration.
func (s *Server) handleRegistration(approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "contact")
		if err != nil {
			return err
		}
		p := viewer(r).P
		if approve {
			_, err = s.Portal.Approve(r.Context(), p, id)
		} else {
			_, err = s.Portal.Reject(r.Context(), p, id)
		}
		if apperr.Is(err, apperr.Conflict) {
			redirect(w, r, "/admin/portal")
			return nil
		}
		if err != nil {
			return err
		}
		done := "rejected"
		if approve {
			done = "approved"
		}
		redirect(w, r, "/admin/portal?ok="+done)
		return nil
	}
}

// handleAccountSave changes a contact's portal access from their page: a
// company manager or not, access open or closed.
func (s *Server) handleAccountSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	manager := r.PostFormValue("manager") == "on"
	u := portal.AccountUpdate{Manager: &manager}
	if st := r.PostFormValue("state"); st != "" {
		u.State = &st
	}
	if _, err := s.Portal.UpdateAccount(r.Context(), viewer(r).P, id, u); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			return s.showContact(w, r, id, contactForm{}, msg, status)
		})
	}
	redirect(w, r, fmt.Sprintf("/admin/contacts/%d?ok=saved#portal", id))
	return nil
}

// handleInvite gives the contact access to the portal and mails them the
// link: from their admin page, or from a ticket's requester panel by any
// agent who sees the ticket.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/admin/contacts/%d?ok=invited#portal", id)
	if t := r.PostFormValue("ticket"); t != "" {
		var tid int64
		if _, err := fmt.Sscan(t, &tid); err != nil {
			return apperr.NotFoundf("ticket %q not found", t)
		}
		tk, err := s.Tickets.FindTicket(r.Context(), v.P, tid)
		if err != nil {
			return err
		}
		if tk.Requester.ID != id {
			return apperr.NotFoundf("contact %d is not the ticket's requester", id)
		}
		back = fmt.Sprintf("/tickets/%d?done=invited", tid)
	} else if !v.P.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only administrators may open this page")
	}
	if _, err := s.Portal.Invite(r.Context(), v.P, id); err != nil {
		return err
	}
	redirect(w, r, back)
	return nil
}
