package mailbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/directory"
)

// CreateMailbox adds a mailbox; its address must be unused.
func (s *Service) CreateMailbox(ctx context.Context, in MailboxInput) (Mailbox, error) {
	m := Mailbox{
		Address: in.Address, Name: in.Name,
		IMAP: IMAP{Host: in.IMAP.Host, Port: in.IMAP.Port, Username: in.IMAP.Username, TLS: in.IMAP.TLS,
			Folder: in.IMAP.Folder, After: in.IMAP.After, MoveTo: in.IMAP.MoveTo},
		SMTP:           SMTP{Host: in.SMTP.Host, Port: in.SMTP.Port, Username: in.SMTP.Username, TLS: in.SMTP.TLS},
		DefaultGroupID: in.DefaultGroupID, DefaultLine: in.DefaultLine,
		DefaultPriority: in.DefaultPriority, DefaultLanguage: in.DefaultLanguage,
		RoutingRules: in.RoutingRules, Active: in.Active == nil || *in.Active,
	}
	if m.DefaultLine == 0 {
		m.DefaultLine = 1
	}
	var err error
	if m.imapSecret, err = s.cfg.Cipher.Encrypt(in.IMAP.Password); err != nil {
		return Mailbox{}, err
	}
	if m.smtpSecret, err = s.cfg.Cipher.Encrypt(in.SMTP.Password); err != nil {
		return Mailbox{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := normalize(ctx, tx, &m); err != nil {
			return err
		}
		now := db.Now()
		rules, _ := json.Marshal(m.RoutingRules)
		err := tx.QueryRowContext(ctx, `
			INSERT INTO mailboxes (address, name, imap_host, imap_port, imap_username, imap_password, imap_tls,
				imap_folder, imap_after, imap_move_to, smtp_host, smtp_port, smtp_username, smtp_password, smtp_tls,
				default_group_id, default_line, default_priority, default_language, routing_rules, active,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)
			RETURNING id`,
			m.Address, m.Name, m.IMAP.Host, m.IMAP.Port, m.IMAP.Username, m.imapSecret, m.IMAP.TLS,
			m.IMAP.Folder, m.IMAP.After, m.IMAP.MoveTo, m.SMTP.Host, m.SMTP.Port, m.SMTP.Username, m.smtpSecret,
			m.SMTP.TLS, m.DefaultGroupID, m.DefaultLine, m.DefaultPriority, m.DefaultLanguage, string(rules),
			m.Active, now).Scan(&m.ID)
		if db.IsUniqueViolation(err) {
			return addressTaken(m.Address)
		}
		if err != nil {
			return fmt.Errorf("create mailbox %s: %w", m.Address, err)
		}
		return nil
	})
	if err != nil {
		return Mailbox{}, err
	}
	return s.FindMailbox(ctx, m.ID)
}

