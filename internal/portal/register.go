package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
)

// Registration is what a person gives to register.
type Registration struct {
	Name     string
	Email    string
	Language string
	IP       string // the client's address, for the limits
}

// Register asks for access under the administrator's policy: refused
// (Refusal) when self-registration is off, when it is open to clients'
// domains only and the address is not of one, or when the domain is
// blocked. Otherwise a link to confirm the address is mailed; nothing
// else is stored until it is used, so an address typed by someone else
// gets one mail and nothing more. Who already has access just gets the
// link again, with the same answer, so the form tells no one who is a
// customer.
func (s *Service) Register(ctx context.Context, in Registration) error {
	st, err := s.FindSettings(ctx)
	if err != nil {
		return err
	}
	if st.Registration == RegistrationOff {
		return refuse(RefusedClosed)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return apperr.Field("name", "is required (at most 200 characters)")
	}
	email, err := directory.ValidEmail("email", in.Email)
	if err != nil {
		return err
	}
	lang := in.Language
	if !slices.Contains(directory.Languages, lang) {
		lang = directory.Languages[0]
	}
	domain := email[strings.LastIndex(email, "@")+1:]
	if blocked, err := s.blocked.IsBlockedDomain(ctx, domain); err != nil || blocked {
		if err == nil {
			err = refuse(RefusedBlocked)
		}
		return err
	}
	if st.Registration == RegistrationDomains {
		ok, err := s.clientDomain(ctx, domain)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(RefusedDomain)
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.take(ctx, tx, s.now(), limit{"register-ip:" + ipKey(in.IP), 10, time.Hour},
			limit{"register-email:" + email, 3, time.Hour})
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Errorf(apperr.RateLimited, "too many registrations asked for; try again later")
		}
		return s.sendLink(ctx, tx, LinkConfirm, textConfirm, nil, email, name, lang)
	})
	if err == nil {
		s.jobs.Wake()
	}
	return err
}

// clientDomain reports whether the domain is listed on a client company.
func (s *Service) clientDomain(ctx context.Context, domain string) (bool, error) {
	if directory.IsFreeMail(domain) {
		return false, nil
	}
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT company_id FROM company_domains WHERE domain = $1`, domain).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("company of domain %s: %w", domain, err)
	}
	return true, nil
}
