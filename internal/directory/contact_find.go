package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// ContactFilter selects contacts. Q is a part of the name, an address or
// the phone number: addresses are stored lower-case, so they match fully
// case-insensitively, while names are compared with the database's
// lower(), which on SQLite (and on PostgreSQL with the C locale) folds
// only ASCII letters: "ivan" finds "Ivan", but "иван" finds "иван" and
// not "Иван". CompanyID keeps one company's contacts; Email finds the
// contact owning that exact address.
type ContactFilter struct {
	Q         string
	CompanyID *int64
	Email     string
	Offset    int
	Limit     int // 25 when 0, at most 500
}

const contactColumns = `id, name, phone, company_id, language, notes, blocked, blocked_reason, created_at, updated_at`

func scanContact(row db.Scanner) (Contact, error) {
	var c Contact
	err := row.Scan(&c.ID, &c.Name, &c.Phone, &c.CompanyID, &c.Language, &c.Notes, &c.Blocked, &c.BlockedReason,
		&c.CreatedAt, &c.UpdatedAt)
	return c, err
}

const contactEmailsSQL = `SELECT contact_id, email FROM contact_emails WHERE contact_id IN (%s) ORDER BY position`

// FindContact returns one contact.
func (s *Service) FindContact(ctx context.Context, id int64) (Contact, error) {
	return findContact(ctx, s.db.R, id)
}

// FindContactTx is FindContact inside the caller's transaction.
func (s *Service) FindContactTx(ctx context.Context, q db.Queryer, id int64) (Contact, error) {
	return findContact(ctx, q, id)
}

func findContact(ctx context.Context, q db.Queryer, id int64) (Contact, error) {
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, apperr.NotFoundf("contact %d not found", id)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("find contact %d: %w", id, err)
	}
	list := []Contact{c}
	if err := withEmails(ctx, q, list); err != nil {
		return Contact{}, err
	}
	return list[0], nil
}

// withEmails fills in the addresses of the contacts.
func withEmails(ctx context.Context, q db.Queryer, list []Contact) error {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	emails, err := childrenOf[string](ctx, q, contactEmailsSQL, ids)
	if err != nil {
		return fmt.Errorf("addresses of contacts: %w", err)
	}
	for i := range list {
		list[i].Emails = orEmpty(emails[list[i].ID])
		list[i].Email = ""
		if len(list[i].Emails) > 0 {
			list[i].Email = list[i].Emails[0]
		}
	}
	return nil
}

// FindContacts returns a page of contacts ordered by name, with their
// addresses, and how many match.
func (s *Service) FindContacts(ctx context.Context, f ContactFilter) ([]Contact, int, error) {
	var w db.Where
	if f.Q != "" {
		p := w.Arg(likeContains(f.Q))
		w.Add(`(lower(name) LIKE ` + p + ` ESCAPE '\' OR phone LIKE ` + p + ` ESCAPE '\' OR EXISTS (
			SELECT 1 FROM contact_emails e WHERE e.contact_id = contacts.id AND e.email LIKE ` + p + ` ESCAPE '\'))`)
	}
	if f.CompanyID != nil {
		w.Add(`company_id = ` + w.Arg(*f.CompanyID))
	}
	if f.Email != "" {
		w.Add(`id IN (SELECT contact_id FROM contact_emails WHERE email = ` + w.Arg(NormalizeEmail(f.Email)) + `)`)
	}
	list, total, err := db.FindPage(ctx, s.db.R, contactColumns, "contacts", "lower(name), id", w, f.Offset, f.Limit, scanContact)
	if err != nil {
		return nil, 0, err
	}
	if err := withEmails(ctx, s.db.R, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}
