// Package agent serves the agent workspace: the queues, the ticket page,
// the quick phone ticket and the administration screens, rendered on the
// server with small progressive enhancements.
package agent

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/apperr"
	"linedesk/internal/assign"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/live"
	"linedesk/internal/mailbox"
	"linedesk/internal/portal"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/script"
	"linedesk/internal/search"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
	"linedesk/internal/view"
	"linedesk/internal/web/static"
)

// Server holds what the workspace's handlers call.
type Server struct {
	Log         *slog.Logger
	Auth        *auth.Service
	Directory   *directory.Service
	Tickets     *ticket.Service
	Attachments *attachment.Service
	Jobs        *job.Queue
	Mailboxes   *mailbox.Service
	Sessions    *scs.SessionManager
	Text        *i18n.Bundle
	Assets      *static.Assets
	Hub         *live.Hub
	Presence    *live.Presence
	Watcher     *live.Watcher
	Version     string
	Views       *view.Service
	KB          *kb.Service
	Scripts     *script.Service
	Replies     *reply.Service
	SLA         *sla.Service
	Search      *search.Service
	Routing     *routing.Service
	Assign      *assign.Service
	SecureOnly  bool            // the workspace is only reached over HTTPS: cookies are always Secure
	Closing     <-chan struct{} // closed at shutdown: live streams end
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []*net.IPNet

	// MailboxChecker tries a mailbox's IMAP and SMTP settings for the
	// administration screens; nil leaves the check unavailable.
	MailboxChecker MailboxChecker

	// Portal is the customers' side: their access, ratings, web forms.
	Portal *portal.Service
	// BaseURL is the address customers reach Linedesk at, for embed
	// snippets; empty takes the request's.
	BaseURL string

	pages *pages
}

// handlerFunc is a workspace handler: it renders a page or redirects, and
// returns an error for the one error page to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the workspace's routes. Every state-changing request
// must come from the workspace's own origin.
func (s *Server) Handler() (http.Handler, error) {
	p, err := loadPages(s.Assets)
	if err != nil {
		return nil, err
	}
	s.pages = p
	mux := http.NewServeMux()
	s.signInRoutes(mux)
	s.queueRoutes(mux)
	s.ticketRoutes(mux)
	s.quickRoutes(mux)
	s.liveRoutes(mux)
	s.profileRoutes(mux)
	s.noticeRoutes(mux)
	s.ratingRoutes(mux)
	s.searchRoutes(mux)
	s.adminRoutes(mux)
	s.kbRoutes(mux)
	s.scriptRunRoutes(mux)
	s.replyRoutes(mux)
	s.awayRoutes(mux)
	mux.Handle(static.Prefix, s.Assets)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return csrf.Handler(s.loadSession(securityHeaders(mux))), nil
}

// page registers a route for signed-in agents.
func (s *Server) page(mux *http.ServeMux, pattern string, h handlerFunc) {
	mux.Handle(pattern, s.signedIn(s.serve(h)))
}

// admin registers a route for administrators.
func (s *Server) admin(mux *http.ServeMux, pattern string, h handlerFunc) {
	mux.Handle(pattern, s.signedIn(s.serve(func(w http.ResponseWriter, r *http.Request) error {
		if !viewer(r).P.IsAdmin() {
			return apperr.Errorf(apperr.Forbidden, "only administrators may open this page")
		}
		return h(w, r)
	})))
}

func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail shows an error: a page for a page request, a short text for a
// partial update (the page's script shows it as a notice).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, ""
	var e *apperr.Error
	if errors.As(err, &e) && e.Code != apperr.Internal {
		status, msg = statusOf(e.Code), e.Message
	} else if r.Context().Err() == nil { // a browser that went away is not an error
		s.Log.ErrorContext(r.Context(), "workspace request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		s.toSignIn(w, r)
		return
	}
	v := viewerOrNil(r)
	l := s.localizer(r)
	if msg == "" {
		msg = l.T("error.internal")
	}
	if isPartial(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(msg))
		return
	}
	data := errorPage{Page: s.newPage(r, l, v, "error"), Status: status, Message: msg}
	s.render(w, r, status, "error", data)
}

func statusOf(c apperr.Code) int {
	switch c {
	case apperr.BadRequest:
		return http.StatusBadRequest
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// isPartial reports whether the request asks for a fragment of a page.
func isPartial(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true"
}

// redirect sends the browser on; a partial update is told to navigate.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if isPartial(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// securityHeaders keeps the workspace out of frames and off other origins'
// scripts.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, static.Prefix) {
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// now is the workspace's clock.
func now() time.Time { return time.Now() }
