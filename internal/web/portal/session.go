package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// Session keys and cookies. The portal's cookie is its own, for /portal
// only: a customer's session never opens the workspace, nor an agent's
// the portal.
const (
	keyContact = "contact_id"
	cookieName = "linedesk_portal"
	langCookie = "linedesk_portal_lang"
	cookiePath = "/portal"
)

// Viewer is the signed-in customer a request acts for.
type Viewer struct {
	A portal.Account
	C ticket.Customer // what they may see
	L *i18n.Localizer
}

type viewerKey struct{}

func viewer(r *http.Request) *Viewer { return r.Context().Value(viewerKey{}).(*Viewer) }

func viewerOrNil(r *http.Request) *Viewer {
	v, _ := r.Context().Value(viewerKey{}).(*Viewer)
	return v
}

// loadSession reads the portal's session cookie into the request's
// context.
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

// signedIn lets through customers who may use the portal now. A contact
// blocked, closed or refused by their plan since they signed in is
// signed out here, and told why.
func (s *Server) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.Sessions.GetInt64(r.Context(), keyContact)
		if id == 0 {
			s.toSignIn(w, r)
			return
		}
		a, err := s.Portal.Access(r.Context(), id)
		var ref *portal.Refusal
		if errors.As(err, &ref) || apperr.Is(err, apperr.NotFound) {
			s.endSession(w, r)
			if ref == nil {
				s.toSignIn(w, r)
				return
			}
			s.refused(w, r, ref)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := &Viewer{A: a, C: a.Customer(), L: s.Text.For(a.Language, time.UTC)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

// localizer speaks the customer's language: the signed-in contact's, else
// the one chosen on the sign-in page, else the browser's.
func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	if v := viewerOrNil(r); v != nil {
		return v.L
	}
	lang := i18n.Supported(r.URL.Query().Get("lang"))
	if lang == "" {
		if c, err := r.Cookie(langCookie); err == nil {
			lang = i18n.Supported(c.Value)
		}
	}
	if lang == "" {
		lang = i18n.Match(r.Header.Get("Accept-Language"))
	}
	return s.Text.For(lang, time.UTC)
}

// rememberLanguage keeps the language a signed-out visitor chose.
func (s *Server) rememberLanguage(w http.ResponseWriter, r *http.Request) {
	if lang := i18n.Supported(r.URL.Query().Get("lang")); lang != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: cookiePath, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
}

// toSignIn sends the browser to the sign-in page, to come back after.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	to := "/portal/"
	if r.Method == http.MethodGet && r.URL.Path != "/portal/" && !strings.HasPrefix(r.URL.Path, "/portal/live") {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	redirect(w, r, to)
}

// signIn starts a session for the contact, under a new token.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, contactID int64) error {
	ctx := r.Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.Sessions.Put(ctx, keyContact, contactID)
	return s.commit(w, r)
}

// commit saves the session and sets its cookie.
func (s *Server) commit(w http.ResponseWriter, r *http.Request) error {
	token, expiry, err := s.Sessions.Commit(r.Context())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: cookiePath, Expires: expiry,
		MaxAge: int(time.Until(expiry).Seconds()), HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// endSession destroys the session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// safeNext keeps a post-sign-in redirect inside the portal.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/portal/") || strings.Contains(next, "//") || strings.Contains(next, `\`) {
		return "/portal/tickets"
	}
	return next
}
