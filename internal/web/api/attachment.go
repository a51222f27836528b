package api

import "net/http"

func (s *Server) attachmentRoutes(mux *http.ServeMux) {
}
