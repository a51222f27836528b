package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

func (s *Server) ratingRoutes(mux *http.ServeMux) {
	s.public(mux, "GET /portal/rate/{token}", s.handleRateForm)
	s.public(mux, "POST /portal/rate/{token}", s.handleRateByLink)
	s.page(mux, "POST /portal/tickets/{number}/rating", s.handleRate)
}

// ratePage rates a ticket from the link in the "solved" mail, without
// signing in.
type ratePage struct {
	Page
	T       ticket.Ticket
	Token   string
	Rating  *portal.Rating
	CanRate bool
	Error   string
	Done    bool
}

func (s *Server) rateData(r *http.Request, t ticket.Ticket) (ratePage, error) {
	l := s.Text.For(s.requesterLanguage(r, t), time.UTC)
	d := ratePage{Page: s.newPage(r, l, "rate"), T: t, Token: r.PathValue("token")}
	rating, found, err := s.Portal.FindRating(r.Context(), t.ID)
	if err != nil {
		return d, err
	}
	if found {
		d.Rating = &rating
	}
	d.CanRate = portal.Rateable(t) && (!found || time.Now().Before(rating.ChangeableUntil()))
	return d, nil
}

// requesterLanguage is the language of the ticket's requester, whom the
// link was mailed to.
func (s *Server) requesterLanguage(r *http.Request, t ticket.Ticket) string {
	c, err := s.Directory.FindContact(r.Context(), t.Requester.ID)
	if err != nil {
		return s.localizer(r).Lang
	}
	return c.Language
}

func (s *Server) handleRateForm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Portal.TicketByRatingToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	d, err := s.rateData(r, t)
	if err != nil {
		return err
	}
	d.Done = r.URL.Query().Get("done") == "rated"
	s.render(w, r, http.StatusOK, "rate", d)
	return nil
}

func (s *Server) handleRateByLink(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Portal.TicketByRatingToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	_, err = s.Portal.Rate(r.Context(), t, t.Requester.ID, score, r.PostFormValue("comment"))
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		d, derr := s.rateData(r, t)
		if derr != nil {
			return derr
		}
		d.Error = d.L.T("portal.rating.error_" + string(e.Code))
		s.render(w, r, http.StatusUnprocessableEntity, "rate", d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, "/portal/rate/"+r.PathValue("token")+"?done=rated")
	return nil
}

// handleRate rates a ticket from its page in the portal.
func (s *Server) handleRate(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	t, err := s.findTicket(r)
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	_, err = s.Portal.Rate(r.Context(), t, v.A.ContactID, score, r.PostFormValue("comment"))
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		d, derr := s.ticketData(r.Context(), v, t)
		if derr != nil {
			return derr
		}
		d.Page, d.Error = s.newPage(r, v.L, "ticket"), v.L.T("portal.rating.error_"+string(e.Code))
		s.render(w, r, http.StatusUnprocessableEntity, "ticket", d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/portal/tickets/%d?done=rated#rating", t.Number))
	return nil
}
