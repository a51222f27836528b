package agent

import (
	"net/http"

	"linedesk/internal/ticket"
)

func (s *Server) noticeRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /notices", s.handleNotices)
	s.page(mux, "GET /notices/count", s.handleNoticeCount)
}

type noticesPage struct {
	Page
	Notices []ticket.Notice
	Unread  int
	Events  eventWriter
}

// handleNotices lists what happened on the agent's tickets and marks it
// seen.
func (s *Server) handleNotices(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	list, err := s.Tickets.Notices(r.Context(), v.P, 50)
	if err != nil {
		return err
	}
	lk, err := s.lookups(r.Context())
	if err != nil {
		return err
	}
	fields, err := s.Tickets.FindFields(r.Context())
	if err != nil {
		return err
	}
	if len(list) > 0 {
		if err := s.Tickets.MarkNoticesSeen(r.Context(), v.P, list[0].ID); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "notices", noticesPage{Page: s.newPage(r, v.L, v, "notices"), Notices: list,
		Events: eventWriter{L: v.L, Names: lk, Fields: fields}})
	return nil
}

// handleNoticeCount renders the bell with the number of unread notices.
func (s *Server) handleNoticeCount(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	n, err := s.Tickets.UnreadNotices(r.Context(), v.P)
	if err != nil {
		return err
	}
	s.fragment(w, r, "notices", "bell", noticesPage{Page: s.newPage(r, v.L, v, "notices"), Unread: n})
	return nil
}
