package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Who may register on their own.
const (
	RegistrationOff     = "off"     // only contacts an agent invites get access
	RegistrationOpen    = "open"    // anyone who confirms their address
	RegistrationDomains = "domains" // addresses of the clients' companies' domains only
)

// Registrations lists the registration policies.
var Registrations = []string{RegistrationOff, RegistrationOpen, RegistrationDomains}

// Settings are the portal's administrator-chosen rules.
type Settings struct {
	Registration string     `json:"registration"` // off, open or domains
	Approval     bool       `json:"approval"`     // registrations wait for an administrator
	MailboxID    *int64     `json:"mailbox_id"`   // the portal's mail leaves from it; nil: the first mailbox that sends
	UpdatedAt    *time.Time `json:"updated_at"`   // nil until first saved
}

// FindSettings returns the portal's settings; until an administrator
// saves some, registration is off.
func (s *Service) FindSettings(ctx context.Context) (Settings, error) {
	return findSettings(ctx, s.db.R)
}

func findSettings(ctx context.Context, q db.Queryer) (Settings, error) {
	st := Settings{Registration: RegistrationOff}
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT registration, approval, mailbox_id, updated_at FROM portal_settings WHERE id = 1`).
		Scan(&st.Registration, &st.Approval, &st.MailboxID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("portal settings: %w", err)
	}
	st.UpdatedAt = &at
	return st, nil
}

// SaveSettings replaces the portal's settings (administrators only).
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, st Settings) (Settings, error) {
	if !p.IsAdmin() {
		return Settings{}, apperr.Errorf(apperr.Forbidden, "only an administrator may change the portal's settings")
	}
	if !slices.Contains(Registrations, st.Registration) {
		return Settings{}, apperr.Field("registration", "must be off, open or domains")
	}
	now := s.now()
	_, err := s.db.W.ExecContext(ctx, `
		INSERT INTO portal_settings (id, registration, approval, mailbox_id, updated_at) VALUES (1, $1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET registration = excluded.registration, approval = excluded.approval,
			mailbox_id = excluded.mailbox_id, updated_at = excluded.updated_at`,
		st.Registration, st.Approval, st.MailboxID, now)
	if db.IsForeignKeyViolation(err) {
		return Settings{}, apperr.Field("mailbox_id", "mailbox %d does not exist", *st.MailboxID)
	}
	if err != nil {
		return Settings{}, fmt.Errorf("save portal settings: %w", err)
	}
	st.UpdatedAt = &now
	return st, nil
}

// Sender returns the mailbox the portal's mail and tickets leave from: the
// one the settings name, else the first mailbox that sends; 0 when there
// is none, and the portal's mail cannot go out.
func (s *Service) Sender(ctx context.Context) (int64, error) {
	st, err := s.FindSettings(ctx)
	if err != nil {
		return 0, err
	}
	if st.MailboxID != nil {
		return *st.MailboxID, nil
	}
	return s.senders.FirstSender(ctx)
}
