package portal

import (
	"errors"
	"net/http"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/portal"
)

func (s *Server) signInRoutes(mux *http.ServeMux) {
	s.public(mux, "GET /portal/{$}", s.handleSignInForm)
	s.public(mux, "POST /portal/signin", s.handleSignIn)
	s.public(mux, "POST /portal/signin/link", s.handleLinkRequest)
	s.public(mux, "GET /portal/register", s.handleRegisterForm)
	s.public(mux, "POST /portal/register", s.handleRegister)
	s.public(mux, "GET /portal/link/{token}", s.handleLinkPage)
	s.public(mux, "POST /portal/link/{token}", s.handleLinkUse)
	s.public(mux, "POST /portal/signout", s.handleSignOut)
	s.page(mux, "GET /portal/password", s.handlePasswordForm)
	s.page(mux, "POST /portal/password", s.handlePassword)
	s.page(mux, "GET /portal/profile", s.handleProfile)
	s.page(mux, "POST /portal/profile", s.handleProfileSave)
}

// signInPage is the sign-in page: a password, or a link by e-mail.
type signInPage struct {
	Page
	Email        string
	Next         string
	Error        string
	LinkSent     bool
	Registration bool // self-registration is open
}

func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request, status int, d signInPage) error {
	st, err := s.Portal.FindSettings(r.Context())
	if err != nil {
		return err
	}
	d.Page = s.newPage(r, s.localizer(r), "signin")
	d.Registration = st.Registration != portal.RegistrationOff
	if d.Next == "" {
		d.Next = r.URL.Query().Get("next")
	}
	s.render(w, r, status, "signin", d)
	return nil
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) error {
	if s.Sessions.GetInt64(r.Context(), keyContact) != 0 {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return nil
	}
	s.rememberLanguage(w, r)
	return s.showSignIn(w, r, http.StatusOK, signInPage{})
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	email, next := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("next")
	a, err := s.Portal.SignIn(r.Context(), email, r.PostFormValue("password"), s.clientIP(r))
	if err != nil {
		l := s.localizer(r)
		switch apperr.CodeOf(err) {
		case apperr.Unauthorized:
			return s.showSignIn(w, r, http.StatusUnauthorized, signInPage{Email: email, Next: next, Error: l.T("portal.signin.wrong")})
		case apperr.RateLimited:
			return s.showSignIn(w, r, http.StatusTooManyRequests, signInPage{Email: email, Next: next, Error: l.T("portal.signin.throttled")})
		}
		return err
	}
	if err := s.signIn(w, r, a.ContactID); err != nil {
		return err
	}
	redirect(w, r, safeNext(next))
	return nil
}

// handleLinkRequest mails a sign-in link. The page says the same whether
// the address has access or not.
func (s *Server) handleLinkRequest(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	err := s.Portal.RequestLink(r.Context(), email, s.clientIP(r))
	l := s.localizer(r)
	switch apperr.CodeOf(err) {
	case "":
		return s.showSignIn(w, r, http.StatusOK, signInPage{Email: email, LinkSent: true})
	case apperr.Invalid:
		return s.showSignIn(w, r, http.StatusUnprocessableEntity, signInPage{Email: email, Error: l.T("portal.signin.bad_email")})
	case apperr.RateLimited:
		return s.showSignIn(w, r, http.StatusTooManyRequests, signInPage{Email: email, Error: l.T("portal.signin.too_many_links")})
	}
	return err
}

// registerPage asks for a name and an address; the password comes after
// the address is confirmed.
type registerPage struct {
	Page
	Name, Email string
	Error       string
	Sent        bool
}

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Portal.FindSettings(r.Context())
	if err != nil {
		return err
	}
	if st.Registration == portal.RegistrationOff {
		return &portal.Refusal{Why: portal.RefusedClosed}
	}
	s.rememberLanguage(w, r)
	s.render(w, r, http.StatusOK, "register", registerPage{Page: s.newPage(r, s.localizer(r), "register")})
	return nil
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	d := registerPage{Page: s.newPage(r, l, "register"), Name: strings.TrimSpace(r.PostFormValue("name")),
		Email: strings.TrimSpace(r.PostFormValue("email"))}
	err := s.Portal.Register(r.Context(), portal.Registration{Name: d.Name, Email: d.Email, Language: l.Lang, IP: s.clientIP(r)})
	var ref *portal.Refusal
	switch {
	case err == nil:
		d.Sent = true
		s.render(w, r, http.StatusOK, "register", d)
		return nil
	case errors.As(err, &ref) && ref.Why == portal.RefusedDomain:
		d.Error = l.T("portal.refused.domain")
	case apperr.Is(err, apperr.Invalid):
		d.Error = l.T("portal.register.bad_" + apperr.As(err).Field)
	case apperr.Is(err, apperr.RateLimited):
		d.Error = l.T("portal.error.rate_limited")
	default:
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "register", d)
	return nil
}

