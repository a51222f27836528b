package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"

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
	if len(name) > 200 {
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
	if _, err := q.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)`, email, id); err != nil {
		return Contact{}, fmt.Errorf("create contact %s: %w", email, err)
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

// FindContact returns one contact.
func (s *Service) FindContact(ctx context.Context, id int64) (Contact, error) {
	return findContact(ctx, s.db.R, id)
}

// FindContactTx is FindContact inside the caller's transaction.
func (s *Service) FindContactTx(ctx context.Context, q db.Queryer, id int64) (Contact, error) {
	return findContact(ctx, q, id)
}

func findContact(ctx context.Context, q db.Queryer, id int64) (Contact, error) {
	var c Contact
	err := q.QueryRowContext(ctx, `
		SELECT id, name, phone, company_id, language, notes, blocked, blocked_reason, created_at, updated_at
		FROM contacts WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Phone, &c.CompanyID, &c.Language, &c.Notes, &c.Blocked, &c.BlockedReason,
			&c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, apperr.NotFoundf("contact %d not found", id)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("find contact %d: %w", id, err)
	}
	if c.Emails, err = contactEmails(ctx, q, id); err != nil {
		return Contact{}, err
	}
	if len(c.Emails) > 0 {
		c.Email = c.Emails[0]
	}
	return c, nil
}

func contactEmails(ctx context.Context, q db.Queryer, id int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT email FROM contact_emails WHERE contact_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("emails of contact %d: %w", id, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
