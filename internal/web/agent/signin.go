package agent

import (
	"net"
	"net/http"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
)

func (s *Server) signInRoutes(mux *http.ServeMux) {
	mux.Handle("GET /login", s.serve(s.handleLoginForm))
	mux.Handle("POST /login", s.serve(s.handleLogin))
	mux.Handle("GET /login/totp", s.serve(s.handleTOTPForm))
	mux.Handle("POST /login/totp", s.serve(s.handleTOTP))
	mux.Handle("POST /logout", s.serve(s.handleLogout))
}

type loginPage struct {
	Page
	Email string
	Next  string
	Error string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	if s.Sessions.GetInt64(r.Context(), keyAgent) != 0 {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return nil
	}
	l := s.localizer(r)
	if lang := r.URL.Query().Get("lang"); lang != "" {
		http.SetCookie(w, &http.Cookie{Name: "linedesk_lang", Value: l.Lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	}
	s.render(w, r, http.StatusOK, "login", loginPage{Page: s.newPage(r, l, nil, "login"), Next: r.URL.Query().Get("next")})
	return nil
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	email, next := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("next")
	res, err := s.Auth.Login(r.Context(), auth.LoginAttempt{
		Email: email, Password: r.PostFormValue("password"), IP: s.clientIP(r), Device: deviceCookie(r),
	})
	if err != nil {
		status, key := signInError(err)
		if key == "" {
			return err
		}
		s.render(w, r, status, "login", loginPage{Page: s.newPage(r, l, nil, "login"), Email: email, Next: next, Error: l.T(key)})
		return nil
	}
	s.setDevice(w, r, res.Device)
	ctx := r.Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	if res.NeedTOTP {
		s.Sessions.Put(ctx, keyPending, res.AgentID)
		s.Sessions.Put(ctx, "next", next)
		if err := s.commit(w, r); err != nil {
			return err
		}
		redirect(w, r, "/login/totp")
		return nil
	}
	return s.signIn(w, r, res.AgentID, next)
}

// signInError maps a refused sign-in to its status and message.
func signInError(err error) (int, string) {
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		return http.StatusUnauthorized, "login.wrong"
	case apperr.Is(err, apperr.RateLimited):
		return http.StatusTooManyRequests, "login.throttled"
	case apperr.Is(err, apperr.Invalid):
		return http.StatusUnauthorized, "login.wrong_code"
	}
	return 0, ""
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request, agentID int64, next string) error {
	ctx := r.Context()
	s.Sessions.Remove(ctx, keyPending)
	s.Sessions.Remove(ctx, "next")
	s.Sessions.Put(ctx, keyAgent, agentID)
	if err := s.commit(w, r); err != nil {
		return err
	}
	redirect(w, r, safeNext(next))
	return nil
}

type totpPage struct {
	Page
	Error string
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request) error {
	if s.Sessions.GetInt64(r.Context(), keyPending) == 0 {
		redirect(w, r, "/login")
		return nil
	}
	s.render(w, r, http.StatusOK, "totp", totpPage{Page: s.newPage(r, s.localizer(r), nil, "login")})
	return nil
}

func (s *Server) handleTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := s.Sessions.GetInt64(ctx, keyPending)
	if id == 0 {
		redirect(w, r, "/login")
		return nil
	}
	l := s.localizer(r)
	if err := s.Auth.VerifyTOTP(ctx, id, strings.TrimSpace(r.PostFormValue("code")), s.clientIP(r)); err != nil {
		status, key := signInError(err)
		if key == "" {
			return err
		}
		s.render(w, r, status, "totp", totpPage{Page: s.newPage(r, l, nil, "login"), Error: l.T(key)})
		return nil
	}
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	return s.signIn(w, r, id, s.Sessions.GetString(ctx, "next"))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	redirect(w, r, "/login?done=signed_out")
	return nil
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// clientIP is the address the request came from. X-Forwarded-For is
// believed only from a trusted proxy, and only its last hop (the address
// that proxy saw): anyone could set the header to dodge the sign-in
// limits.
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

func deviceCookie(r *http.Request) string {
	if c, err := r.Cookie(deviceName); err == nil {
		return c.Value
	}
	return ""
}

// setDevice remembers this browser as one the agent signed in from, so
// an attacker's failures elsewhere cannot lock the agent out of it.
func (s *Server) setDevice(w http.ResponseWriter, r *http.Request, value string) {
	if value == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceName, Value: value, Path: "/login", MaxAge: int((90 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}
