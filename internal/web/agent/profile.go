package agent

import (
	"net/http"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/assign"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
)

func (s *Server) profileRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /profile", s.handleProfile)
	s.page(mux, "POST /profile", s.handleProfileSave)
	s.page(mux, "POST /profile/password", s.handlePassword)
	s.page(mux, "POST /profile/totp", s.handleTOTPBegin)
	s.page(mux, "POST /profile/totp/confirm", s.handleTOTPConfirm)
	s.page(mux, "POST /profile/totp/disable", s.handleTOTPDisable)
}

type profilePage struct {
	Page
	Zones       []string
	TOTPEnabled bool
	TOTPSecret  string // while enrolling
	TOTPURI     string
	Error       string
	Avail       *assign.Agent // the agent's shifts, limit and away state
}

// zones are the time zones offered first; any IANA name is accepted.
var zones = []string{"Europe/Riga", "Europe/Moscow", "Europe/Tallinn", "Europe/Vilnius", "Europe/Helsinki",
	"Europe/Kyiv", "Europe/Minsk", "Europe/Warsaw", "Europe/Berlin", "Europe/London", "UTC",
	"Asia/Almaty", "Asia/Tbilisi", "America/New_York"}

func (s *Server) profileData(r *http.Request) (profilePage, error) {
	v := viewer(r)
	on, err := s.Auth.TOTPEnabled(r.Context(), v.P.AgentID)
	if err != nil {
		return profilePage{}, err
	}
	data := profilePage{Page: s.newPage(r, v.L, v, "profile"), Zones: zones, TOTPEnabled: on}
	if s.Assign != nil {
		a, err := s.Assign.FindAgent(r.Context(), v.P.AgentID)
		if err != nil {
			return data, err
		}
		data.Avail = &a
	}
	return data, nil
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) error {
	data, err := s.profileData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "profile", data)
	return nil
}

// profileError shows the profile page again with what was wrong.
func (s *Server) profileError(w http.ResponseWriter, r *http.Request, err error) error {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal {
		return err
	}
	data, derr := s.profileData(r)
	if derr != nil {
		return derr
	}
	data.Error = e.Message
	s.render(w, r, statusOf(e.Code), "profile", data)
	return nil
}

func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	lang, zone := r.PostFormValue("language"), r.PostFormValue("time_zone")
	if i18n.Supported(lang) == "" {
		return s.profileError(w, r, apperr.Field("language", "choose English, Russian or Latvian"))
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" {
		return s.profileError(w, r, apperr.Field("time_zone", "%q is not a time zone", zone))
	}
	_, err := s.Directory.UpdateAgent(r.Context(), v.P.AgentID, directory.AgentUpdate{Language: &lang, TimeZone: &zone})
	if err != nil {
		return s.profileError(w, r, err)
	}
	redirect(w, r, "/profile?done=saved")
	return nil
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	if r.PostFormValue("new_password") != r.PostFormValue("repeat_password") {
		return s.profileError(w, r, apperr.Field("repeat_password", "%s", v.L.T("profile.password_mismatch")))
	}
	err := s.Directory.ChangePassword(r.Context(), v.P.AgentID, r.PostFormValue("current_password"), r.PostFormValue("new_password"))
	if err != nil {
		return s.profileError(w, r, err)
	}
	redirect(w, r, "/profile?done=password")
	return nil
}

func (s *Server) handleTOTPBegin(w http.ResponseWriter, r *http.Request) error {
	secret, uri, err := s.Auth.BeginTOTP(r.Context(), viewer(r).P.AgentID)
	if err != nil {
		return s.profileError(w, r, err)
	}
	data, err := s.profileData(r)
	if err != nil {
		return err
	}
	data.TOTPSecret, data.TOTPURI = secret, uri
	s.render(w, r, http.StatusOK, "profile", data)
	return nil
}

func (s *Server) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.ConfirmTOTP(r.Context(), viewer(r).P.AgentID, r.PostFormValue("code")); err != nil {
		return s.profileError(w, r, err)
	}
	redirect(w, r, "/profile?done=totp_on")
	return nil
}

func (s *Server) handleTOTPDisable(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.DisableTOTP(r.Context(), viewer(r).P.AgentID, r.PostFormValue("password")); err != nil {
		return s.profileError(w, r, err)
	}
	redirect(w, r, "/profile?done=totp_off")
	return nil
}
