package agent

import "net/http"

// adminRoutes are the administration screens.
func (s *Server) adminRoutes(mux *http.ServeMux) {
}
