package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// freeMailDomains never link a contact to a company, however a company is
// configured: thousands of unrelated people share them.
var freeMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"yahoo.com": true, "icloud.com": true, "me.com": true, "aol.com": true, "proton.me": true,
	"protonmail.com": true, "gmx.com": true, "gmx.de": true, "mail.com": true, "zoho.com": true,
	"mail.ru": true, "bk.ru": true, "inbox.ru": true, "list.ru": true, "yandex.ru": true, "ya.ru": true,
	"yandex.com": true, "rambler.ru": true, "inbox.lv": true, "one.lv": true, "apollo.lv": true,
	"tvnet.lv": true, "e-pasts.lv": true,
}

// IsFreeMail reports whether domain is a public mail service.
func IsFreeMail(domain string) bool {
	return freeMailDomains[strings.ToLower(domain)]
}

// ValidEmail checks an address and returns it normalised.
func ValidEmail(field, s string) (string, error) {
	s = NormalizeEmail(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", apperr.Field(field, "%q is not a valid e-mail address", s)
	}
	return s, nil
}

// ResolveContact finds the contact owning email, or creates one named name
// (the address's local part when empty). A new contact whose domain is
// listed on a company, and is not a free-mail domain, joins that company.
// It runs on q so callers can make it part of their transaction.
func (s *Service) ResolveContact(ctx context.Context, q db.Queryer, email, name string) (Contact, error) {
	email, err := ValidEmail("requester.email", email)
	if err != nil {
		return Contact{}, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `SELECT contact_id FROM contact_emails WHERE email = $1`, email).Scan(&id)
	if err == nil {
		return findContact(ctx, q, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("resolve contact %s: %w", email, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = email[:strings.Index(email, "@")]
	}
	if utf8.RuneCountInString(name) > 200 {
		return Contact{}, apperr.Field("requester.name", "must be at most 200 characters")
	}
	companyID, err := companyForDomain(ctx, q, email[strings.LastIndex(email, "@")+1:])
	if err != nil {
		return Contact{}, err
	}
	now := db.Now()
	if err := q.QueryRowContext(ctx, `
		INSERT INTO contacts (name, company_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		name, companyID, now).Scan(&id); err != nil {
		return Contact{}, fmt.Errorf("create contact %s: %w", email, err)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)
		ON CONFLICT (email) DO NOTHING`, email, id)
	if err != nil {
		return Contact{}, fmt.Errorf("create contact %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return adoptConcurrent(ctx, q, email, id)
	}
	if err := s.notify(ctx, q, Change{Kind: ChangeContact, ID: id}); err != nil {
		return Contact{}, err
	}
	return findContact(ctx, q, id)
}

// adoptConcurrent handles two requests from one new address at the same
// moment (two e-mails, two API calls): the other transaction committed the
// address first, so the contact just made is dropped and theirs is used.
func adoptConcurrent(ctx context.Context, q db.Queryer, email string, ours int64) (Contact, error) {
	if _, err := q.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1`, ours); err != nil {
		return Contact{}, fmt.Errorf("resolve contact %s: %w", email, err)
	}
	var id int64
	if err := q.QueryRowContext(ctx, `SELECT contact_id FROM contact_emails WHERE email = $1`, email).Scan(&id); err != nil {
		return Contact{}, fmt.Errorf("resolve contact %s: %w", email, err)
	}
	return findContact(ctx, q, id)
}

func companyForDomain(ctx context.Context, q db.Queryer, domain string) (*int64, error) {
	if IsFreeMail(domain) {
		return nil, nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT company_id FROM company_domains WHERE domain = $1`, domain).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("company for domain %s: %w", domain, err)
	}
	return &id, nil
}
