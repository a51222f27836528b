package api

import "net/http"

func (s *Server) ticketRoutes(mux *http.ServeMux) {
}
