package api

import "net/http"

func (s *Server) directoryRoutes(mux *http.ServeMux) {
}