// linkPage stands in front of a one-time link: mail scanners open links,
// so only its button uses it.
type linkPage struct {
	Page
	Token   string
	Purpose string
}

func (s *Server) handleLinkPage(w http.ResponseWriter, r *http.Request) error {
	info, err := s.Portal.PeekLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "link", linkPage{Page: s.newPage(r, s.localizer(r), "link"), Token: r.PathValue("token"),
		Purpose: info.Purpose})
	return nil
}

func (s *Server) handleLinkUse(w http.ResponseWriter, r *http.Request) error {
	res, err := s.Portal.UseLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	l := s.Text.For(res.Account.Language, nil)
	if !res.Signed {
		s.render(w, r, http.StatusOK, "message", messagePage{Page: s.newPage(r, l, "message"),
			Title: l.T("portal.pending.title"), Text: l.T("portal.pending.text"), Status: http.StatusOK})
		return nil
	}
	if err := s.signIn(w, r, res.Account.ContactID); err != nil {
		return err
	}
	if res.NeedPassword {
		redirect(w, r, "/portal/password?welcome=1")
		return nil
	}
	redirect(w, r, "/portal/tickets")
	return nil
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	redirect(w, r, "/portal/?done=signed_out")
	return nil
}

// refused tells a person why the portal will not let them in or take
// what they sent, in their language.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, ref *portal.Refusal) {
	l := s.localizer(r)
	d := messagePage{Page: s.newPage(r, l, "refused"), Title: l.T("portal.refused." + ref.Why), Status: http.StatusForbidden}
	switch ref.Why {
	case portal.RefusedPlan:
		d.Text = l.T("portal.refused.plan_default")
		if ref.Instead != "" {
			d.Text = l.T("portal.refused.plan_instead", "Instead", ref.Instead)
		}
	case portal.RefusedLinkBad, portal.RefusedLinkUsed, portal.RefusedLinkStale:
		d.Status, d.Text = http.StatusGone, l.T("portal.refused.link_again")
		if ref.Why == portal.RefusedLinkBad {
			d.Status = http.StatusNotFound
		}
	case portal.RefusedPending:
		d.Text = l.T("portal.pending.text")
	default:
		d.Text = l.T("portal.refused.contact_us")
	}
	s.render(w, r, d.Status, "message", d)
}

// passwordPage chooses a password.
type passwordPage struct {
	Page
	Welcome bool
	Error   string
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	s.render(w, r, http.StatusOK, "password", passwordPage{Page: s.newPage(r, v.L, "password"),
		Welcome: r.URL.Query().Get("welcome") == "1"})
	return nil
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	pw := r.PostFormValue("password")
	msg := ""
	if pw != r.PostFormValue("again") {
		msg = v.L.T("portal.password.mismatch")
	} else if err := s.Portal.SetPassword(r.Context(), v.A.ContactID, pw); apperr.Is(err, apperr.Invalid) {
		msg = v.L.T("portal.password.short")
	} else if err != nil {
		return err
	}
	if msg != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "password", passwordPage{Page: s.newPage(r, v.L, "password"),
			Welcome: r.PostFormValue("welcome") == "1", Error: msg})
		return nil
	}
	redirect(w, r, "/portal/tickets?done=password")
	return nil
}

// profilePage shows who is signed in and the language the portal and its
// mail speak.
type profilePage struct {
	Page
	Company string
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	d := profilePage{Page: s.newPage(r, v.L, "profile")}
	if v.A.CompanyID != nil {
		c, err := s.Directory.FindCompany(r.Context(), *v.A.CompanyID)
		if err != nil {
			return err
		}
		d.Company = c.Name
	}
	s.render(w, r, http.StatusOK, "profile", d)
	return nil
}

func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	if err := s.Portal.SetLanguage(r.Context(), v.A.ContactID, r.PostFormValue("language")); err != nil {
		return err
	}
	redirect(w, r, "/portal/profile?done=saved")
	return nil
}
