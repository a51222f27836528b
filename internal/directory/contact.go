package directory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Contact is a person who asks for help.
type Contact struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email"`  // primary address, "" when none
	Emails        []string  `json:"emails"` // all addresses, primary first
	Phone         string    `json:"phone"`
	CompanyID     *int64    `json:"company_id"`
	Language      string    `json:"language"`
	Notes         string    `json:"notes"`
	Blocked       bool      `json:"blocked"`
	BlockedReason string    `json:"blocked_reason"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ContactInput creates a contact. Its addresses are Email (when given)
// followed by Emails; the first is the primary one.
type ContactInput struct {
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	Emails        []string `json:"emails"`
	Phone         string   `json:"phone"`
	CompanyID     *int64   `json:"company_id"`
	Language      string   `json:"language"`
	Notes         string   `json:"notes"`
	Blocked       bool     `json:"blocked"`
	BlockedReason string   `json:"blocked_reason"`
}

// ContactUpdate changes the fields that are set. Emails, when not nil,
// replaces the list of addresses; Email, when not nil, makes that address
// the primary one, adding it if it is new.
type ContactUpdate struct {
	Name          *string
	Email         *string
	Emails        *[]string
	Phone         *string
	CompanyID     Ref
	Language      *string
	Notes         *string
	Blocked       *bool
	BlockedReason *string // unblocking clears the reason
}

const (
	maxEmails = 20
	maxPhone  = 50
	maxReason = 1000
)

// emailList validates the addresses, primary first, without repeats.
func emailList(primary string, emails []string) ([]string, error) {
	out := []string{}
	add := func(field, e string) error {
		e, err := ValidEmail(field, e)
		if err == nil && !slices.Contains(out, e) {
			out = append(out, e)
		}
		return err
	}
	if primary != "" {
		if err := add("email", primary); err != nil {
			return nil, err
		}
	}
	for _, e := range emails {
		if err := add("emails", e); err != nil {
			return nil, err
		}
	}
	if len(out) > maxEmails {
		return nil, apperr.Field("emails", "at most %d addresses", maxEmails)
	}
	return out, nil
}

func validPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := apperr.Field("phone", "may hold only digits, spaces and + - ( ) . (at most %d characters)", maxPhone)
	if len(s) > maxPhone || strings.IndexAny(s, "0123456789") < 0 {
		return "", bad
	}
	for _, r := range s {
		if (r < '0' || r > '9') && !strings.ContainsRune(" +-().", r) {
			return "", bad
		}
	}
	return s, nil
}

// normalize checks every field but the addresses.
func (c *Contact) normalize() (err error) {
	if c.Name, err = validName("name", c.Name); err != nil {
		return err
	}
	if c.Phone, err = validPhone(c.Phone); err != nil {
		return err
	}
	if c.Language, err = validLanguage(c.Language); err != nil {
		return err
	}
	if c.Notes, err = validText("notes", c.Notes, maxNotes); err != nil {
		return err
	}
	if c.BlockedReason, err = validText("blocked_reason", c.BlockedReason, maxReason); err != nil {
		return err
	}
	if !c.Blocked {
		c.BlockedReason = ""
	} else if c.BlockedReason == "" {
		return apperr.Field("blocked_reason", "is required to block a contact")
	}
	return nil
}

// contactWriteError explains a failed insert or update of a contact row.
func contactWriteError(err error, c Contact) error {
	if db.IsForeignKeyViolation(err) && c.CompanyID != nil {
		return apperr.Field("company_id", "company %d does not exist", *c.CompanyID)
	}
	if err != nil {
		return fmt.Errorf("save contact: %w", err)
	}
	return nil
}

// CreateContact adds a contact; each of its addresses must be unused.
func (s *Service) CreateContact(ctx context.Context, in ContactInput) (Contact, error) {
	c := Contact{Name: in.Name, Phone: in.Phone, CompanyID: in.CompanyID, Language: in.Language, Notes: in.Notes,
		Blocked: in.Blocked, BlockedReason: in.BlockedReason}
	var err error
	if c.Emails, err = emailList(in.Email, in.Emails); err != nil {
		return Contact{}, err
	}
	if err := c.normalize(); err != nil {
		return Contact{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO contacts (name, company_id, phone, language, notes, blocked, blocked_reason, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			c.Name, c.CompanyID, c.Phone, c.Language, c.Notes, c.Blocked, c.BlockedReason, db.Now()).Scan(&c.ID)
		if err := contactWriteError(err, c); err != nil {
			return err
		}
		if err := setContactEmails(ctx, tx, c.ID, c.Emails); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeContact, ID: c.ID})
	})
	if err != nil {
		return Contact{}, err
	}
	return s.FindContact(ctx, c.ID)
}

func setContactEmails(ctx context.Context, tx *sql.Tx, contactID int64, emails []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_emails WHERE contact_id = $1`, contactID); err != nil {
		return fmt.Errorf("set addresses of contact %d: %w", contactID, err)
	}
	for i, e := range emails {
		_, err := tx.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, $3)`,
			e, contactID, i)
		if db.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Field: "emails",
				Message: fmt.Sprintf("%s already belongs to another contact", e)}
		}
		if err != nil {
			return fmt.Errorf("set addresses of contact %d: %w", contactID, err)
		}
	}
	return nil
}
