// Package portal serves the customer portal at /portal: sign-in and
// registration, the customer's tickets (list, page, new ticket with
// suggested articles, replies, live updates, ratings), the knowledge
// base, the installable app's manifest and service worker, and the web
// forms client sites embed. Handlers are thin: the
// rules live in internal/portal and internal/ticket.
package portal

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/kb"
	"linedesk/internal/live"
	"linedesk/internal/portal"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
	"linedesk/internal/web/static"
)

// Server holds what the portal's handlers call.
type Server struct {
	Log         *slog.Logger
	Portal      *portal.Service
	Tickets     *ticket.Service
	Directory   *directory.Service
	Attachments *attachment.Service
	Sessions    *scs.SessionManager // the portal's own sessions, apart from the workspace's
	Text        *i18n.Bundle
	Assets      *static.Assets
	Hub         *live.Hub
	Promise     portal.Promise // nil: NoPromise
	KB          *kb.Service
	Plans       PlanFinder // the contacts' plans, for articles limited to plans; nil: nobody is under a plan
	// Search finds tickets for the list's search box, in the customer's
	// scope; nil: the list matches the words in the tickets' own text.
	Search *search.Service
	// AgentBrowser reports whether a request comes from a browser signed in
	// to the workspace, whose reading of an article the workspace counts;
	// nil: none is.
	AgentBrowser func(*http.Request) bool
	SecureOnly   bool // the portal is only reached over HTTPS: cookies are always Secure
	Closing      <-chan struct{}
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []*net.IPNet

	pages  *pages
	routes []Route
}

// Route is one of the portal's routes and who may call it.
type Route struct {
	Pattern string
	Access  string // AccessPublic, AccessCustomer or AccessForm
}

// Who may call a route.
const (
	AccessPublic   = "public"   // anyone: sign-in, registration, links, rating links, the app's files, the knowledge base
	AccessCustomer = "customer" // a signed-in contact with access, on what they may see
	AccessForm     = "form"     // anyone, from the sites a web form allows
)

// handlerFunc is a portal handler: it renders a page or redirects, and
// returns an error for the one error page to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler returns the portal's routes, all under /portal. Every state
// change must come from the portal's own origin, except a web form's
// submission, which checks the form's allowed sites itself.
func (s *Server) Handler() (http.Handler, error) {
	p, err := loadPages(s.Assets)
	if err != nil {
		return nil, err
	}
	s.pages = p
	if s.Promise == nil {
		s.Promise = portal.NoPromise{}
	}
	mux := http.NewServeMux()
	s.routes = nil
	s.signInRoutes(mux)
	s.ticketRoutes(mux)
	s.ratingRoutes(mux)
	s.kbRoutes(mux)
	s.appRoutes(mux)
	s.formRoutes(mux)
	mux.HandleFunc("/portal/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.NotFoundf("no page %s", r.URL.Path))
	})
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST /portal/forms/{id}")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return csrf.Handler(s.loadSession(securityHeaders(mux))), nil
}

// Routes lists every route the portal serves.
func (s *Server) Routes() []Route { return s.routes }

// public registers a route anyone may call.
func (s *Server) public(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, Route{pattern, AccessPublic})
	mux.Handle(pattern, s.serve(h))
}

// page registers a route for signed-in customers.
func (s *Server) page(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, Route{pattern, AccessCustomer})
	mux.Handle(pattern, s.signedIn(s.serve(h)))
}

// form registers a route of a web form.
func (s *Server) form(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, Route{pattern, AccessForm})
	mux.Handle(pattern, s.serve(h))
}

func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail shows an error page. A ticket, file or link a customer may not see
// is "not found", the same page as one that does not exist.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ref *portal.Refusal
	if errors.As(err, &ref) {
		s.refused(w, r, ref)
		return
	}
	status, key := http.StatusInternalServerError, "error.internal"
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		status, key = http.StatusNotFound, "error.not_found"
	case apperr.Unauthorized:
		s.toSignIn(w, r)
		return
	case apperr.Forbidden:
		status, key = http.StatusForbidden, "error.forbidden"
	case apperr.RateLimited:
		status, key = http.StatusTooManyRequests, "error.rate_limited"
	case apperr.TooLarge:
		status, key = http.StatusRequestEntityTooLarge, "error.too_large"
	case apperr.Conflict:
		status, key = http.StatusConflict, "error.conflict"
	case apperr.Invalid, apperr.BadRequest:
		status, key = http.StatusUnprocessableEntity, "error.invalid"
	default:
		if r.Context().Err() == nil {
			s.Log.ErrorContext(r.Context(), "portal request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	l := s.localizer(r)
	s.render(w, r, status, "message", messagePage{Page: s.newPage(r, l, "message"), Title: l.T("portal." + key),
		Status: status})
}

// securityHeaders keep the portal's pages out of other sites' frames and
// scripts; a web form's own page sets the sites that may frame it.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/portal/forms/") {
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		}
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// redirect sends the browser on.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// clientIP is the address the request came from. X-Forwarded-For is
// believed only from a trusted proxy, and only its last hop.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !s.trusted(ip) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	if last := strings.TrimSpace(hops[len(hops)-1]); net.ParseIP(last) != nil {
		return last
	}
	return host
}

func (s *Server) trusted(ip net.IP) bool {
	for _, n := range s.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// secure reports whether the browser reached us over HTTPS.
func (s *Server) secure(r *http.Request) bool {
	return s.SecureOnly || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}
