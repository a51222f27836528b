package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Account states.
const (
	StateActive  = "active"  // may sign in
	StatePending = "pending" // registered, waits for an administrator's approval
	StateRevoked = "revoked" // access taken away or refused
)

// How an account came to be.
const (
	OriginInvited    = "invited"    // an agent invited the contact
	OriginRegistered = "registered" // the contact registered themselves
)

// minPassword is the shortest password a customer may choose.
const minPassword = 8

// Account is a contact's access to the portal.
type Account struct {
	ContactID    int64      `json:"contact_id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	Language     string     `json:"language"`
	CompanyID    *int64     `json:"company_id"`
	State        string     `json:"state"`
	Manager      bool       `json:"manager"` // sees every ticket of their company
	HasPassword  bool       `json:"has_password"`
	Origin       string     `json:"origin"`
	Blocked      bool       `json:"blocked"`
	CreatedAt    time.Time  `json:"created_at"`
	LastSignInAt *time.Time `json:"last_sign_in_at"`
}

// Customer is what the account may see of tickets: its own, and its
// company's when it is the company's manager.
func (a Account) Customer() ticket.Customer {
	c := ticket.Customer{ContactID: a.ContactID}
	if a.Manager && a.CompanyID != nil {
		c.CompanyID = a.CompanyID
	}
	return c
}

const (
	accountColumns = `a.contact_id, c.name,
	COALESCE((SELECT e.email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.position LIMIT 1), ''),
	c.language, c.company_id, a.state, a.manager, a.password_hash, a.origin, c.blocked, a.created_at, a.last_sign_in_at`
	accountFrom   = `portal_accounts a JOIN contacts c ON c.id = a.contact_id`
	accountSelect = `SELECT ` + accountColumns + ` FROM ` + accountFrom
)

func scanAccount(row db.Scanner) (Account, string, error) {
	var a Account
	var hash string
	err := row.Scan(&a.ContactID, &a.Name, &a.Email, &a.Language, &a.CompanyID, &a.State, &a.Manager, &hash, &a.Origin,
		&a.Blocked, &a.CreatedAt, &a.LastSignInAt)
	a.HasPassword = hash != ""
	return a, hash, err
}

func findAccount(ctx context.Context, q db.Queryer, cond string, arg any) (Account, string, error) {
	a, hash, err := scanAccount(q.QueryRowContext(ctx, accountSelect+` WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, "", apperr.NotFoundf("no portal access for this contact")
	}
	if err != nil {
		return Account{}, "", fmt.Errorf("find portal account: %w", err)
	}
	return a, hash, nil
}

// FindAccount returns a contact's portal account; NotFound when the
// contact has none.
func (s *Service) FindAccount(ctx context.Context, contactID int64) (Account, error) {
	a, _, err := findAccount(ctx, s.db.R, `a.contact_id = $1`, contactID)
	return a, err
}

// accountByEmail finds the account of the contact owning the address.
func (s *Service) accountByEmail(ctx context.Context, email string) (Account, string, error) {
	return findAccount(ctx, s.db.R, `a.contact_id = (SELECT contact_id FROM contact_emails WHERE email = $1)`,
		directory.NormalizeEmail(email))
}

// AccountFilter selects accounts for the administration screen.
type AccountFilter struct {
	State  string // "" for all
	Offset int
	Limit  int
}

// FindAccounts returns a page of accounts, oldest first, and how many
// match.
func (s *Service) FindAccounts(ctx context.Context, f AccountFilter) ([]Account, int, error) {
	var w db.Where
	if f.State != "" {
		w.Add(`a.state = ` + w.Arg(f.State))
	}
	return db.FindPage(ctx, s.db.R, accountColumns, accountFrom, "a.created_at, a.contact_id", w, f.Offset, f.Limit,
		func(row db.Scanner) (Account, error) { a, _, err := scanAccount(row); return a, err })
}

