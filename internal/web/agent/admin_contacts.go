package agent

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
)

func (s *Server) contactRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/contacts", s.handleContacts},
		{"GET /admin/contacts/{id}", s.handleContact},
		{"POST /admin/contacts/{id}", s.handleContactSave},
		{"POST /admin/contacts/{id}/block", s.handleContactBlock(true)},
		{"POST /admin/contacts/{id}/unblock", s.handleContactBlock(false)},
		{"POST /admin/contacts/{id}/merge", s.handleContactMerge},
	}
}

type contactsPage struct {
	adminPage
	Contacts     []directory.Contact
	CompanyNames map[int64]string
	Q            string
	Pager        pager
}

func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request) error {
	data := contactsPage{adminPage: s.adminBase(r, "contacts"), Q: r.URL.Query().Get("q")}
	list, total, err := s.Directory.FindContacts(r.Context(), directory.ContactFilter{Q: data.Q,
		Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Contacts, data.Pager = list, newPager(r, total)
	var ids []int64
	for _, c := range list {
		if c.CompanyID != nil {
			ids = append(ids, *c.CompanyID)
		}
	}
	if data.CompanyNames, err = s.Directory.CompanyNames(r.Context(), ids); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_contacts", data)
	return nil
}

// contactPage edits a contact, blocks or unblocks it, and merges a
// duplicate into it.
type contactPage struct {
	adminPage
	C         directory.Contact // the form's values
	Emails    string            // as typed, one per line
	Companies []directory.Company
	Reason    string          // a block reason that was refused
	Duplicate string          // a duplicate that could not be merged
	Account   *portal.Account // the contact's portal access; nil when none
}

// AccountStates are the states an administrator may put an account in.
func (contactPage) AccountStates() []string { return []string{portal.StateActive, portal.StateRevoked} }

// contactForm is what a refused form puts back on the contact page.
type contactForm struct {
	emails, reason, duplicate string
	edited                    *directory.Contact // the edit form's values; nil shows the contact as stored
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request, id int64, f contactForm, msg string, status int) error {
	c, err := s.Directory.FindContact(r.Context(), id)
	if err != nil {
		return err
	}
	emails := strings.Join(c.Emails, "\n")
	if f.edited != nil {
		c, emails = *f.edited, f.emails
	}
	companies, _, err := s.Directory.FindCompanies(r.Context(), directory.CompanyFilter{Limit: 500})
	if err != nil {
		return err
	}
	data := contactPage{adminPage: s.adminBase(r, "contacts"), C: c, Emails: emails, Companies: companies,
		Reason: f.reason, Duplicate: f.duplicate}
	if a, err := s.Portal.FindAccount(r.Context(), id); err == nil {
		data.Account = &a
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	data.Error = msg
	s.render(w, r, status, "admin_contact", data)
	return nil
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	return s.showContact(w, r, id, contactForm{}, "", http.StatusOK)
}

func (s *Server) handleContactSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	c := directory.Contact{ID: id, Name: r.PostFormValue("name"), Emails: formList(r, "emails"),
		Phone: r.PostFormValue("phone"), Language: r.PostFormValue("language"), Notes: r.PostFormValue("notes")}
	failed := func(msg string, status int) error {
		return s.showContact(w, r, id, contactForm{edited: &c, emails: r.PostFormValue("emails")}, msg, status)
	}
	if c.CompanyID, err = formID(r, "company_id"); err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.Directory.UpdateContact(r.Context(), id, directory.ContactUpdate{Name: &c.Name, Emails: &c.Emails,
		Phone: &c.Phone, CompanyID: directory.Ref{Set: true, ID: c.CompanyID}, Language: &c.Language, Notes: &c.Notes})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/contacts/%d?ok=saved", id))
	return nil
}

// handleContactBlock blocks a contact, with the reason the form must give,
// or unblocks it. A blocked contact's mail is quarantined.
func (s *Server) handleContactBlock(block bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "contact")
		if err != nil {
			return err
		}
		reason := r.PostFormValue("reason")
		u := directory.ContactUpdate{Blocked: &block}
		if block {
			u.BlockedReason = &reason
		}
		if _, err := s.Directory.UpdateContact(r.Context(), id, u); err != nil {
			return formFailed(r, err, func(msg string, status int) error {
				return s.showContact(w, r, id, contactForm{reason: reason}, msg, status)
			})
		}
		done := "unblocked"
		if block {
			done = "blocked"
		}
		redirect(w, r, fmt.Sprintf("/admin/contacts/%d?ok=%s", id, done))
		return nil
	}
}

// handleContactMerge merges the duplicate the form names, by number or
// e-mail address, into this contact.
func (s *Server) handleContactMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	dup := strings.TrimSpace(r.PostFormValue("duplicate"))
	failed := func(msg string, status int) error {
		return s.showContact(w, r, id, contactForm{duplicate: dup}, msg, status)
	}
	dupID, err := s.findDuplicate(r.Context(), viewer(r), dup)
	if err != nil {
		return formFailed(r, err, failed)
	}
	if _, err := s.Directory.MergeContacts(r.Context(), id, dupID); err != nil {
		return formFailed(r, err, failed)
	}
	s.Log.InfoContext(r.Context(), "contacts merged", "kept", id, "merged", dupID, "by", viewer(r).P.AgentID)
	redirect(w, r, fmt.Sprintf("/admin/contacts/%d?ok=merged", id))
	return nil
}

// findDuplicate finds the contact a merge form names: "1042", "#1042" or
// an e-mail address of the contact.
func (s *Server) findDuplicate(ctx context.Context, v *Viewer, ref string) (int64, error) {
	if ref == "" {
		return 0, apperr.Field("duplicate", "%s", v.L.T("admin.contacts.duplicate_required"))
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil {
		if _, err := s.Directory.FindContact(ctx, id); apperr.Is(err, apperr.NotFound) {
			return 0, apperr.Field("duplicate", "%s", v.L.T("admin.contacts.duplicate_unknown", "Ref", ref))
		} else if err != nil {
			return 0, err
		}
		return id, nil
	}
	list, _, err := s.Directory.FindContacts(ctx, directory.ContactFilter{Email: ref, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, apperr.Field("duplicate", "%s", v.L.T("admin.contacts.duplicate_unknown", "Ref", ref))
	}
	return list[0].ID, nil
}
