package api

import "net/http"

func (s *Server) jobRoutes(mux *http.ServeMux) {
}
