// Package api serves Linedesk's REST API under /api/v1: JSON in and out,
// bearer-token authentication, one error shape.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/assign"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/mailbox"
	"linedesk/internal/portal"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/script"
	"linedesk/internal/search"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Server holds the services the API handlers call.
type Server struct {
	Log         *slog.Logger
	Auth        *auth.Service
	Directory   *directory.Service
	Tickets     *ticket.Service
	Attachments *attachment.Service
	Jobs        *job.Queue
	Mailboxes   *mailbox.Service
	KB          *kb.Service
	Scripts     *script.Service
	Replies     *reply.Service
	Portal      *portal.Service
	SLA         *sla.Service
	Search      *search.Service
	Routing     *routing.Service
	Assign      *assign.Service

	routes []string
}

// handlerFunc is an API handler: it writes a success response itself and
// returns an error for the one error writer to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the API's routes, all under /api/v1.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = nil
	s.public(mux, "GET /api/v1/openapi.json", s.handleOpenAPI)
	s.tokenRoutes(mux)
	s.ticketRoutes(mux)
	s.directoryRoutes(mux)
	s.attachmentRoutes(mux)
	s.jobRoutes(mux)
	s.mailboxRoutes(mux)
	s.kbRoutes(mux)
	s.scriptRoutes(mux)
	s.replyRoutes(mux)
	s.portalRoutes(mux)
	s.slaRoutes(mux)
	s.searchRoutes(mux)
	s.routingRoutes(mux)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.Log, apperr.NotFoundf("no API route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// Routes lists every registered "METHOD /path" pattern.
func (s *Server) Routes() []string { return s.routes }

// handle registers an authenticated route.
func (s *Server) handle(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, pattern)
	mux.Handle(pattern, s.authenticate(s.serve(h)))
}

// public registers a route that needs no token.
func (s *Server) public(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, pattern)
	mux.Handle(pattern, s.serve(h))
}

func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.Log, err)
		}
	})
}

// authenticate resolves the bearer token to a principal, or answers 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			writeError(w, r, s.Log, apperr.Errorf(apperr.Unauthorized, "an API token is required: Authorization: Bearer TOKEN"))
			return
		}
		p, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// principal returns the authenticated agent of a request.
func principal(r *http.Request) auth.Principal {
	p, _ := auth.FromContext(r.Context())
	return p
}

// requireAdmin refuses principals that are not administrators.
func requireAdmin(r *http.Request) error {
	if !principal(r).IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only an administrator may do this")
	}
	return nil
}