// Invite gives a contact access to the portal and mails them a link to
// choose a password: a new account, an approval of a pending one, or the
// return of a revoked one. Inviting an active account mails a new link.
func (s *Service) Invite(ctx context.Context, p auth.Principal, contactID int64) (Account, error) {
	if p.AgentID == 0 {
		return Account{}, apperr.Errorf(apperr.Forbidden, "only an agent may invite a contact to the portal")
	}
	c, err := s.dir.FindContact(ctx, contactID)
	if err != nil {
		return Account{}, err
	}
	switch {
	case c.Blocked:
		return Account{}, apperr.Field("contact_id", "%s is blocked; unblock the contact first", c.Name)
	case c.Email == "":
		return Account{}, apperr.Field("email", "%s has no e-mail address to send the invitation to", c.Name)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		_, err := tx.ExecContext(ctx, `
			INSERT INTO portal_accounts (contact_id, state, origin, invited_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
			c.ID, StateActive, OriginInvited, p.AgentID, now)
		if err != nil {
			return fmt.Errorf("invite contact %d: %w", c.ID, err)
		}
		return s.sendLink(ctx, tx, LinkInvite, textInvite, &c.ID, c.Email, c.Name, c.Language)
	})
	if err != nil {
		return Account{}, err
	}
	s.jobs.Wake()
	s.log.InfoContext(ctx, "contact invited to the portal", "contact", c.ID, "by", p.AgentID)
	return s.FindAccount(ctx, contactID)
}

// Approve lets a pending registration in and mails the contact a link to
// sign in and choose a password (administrators only).
func (s *Service) Approve(ctx context.Context, p auth.Principal, contactID int64) (Account, error) {
	return s.decide(ctx, p, contactID, true)
}

// Reject refuses a pending registration (administrators only).
func (s *Service) Reject(ctx context.Context, p auth.Principal, contactID int64) (Account, error) {
	return s.decide(ctx, p, contactID, false)
}

func (s *Service) decide(ctx context.Context, p auth.Principal, contactID int64, approve bool) (Account, error) {
	if !p.IsAdmin() {
		return Account{}, apperr.Errorf(apperr.Forbidden, "only an administrator may decide on registrations")
	}
	a, err := s.FindAccount(ctx, contactID)
	if err != nil {
		return Account{}, err
	}
	if a.State != StatePending {
		return Account{}, apperr.Errorf(apperr.Conflict, "the registration of %s was already decided", a.Name)
	}
	state := StateRevoked
	if approve {
		state = StateActive
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE portal_accounts SET state = $2, updated_at = $3 WHERE contact_id = $1 AND state = $4`,
			contactID, state, s.now(), StatePending)
		if err != nil {
			return fmt.Errorf("decide on registration of contact %d: %w", contactID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Errorf(apperr.Conflict, "the registration of %s was already decided", a.Name)
		}
		if !approve || a.Email == "" {
			return nil
		}
		return s.sendLink(ctx, tx, LinkInvite, textApproved, &a.ContactID, a.Email, a.Name, a.Language)
	})
	if err != nil {
		return Account{}, err
	}
	s.jobs.Wake()
	s.log.InfoContext(ctx, "portal registration decided", "contact", contactID, "approved", approve, "by", p.AgentID)
	return s.FindAccount(ctx, contactID)
}

// AccountUpdate changes an account: a company manager or not, access on
// or off. Nil fields stay.
type AccountUpdate struct {
	Manager *bool   `json:"manager"`
	State   *string `json:"state"` // active or revoked
}

// UpdateAccount changes a contact's access (administrators only).
func (s *Service) UpdateAccount(ctx context.Context, p auth.Principal, contactID int64, u AccountUpdate) (Account, error) {
	if !p.IsAdmin() {
		return Account{}, apperr.Errorf(apperr.Forbidden, "only an administrator may change portal access")
	}
	a, err := s.FindAccount(ctx, contactID)
	if err != nil {
		return Account{}, err
	}
	if u.Manager != nil {
		a.Manager = *u.Manager
	}
	if u.State != nil {
		if *u.State != StateActive && *u.State != StateRevoked {
			return Account{}, apperr.Field("state", "must be active or revoked")
		}
		a.State = *u.State
	}
	_, err = s.db.W.ExecContext(ctx, `UPDATE portal_accounts SET manager = $2, state = $3, updated_at = $4 WHERE contact_id = $1`,
		contactID, a.Manager, a.State, s.now())
	if err != nil {
		return Account{}, fmt.Errorf("update portal account of contact %d: %w", contactID, err)
	}
	return s.FindAccount(ctx, contactID)
}

// SetPassword sets the password a signed-in customer chose.
func (s *Service) SetPassword(ctx context.Context, contactID int64, password string) error {
	if len([]rune(password)) < minPassword {
		return apperr.Field("password", "must be at least %d characters", minPassword)
	}
	if len(password) > 1000 {
		return apperr.Field("password", "must be at most 1000 bytes")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE portal_accounts SET password_hash = $2, updated_at = $3 WHERE contact_id = $1`,
		contactID, hash, s.now())
	if err != nil {
		return fmt.Errorf("set portal password of contact %d: %w", contactID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.NotFoundf("no portal access for this contact")
	}
	return nil
}

// SetLanguage remembers the language a customer chose, on the contact.
func (s *Service) SetLanguage(ctx context.Context, contactID int64, lang string) error {
	_, err := s.dir.UpdateContact(ctx, contactID, directory.ContactUpdate{Language: &lang})
	return err
}
