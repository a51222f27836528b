package directory

import (
	"context"
	"database/sql"
	"slices"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// UpdateContact changes a contact.
func (s *Service) UpdateContact(ctx context.Context, id int64, u ContactUpdate) (Contact, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "contacts", "contact", id, db.Now()); err != nil {
			return err
		}
		c, err := findContact(ctx, tx, id)
		if err != nil {
			return err
		}
		old := c.Emails
		if err := u.apply(&c); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE contacts SET name = $2, company_id = $3, phone = $4, language = $5, notes = $6,
				blocked = $7, blocked_reason = $8
			WHERE id = $1`,
			id, c.Name, c.CompanyID, c.Phone, c.Language, c.Notes, c.Blocked, c.BlockedReason)
		if err := contactWriteError(err, c); err != nil {
			return err
		}
		if !slices.Equal(old, c.Emails) {
			if err := setContactEmails(ctx, tx, id, c.Emails); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, Change{Kind: ChangeContact, ID: id})
	})
	if err != nil {
		return Contact{}, err
	}
	return s.FindContact(ctx, id)
}

func (u ContactUpdate) apply(c *Contact) error {
	set(&c.Name, u.Name)
	set(&c.Phone, u.Phone)
	set(&c.Language, u.Language)
	set(&c.Notes, u.Notes)
	set(&c.Blocked, u.Blocked)
	set(&c.BlockedReason, u.BlockedReason)
	if u.CompanyID.Set {
		c.CompanyID = u.CompanyID.ID
	}
	if u.Email != nil || u.Emails != nil {
		emails := c.Emails
		if u.Emails != nil {
			emails = *u.Emails
		}
		primary := ""
		if u.Email != nil {
			primary = *u.Email
			if primary == "" {
				return apperr.Field("email", "must be an e-mail address; to remove addresses send emails")
			}
		}
		list, err := emailList(primary, emails)
		if err != nil {
			return err
		}
		c.Emails = list
	}
	return c.normalize()
}

// DeleteContact deletes a contact who has no tickets. Contacts with
// tickets stay, so their history does; block them instead.
func (s *Service) DeleteContact(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "contacts", "contact", id, db.Now()); err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM tickets WHERE requester_id = $1`, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Errorf(apperr.Conflict,
				"contact %d has tickets (%d) and cannot be deleted; block the contact instead", id, n)
		}
		if err := deleteRow(ctx, tx, "contacts", "contact", id); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeContact, ID: id, Deleted: true})
	})
}
