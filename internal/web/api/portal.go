package api

import (
	"net/http"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/portal"
)

// portalRoutes are the customer portal's side of the API: its settings,
// contacts' access, web forms and customers' ratings.
func (s *Server) portalRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/portal/settings", s.handlePortalSettings)
	s.handle(mux, "PUT /api/v1/portal/settings", s.handlePortalSettingsSave)
	s.handle(mux, "GET /api/v1/contacts/{id}/portal", getByID(s.Portal.FindAccount))
	s.handle(mux, "PATCH /api/v1/contacts/{id}/portal", s.handleAccountUpdate)
	s.handle(mux, "POST /api/v1/contacts/{id}/portal/invite", s.handleInvite)
	s.handle(mux, "GET /api/v1/forms", s.handleFormList)
	s.handle(mux, "POST /api/v1/forms", s.handleFormCreate)
	s.handle(mux, "GET /api/v1/forms/{id}", getByID(s.Portal.FindForm))
	s.handle(mux, "PUT /api/v1/forms/{id}", s.handleFormReplace)
	s.handle(mux, "DELETE /api/v1/forms/{id}", s.handleFormDelete)
	s.handle(mux, "GET /api/v1/ratings", s.handleRatingList)
	s.handle(mux, "GET /api/v1/tickets/{id}/rating", s.handleTicketRating)
}

func (s *Server) handlePortalSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Portal.FindSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) handlePortalSettingsSave(w http.ResponseWriter, r *http.Request) error {
	var in portal.Settings
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st, err := s.Portal.SaveSettings(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleAccountUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in portal.AccountUpdate
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.Portal.UpdateAccount(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// handleInvite gives the contact access to the portal and mails them a
// link to choose a password.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Portal.Invite(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) handleFormList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Portal.FindForms(r.Context())
	return writeList(w, list, len(list), err)
}

func (s *Server) handleFormCreate(w http.ResponseWriter, r *http.Request) error {
	var in portal.FormInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := s.Portal.CreateForm(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (s *Server) handleFormReplace(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in portal.FormInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := s.Portal.UpdateForm(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) handleFormDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Portal.DeleteForm(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleRatingList lists ratings, the latest first: all of them for those
// who see every ticket, their own tickets' for other agents.
func (s *Server) handleRatingList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f := portal.RatingFilter{Offset: page.Offset(), Limit: page.PerPage}
	if f.AssigneeID, err = queryID(r, "assignee_id"); err != nil {
		return err
	}
	if f.GroupID, err = queryID(r, "group_id"); err != nil {
		return err
	}
	if f.Score, err = queryInt(r, "score", 0, 1, 5); err != nil {
		return err
	}
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	items, total, err := s.Portal.FindRatings(r.Context(), principal(r), f)
	return writeList(w, items, total, err)
}

func queryTime(r *http.Request, name string) (*time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, apperr.Field(name, "must be a time such as 2026-03-01T00:00:00Z")
	}
	return &t, nil
}

// handleTicketRating is the customer's rating of a ticket the caller may
// see; 404 while it has none.
func (s *Server) handleTicketRating(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Tickets.CanViewTicket(r.Context(), principal(r), id); err != nil {
		return err
	}
	rt, found, err := s.Portal.FindRating(r.Context(), id)
	if err != nil {
		return err
	}
	if !found {
		return apperr.NotFoundf("ticket %d has no rating yet", id)
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}
