package mailbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/directory"
)

const mailboxColumns = `id, address, name, imap_host, imap_port, imap_username, imap_password, imap_tls,
	imap_folder, imap_after, imap_move_to, smtp_host, smtp_port, smtp_username, smtp_password, smtp_tls,
	default_group_id, default_line, default_priority, default_language, routing_rules, active,
	created_at, updated_at`

func scanMailbox(row db.Scanner) (Mailbox, error) {
	var m Mailbox
	var rules string
	err := row.Scan(&m.ID, &m.Address, &m.Name, &m.IMAP.Host, &m.IMAP.Port, &m.IMAP.Username, &m.imapSecret,
		&m.IMAP.TLS, &m.IMAP.Folder, &m.IMAP.After, &m.IMAP.MoveTo, &m.SMTP.Host, &m.SMTP.Port,
		&m.SMTP.Username, &m.smtpSecret, &m.SMTP.TLS, &m.DefaultGroupID, &m.DefaultLine, &m.DefaultPriority,
		&m.DefaultLanguage, &rules, &m.Active, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(rules), &m.RoutingRules); err != nil {
		return m, fmt.Errorf("routing rules of mailbox %d: %w", m.ID, err)
	}
	if m.RoutingRules == nil {
		m.RoutingRules = []Rule{}
	}
	m.IMAP.PasswordSet = m.imapSecret != ""
	m.SMTP.PasswordSet = m.smtpSecret != ""
	return m, nil
}

// FindMailbox returns one mailbox (without its passwords).
func (s *Service) FindMailbox(ctx context.Context, id int64) (Mailbox, error) {
	return findMailbox(ctx, s.db.R, id)
}

func findMailbox(ctx context.Context, q db.Queryer, id int64) (Mailbox, error) {
	m, err := scanMailbox(q.QueryRowContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Mailbox{}, apperr.NotFoundf("mailbox %d not found", id)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("find mailbox %d: %w", id, err)
	}
	return m, nil
}

// FindByAddress returns the mailbox of an address, in any case.
func (s *Service) FindByAddress(ctx context.Context, address string) (Mailbox, error) {
	address = directory.NormalizeEmail(address)
	m, err := scanMailbox(s.db.R.QueryRowContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes WHERE address = $1`, address))
	if errors.Is(err, sql.ErrNoRows) {
		return Mailbox{}, apperr.NotFoundf("no mailbox %s", address)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("find mailbox %s: %w", address, err)
	}
	return m, nil
}

// FindMailboxes returns a page of mailboxes ordered by address, and how
// many match.
func (s *Service) FindMailboxes(ctx context.Context, f MailboxFilter) ([]Mailbox, int, error) {
	var w db.Where
	if f.Active != nil {
		w.Add(`active = ` + w.Arg(*f.Active))
	}
	return db.FindPage(ctx, s.db.R, mailboxColumns, "mailboxes", "address", w, f.Offset, f.Limit, scanMailbox)
}

// ActiveIMAP returns the active mailboxes that have an IMAP server, with
// their IMAP passwords decrypted, for the pollers.
func (s *Service) ActiveIMAP(ctx context.Context) ([]Mailbox, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes
		WHERE active = $1 AND imap_host <> '' ORDER BY id`, true)
	if err != nil {
		return nil, fmt.Errorf("active IMAP mailboxes: %w", err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, fmt.Errorf("active IMAP mailboxes: %w", err)
		}
		if m.IMAP.Password, err = s.cfg.Cipher.Decrypt(m.imapSecret); err != nil {
			return nil, fmt.Errorf("IMAP password of mailbox %s: %w", m.Address, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("active IMAP mailboxes: %w", err)
	}
	return out, nil
}

// SMTPSettings returns a mailbox's SMTP server with its password
// decrypted, for sending.
func (s *Service) SMTPSettings(ctx context.Context, mailboxID int64) (SMTP, error) {
	m, err := s.FindMailbox(ctx, mailboxID)
	if err != nil {
		return SMTP{}, err
	}
	if m.SMTP.Password, err = s.cfg.Cipher.Decrypt(m.smtpSecret); err != nil {
		return SMTP{}, fmt.Errorf("SMTP password of mailbox %s: %w", m.Address, err)
	}
	return m.SMTP, nil
}

// IMAPSettings returns a mailbox's IMAP server with its password
// decrypted, for a connection check.
func (s *Service) IMAPSettings(ctx context.Context, mailboxID int64) (IMAP, error) {
	m, err := s.FindMailbox(ctx, mailboxID)
	if err != nil {
		return IMAP{}, err
	}
	if m.IMAP.Password, err = s.cfg.Cipher.Decrypt(m.imapSecret); err != nil {
		return IMAP{}, fmt.Errorf("IMAP password of mailbox %s: %w", m.Address, err)
	}
	return m.IMAP, nil
}

// Addresses returns every mailbox address, active or not, lower-case:
// Linedesk's own addresses, which must never become requesters or
// participants.
func (s *Service) Addresses(ctx context.Context) ([]string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT address FROM mailboxes ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("mailbox addresses: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("mailbox addresses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FirstSender returns the active mailbox with an outgoing server that was
// set up first, for mail that belongs to no mailbox of its own (the
// portal's); 0 when there is none.
func (s *Service) FirstSender(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id FROM mailboxes WHERE active = $1 AND smtp_host <> '' ORDER BY id LIMIT 1`,
		true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("first sending mailbox: %w", err)
	}
	return id, nil
}
