package agent

import (
	"net/http"
	"strconv"

	"linedesk/internal/portal"
)

func (s *Server) ratingRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /ratings", s.handleRatings)
	s.page(mux, "POST /contacts/{id}/invite", s.handleInvite)
}

// ratingsPage lists customers' ratings, the latest first: every rating
// for those who see every ticket, the ratings of their own tickets for
// other agents.
type ratingsPage struct {
	Page
	Ratings []portal.Rating
	Score   int
	Pager   pager
	All     bool
}

func (s *Server) handleRatings(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	score, _ := strconv.Atoi(r.URL.Query().Get("score"))
	if score < 1 || score > 5 {
		score = 0
	}
	list, total, err := s.Portal.FindRatings(r.Context(), v.P, portal.RatingFilter{Score: score, Offset: listOffset(r),
		Limit: adminPerPage})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ratings", ratingsPage{Page: s.newPage(r, v.L, v, "ratings"), Ratings: list,
		Score: score, Pager: newPager(r, total), All: v.P.SeesAllTickets()})
	return nil
}