// UpdateMailbox changes a mailbox.
func (s *Service) UpdateMailbox(ctx context.Context, id int64, u MailboxUpdate) (Mailbox, error) {
	imapSecret, err := s.encryptChange(u.IMAP.Password)
	if err != nil {
		return Mailbox{}, err
	}
	smtpSecret, err := s.encryptChange(u.SMTP.Password)
	if err != nil {
		return Mailbox{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Stamping first locks the row on PostgreSQL, so concurrent
		// partial updates apply one after the other.
		res, err := tx.ExecContext(ctx, `UPDATE mailboxes SET updated_at = $2 WHERE id = $1`, id, db.Now())
		if err != nil {
			return fmt.Errorf("update mailbox %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("mailbox %d not found", id)
		}
		m, err := findMailbox(ctx, tx, id)
		if err != nil {
			return err
		}
		u.apply(&m)
		set(&m.imapSecret, imapSecret)
		set(&m.smtpSecret, smtpSecret)
		if err := normalize(ctx, tx, &m); err != nil {
			return err
		}
		rules, _ := json.Marshal(m.RoutingRules)
		_, err = tx.ExecContext(ctx, `
			UPDATE mailboxes SET address = $2, name = $3, imap_host = $4, imap_port = $5, imap_username = $6,
				imap_password = $7, imap_tls = $8, imap_folder = $9, imap_after = $10, imap_move_to = $11,
				smtp_host = $12, smtp_port = $13, smtp_username = $14, smtp_password = $15, smtp_tls = $16,
				default_group_id = $17, default_line = $18, default_priority = $19, default_language = $20,
				routing_rules = $21, active = $22
			WHERE id = $1`,
			id, m.Address, m.Name, m.IMAP.Host, m.IMAP.Port, m.IMAP.Username, m.imapSecret, m.IMAP.TLS,
			m.IMAP.Folder, m.IMAP.After, m.IMAP.MoveTo, m.SMTP.Host, m.SMTP.Port, m.SMTP.Username, m.smtpSecret,
			m.SMTP.TLS, m.DefaultGroupID, m.DefaultLine, m.DefaultPriority, m.DefaultLanguage, string(rules), m.Active)
		if db.IsUniqueViolation(err) {
			return addressTaken(m.Address)
		}
		if err != nil {
			return fmt.Errorf("update mailbox %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Mailbox{}, err
	}
	return s.FindMailbox(ctx, id)
}

// encryptChange encrypts a password change; nil stays nil (no change).
func (s *Service) encryptChange(p *string) (*string, error) {
	if p == nil {
		return nil, nil
	}
	enc, err := s.cfg.Cipher.Encrypt(*p)
	return &enc, err
}

func (u MailboxUpdate) apply(m *Mailbox) {
	set(&m.Address, u.Address)
	set(&m.Name, u.Name)
	set(&m.IMAP.Host, u.IMAP.Host)
	set(&m.IMAP.Port, u.IMAP.Port)
	set(&m.IMAP.Username, u.IMAP.Username)
	set(&m.IMAP.TLS, u.IMAP.TLS)
	set(&m.IMAP.Folder, u.IMAP.Folder)
	set(&m.IMAP.After, u.IMAP.After)
	set(&m.IMAP.MoveTo, u.IMAP.MoveTo)
	set(&m.SMTP.Host, u.SMTP.Host)
	set(&m.SMTP.Port, u.SMTP.Port)
	set(&m.SMTP.Username, u.SMTP.Username)
	set(&m.SMTP.TLS, u.SMTP.TLS)
	if u.DefaultGroupID.Set {
		m.DefaultGroupID = u.DefaultGroupID.ID
	}
	set(&m.DefaultLine, u.DefaultLine)
	set(&m.DefaultPriority, u.DefaultPriority)
	set(&m.DefaultLanguage, u.DefaultLanguage)
	set(&m.RoutingRules, u.RoutingRules)
	set(&m.Active, u.Active)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteMailbox deletes a mailbox no ticket came through. Messages it
// received stay, no longer linked to it.
func (s *Service) DeleteMailbox(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mailboxes SET updated_at = $2 WHERE id = $1`, id, db.Now())
		if err != nil {
			return fmt.Errorf("delete mailbox %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("mailbox %d not found", id)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE mailbox_id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("delete mailbox %d: %w", id, err)
		}
		if n > 0 {
			return apperr.Errorf(apperr.Conflict,
				"mailbox %d has tickets (%d); deactivate it instead of deleting it", id, n)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET mailbox_id = NULL WHERE mailbox_id = $1`, id); err != nil {
			return fmt.Errorf("delete mailbox %d: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM mailboxes WHERE id = $1`, id)
		if db.IsForeignKeyViolation(err) {
			return apperr.Errorf(apperr.Conflict, "mailbox %d is still in use; deactivate it instead of deleting it", id)
		}
		if err != nil {
			return fmt.Errorf("delete mailbox %d: %w", id, err)
		}
		return nil
	})
}

func addressTaken(address string) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "address", Message: fmt.Sprintf("mailbox %s already exists", address)}
}

// normalize checks every field of m, fills in defaults, and checks that
// the groups and agents it names exist.
func normalize(ctx context.Context, q db.Queryer, m *Mailbox) error {
	var err error
	if m.Address, err = directory.ValidEmail("address", m.Address); err != nil {
		return err
	}
	if m.Name, err = text("name", m.Name, 200); err != nil {
		return err
	}
	if err := normalizeIMAP(&m.IMAP); err != nil {
		return err
	}
	if err := normalizeSMTP(&m.SMTP); err != nil {
		return err
	}
	if m.DefaultLine < 1 || m.DefaultLine > 4 {
		return apperr.Field("default_line", "must be 1, 2, 3 or 4")
	}
	if m.DefaultPriority == "" {
		m.DefaultPriority = "normal"
	}
	if !slices.Contains(Priorities, m.DefaultPriority) {
		return apperr.Field("default_priority", "must be one of %s", strings.Join(Priorities, ", "))
	}
	if m.DefaultLanguage == "" {
		m.DefaultLanguage = "en"
	}
	if !slices.Contains(Languages, m.DefaultLanguage) {
		return apperr.Field("default_language", "must be one of %s", strings.Join(Languages, ", "))
	}
	if m.RoutingRules, err = normalizeRules(m.RoutingRules); err != nil {
		return err
	}
	if err := exists(ctx, q, "groups", "default_group_id", m.DefaultGroupID); err != nil {
		return err
	}
	for i, r := range m.RoutingRules {
		field := fmt.Sprintf("routing_rules[%d].then.", i)
		if err := exists(ctx, q, "groups", field+"group_id", r.Then.GroupID); err != nil {
			return err
		}
		if err := exists(ctx, q, "agents", field+"assignee_id", r.Then.AssigneeID); err != nil {
			return err
		}
	}
	return nil
}

func normalizeIMAP(c *IMAP) error {
	var err error
	if c.Host, err = host("imap.host", c.Host); err != nil {
		return err
	}
	if c.Username, err = text("imap.username", c.Username, 255); err != nil {
		return err
	}
	if c.TLS, err = tlsMode("imap.tls", c.TLS, TLSImplicit); err != nil {
		return err
	}
	def := 143
	if c.TLS == TLSImplicit {
		def = 993
	}
	if c.Port, err = port("imap.port", c.Port, c.Host, def); err != nil {
		return err
	}
	if c.Folder, err = text("imap.folder", c.Folder, 255); err != nil {
		return err
	}
	if c.Folder == "" {
		c.Folder = "INBOX"
	}
	if c.After == "" {
		c.After = AfterSeen
	}
	if c.After != AfterSeen && c.After != AfterMove {
		return apperr.Field("imap.after", "must be seen or move")
	}
	if c.MoveTo, err = text("imap.move_to", c.MoveTo, 255); err != nil {
		return err
	}
	if c.After == AfterMove && c.MoveTo == "" {
		return apperr.Field("imap.move_to", "names the folder to move messages to when after is move")
	}
	return nil
}

func normalizeSMTP(c *SMTP) error {
	var err error
	if c.Host, err = host("smtp.host", c.Host); err != nil {
		return err
	}
	if c.Username, err = text("smtp.username", c.Username, 255); err != nil {
		return err
	}
	if c.TLS, err = tlsMode("smtp.tls", c.TLS, TLSStartTLS); err != nil {
		return err
	}
	def := map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[c.TLS]
	c.Port, err = port("smtp.port", c.Port, c.Host, def)
	return err
}

func tlsMode(field, v, def string) (string, error) {
	if v == "" {
		return def, nil
	}
	if v != TLSNone && v != TLSStartTLS && v != TLSImplicit {
		return "", apperr.Field(field, "must be none, starttls or tls")
	}
	return v, nil
}

// port checks a port; 0 with a host set takes the default of the TLS mode.
func port(field string, p int, host string, def int) (int, error) {
	if p < 0 || p > 65535 {
		return 0, apperr.Field(field, "must be from 1 to 65535")
	}
	if p == 0 && host != "" {
		return def, nil
	}
	return p, nil
}

func host(field, h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if len(h) > 253 || strings.ContainsFunc(h, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' || r == '@'
	}) {
		return "", apperr.Field(field, "%q is not a host name", h)
	}
	return h, nil
}

func text(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > max || strings.ContainsFunc(v, unicode.IsControl) {
		return "", apperr.Field(field, "must be at most %d characters, without control characters", max)
	}
	return v, nil
}

// exists checks that an optional id names a row of table.
func exists(ctx context.Context, q db.Queryer, table, field string, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1`, *id).Scan(&n); err != nil {
		return fmt.Errorf("check %s: %w", field, err)
	}
	if n == 0 {
		return apperr.Field(field, "%d does not exist", *id)
	}
	return nil
}
