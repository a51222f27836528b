package api

import (
	"net/http"

	"linedesk/internal/directory"
)

// Any agent may create and change contacts (the first line registers
// callers); deleting one needs a supervisor or an administrator.
func (s *Server) contactRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/contacts", s.handleContactList)
	s.handle(mux, "POST /api/v1/contacts", s.handleContactCreate)
	s.handle(mux, "GET /api/v1/contacts/{id}", getByID(s.Directory.FindContact))
	s.handle(mux, "PATCH /api/v1/contacts/{id}", s.handleContactUpdate)
	s.handle(mux, "DELETE /api/v1/contacts/{id}", deleteByID(requireSupervisor, s.Directory.DeleteContact))
}

func (s *Server) handleContactList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	companyID, err := queryID(r, "company_id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, total, err := s.Directory.FindContacts(r.Context(), directory.ContactFilter{
		Q: q.Get("q"), CompanyID: companyID, Email: q.Get("email"), Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleContactCreate(w http.ResponseWriter, r *http.Request) error {
	var in directory.ContactInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Directory.CreateContact(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

type contactPatch struct {
	Name          Optional[string]   `json:"name"`
	Email         Optional[string]   `json:"email"`
	Emails        Optional[[]string] `json:"emails"`
	Phone         Optional[string]   `json:"phone"`
	CompanyID     Optional[int64]    `json:"company_id"`
	Language      Optional[string]   `json:"language"`
	Notes         Optional[string]   `json:"notes"`
	Blocked       Optional[bool]     `json:"blocked"`
	BlockedReason Optional[string]   `json:"blocked_reason"`
}

func (s *Server) handleContactUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in contactPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u := directory.ContactUpdate{
		Name:          notNull(&err, "name", in.Name),
		Email:         notNull(&err, "email", in.Email),
		Emails:        notNull(&err, "emails", in.Emails),
		Phone:         notNull(&err, "phone", in.Phone),
		CompanyID:     refOf(in.CompanyID),
		Language:      notNull(&err, "language", in.Language),
		Notes:         notNull(&err, "notes", in.Notes),
		Blocked:       notNull(&err, "blocked", in.Blocked),
		BlockedReason: notNull(&err, "blocked_reason", in.BlockedReason),
	}
	if err != nil {
		return err
	}
	c, err := s.Directory.UpdateContact(r.Context(), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
