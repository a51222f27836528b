package directory

import (
	"context"
	"database/sql"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// MergeContacts folds the duplicate contact dupID into keepID and returns
// the kept contact. In one transaction the duplicate's addresses join the
// kept contact's after them (the kept primary stays primary); its tickets,
// comments, ticket participations and history move over; the kept contact
// takes the duplicate's company, phone and notes where it has none of its
// own; and the duplicate is deleted. Its name, language and block stay
// with it: the kept contact is the one the administrator chose.
func (s *Service) MergeContacts(ctx context.Context, keepID, dupID int64) (Contact, error) {
	if keepID == dupID {
		return Contact{}, apperr.Field("duplicate", "a contact cannot be merged into itself")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Touching in id order locks both rows on PostgreSQL without two
		// crossed merges waiting on each other.
		now := db.Now()
		for _, id := range []int64{min(keepID, dupID), max(keepID, dupID)} {
			if err := touch(ctx, tx, "contacts", "contact", id, now); err != nil {
				return err
			}
		}
		keep, err := findContact(ctx, tx, keepID)
		if err != nil {
			return err
		}
		dup, err := findContact(ctx, tx, dupID)
		if err != nil {
			return err
		}
		if n := len(keep.Emails) + len(dup.Emails); n > maxEmails {
			return apperr.Field("duplicate", "together the contacts have %d addresses, more than the %d one contact may have; remove some first", n, maxEmails)
		}
		if err := moveContactRefs(ctx, tx, keep, dup); err != nil {
			return err
		}
		if err := adoptDetails(ctx, tx, keep, dup); err != nil {
			return err
		}
		if err := deleteRow(ctx, tx, "contacts", "contact", dupID); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeContact, ID: keepID},
			Change{Kind: ChangeContact, ID: dupID, Deleted: true, MergedInto: keepID})
	})
	if err != nil {
		return Contact{}, err
	}
	return s.FindContact(ctx, keepID)
}

// The statements that point everything of a duplicate contact ($2) at the
// kept one ($1). Participations the kept contact already has, or that
// would copy it on its own tickets, are dropped rather than doubled.
const (
	moveEmailsSQL           = `UPDATE contact_emails SET contact_id = $1, position = position + $3 WHERE contact_id = $2`
	moveTicketsSQL          = `UPDATE tickets SET requester_id = $1 WHERE requester_id = $2`
	moveCommentsSQL         = `UPDATE comments SET author_contact_id = $1 WHERE author_contact_id = $2`
	moveEventsSQL           = `UPDATE ticket_events SET actor_id = $1 WHERE actor_type = 'contact' AND actor_id = $2`
	dropSharedParticipation = `DELETE FROM ticket_participants WHERE contact_id = $2
		AND ticket_id IN (SELECT ticket_id FROM ticket_participants WHERE contact_id = $1)`
	moveParticipationSQL = `UPDATE ticket_participants SET contact_id = $1 WHERE contact_id = $2`
	moveRatingsSQL       = `UPDATE ticket_ratings SET contact_id = $1 WHERE contact_id = $2`
	// The duplicate's portal access passes to the kept contact when it
	// has none of its own; otherwise the kept one's stays.
	movePortalAccountSQL = `UPDATE portal_accounts SET contact_id = $1 WHERE contact_id = $2
		AND NOT EXISTS (SELECT 1 FROM portal_accounts k WHERE k.contact_id = $1)`
	dropOwnParticipation = `DELETE FROM ticket_participants WHERE contact_id = $1
		AND ticket_id IN (SELECT id FROM tickets WHERE requester_id = $1)`
)

// moveContactRefs moves every row that names dup over to keep.
func moveContactRefs(ctx context.Context, tx *sql.Tx, keep, dup Contact) error {
	// Positions are shifted past the kept contact's own addresses, which
	// keep their order; position 0 is still the kept primary.
	if _, err := tx.ExecContext(ctx, moveEmailsSQL, keep.ID, dup.ID, len(keep.Emails)); err != nil {
		return fmt.Errorf("move addresses of contact %d: %w", dup.ID, err)
	}
	for _, q := range []string{moveTicketsSQL, moveCommentsSQL, moveEventsSQL, dropSharedParticipation, moveParticipationSQL,
		moveRatingsSQL, movePortalAccountSQL} {
		if _, err := tx.ExecContext(ctx, q, keep.ID, dup.ID); err != nil {
			return fmt.Errorf("merge contact %d into %d: %w", dup.ID, keep.ID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, dropOwnParticipation, keep.ID); err != nil {
		return fmt.Errorf("merge contact %d into %d: %w", dup.ID, keep.ID, err)
	}
	return nil
}

// adoptDetails gives the kept contact the duplicate's company, phone and
// notes where it has none.
func adoptDetails(ctx context.Context, tx *sql.Tx, keep, dup Contact) error {
	if keep.CompanyID == nil {
		keep.CompanyID = dup.CompanyID
	}
	if keep.Phone == "" {
		keep.Phone = dup.Phone
	}
	if keep.Notes == "" {
		keep.Notes = dup.Notes
	}
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET company_id = $2, phone = $3, notes = $4 WHERE id = $1`,
		keep.ID, keep.CompanyID, keep.Phone, keep.Notes)
	if err != nil {
		return fmt.Errorf("merge contact %d into %d: %w", dup.ID, keep.ID, err)
	}
	return nil
}
