package agent

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
)

// Session keys.
const (
	keyAgent   = "agent_id"   // the signed-in agent
	keyPending = "pending_id" // an agent whose password was right and who still owes a second factor
	cookieName = "linedesk_session"
	deviceName = "linedesk_device"
)

// Viewer is the signed-in agent a request acts for.
type Viewer struct {
	P     auth.Principal
	Agent directory.Agent
	L     *i18n.Localizer
	Now   time.Time // the request's moment, as deadlines count it
	Away  bool      // the agent marked themselves away
}

type viewerKey struct{}

func viewer(r *http.Request) *Viewer { return r.Context().Value(viewerKey{}).(*Viewer) }

func viewerOrNil(r *http.Request) *Viewer {
	v, _ := r.Context().Value(viewerKey{}).(*Viewer)
	return v
}

// loadSession reads the session cookie into the request's context.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token string
		if c, err := r.Cookie(cookieName); err == nil {
			token = c.Value
		}
		ctx, err := s.Sessions.Load(r.Context(), token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SignedInAgent is the agent whose workspace session the request's
// cookie carries, 0 for none; other parts of Linedesk (the portal) ask it
// of requests that are not the workspace's.
func SignedInAgent(r *http.Request, sessions *scs.SessionManager) int64 {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return 0
	}
	ctx, err := sessions.Load(r.Context(), c.Value)
	if err != nil {
		return 0
	}
	return sessions.GetInt64(ctx, keyAgent)
}

// signedIn lets only signed-in, active agents through, with their
// principal, profile and language in the context.
func (s *Server) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.Sessions.GetInt64(r.Context(), keyAgent)
		if id == 0 {
			s.toSignIn(w, r)
			return
		}
		v, err := s.loadViewer(r.Context(), id)
		if err != nil {
			// A deactivated agent's session ends here.
			s.Sessions.Destroy(r.Context())
			s.toSignIn(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

func (s *Server) loadViewer(ctx context.Context, agentID int64) (*Viewer, error) {
	p, err := s.Auth.LoadPrincipal(ctx, agentID)
	if err != nil {
		return nil, err
	}
	a, err := s.Directory.FindAgent(ctx, agentID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	v := &Viewer{P: p, Agent: a, L: s.Text.For(a.Language, loc), Now: s.SLA.Now()}
	if s.Assign != nil {
		if v.Away, err = s.Assign.IsAway(ctx, agentID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// localizer speaks the signed-in agent's language, or the browser's.
func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	if v := viewerOrNil(r); v != nil {
		return v.L
	}
	lang := i18n.Supported(r.URL.Query().Get("lang"))
	if lang == "" {
		if c, err := r.Cookie("linedesk_lang"); err == nil {
			lang = i18n.Supported(c.Value)
		}
	}
	if lang == "" {
		lang = i18n.Match(r.Header.Get("Accept-Language"))
	}
	return s.Text.For(lang, time.UTC)
}

// toSignIn sends the browser to the sign-in page, to come back after.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	to := "/login"
	if r.Method == http.MethodGet && !isPartial(r) && r.URL.Path != "/" {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	redirect(w, r, to)
}

// secure reports whether the browser reached us over HTTPS, directly or
// through a proxy that says so.
func (s *Server) secure(r *http.Request) bool {
	return s.SecureOnly || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// commit saves the session and sets its cookie. Handlers that change the
// session call it before writing their answer.
func (s *Server) commit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token, expiry, err := s.Sessions.Commit(ctx)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/", Expires: expiry, MaxAge: int(time.Until(expiry).Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// endSession destroys the session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	return nil
}
