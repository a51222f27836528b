package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// States of an outbound mail and of each of its recipients. A mail is
// pending while any recipient is; then sent, partial (some failed), failed
// (none delivered) or skipped (nobody to send to).
const (
	statePending = "pending"
	stateSent    = "sent"
	statePartial = "partial"
	stateFailed  = "failed"
	stateSkipped = "skipped"
)

// ticketInfo is what the mail needs of a ticket.
type ticketInfo struct {
	id, number, requesterID, mailboxID int64
	subject, status                    string
}

// person is a contact the mail may go to, with the primary address.
type person struct {
	name, language, email string
	bouncing              bool
	kind                  string // to or cc
}

// mailboxInfo is what the mail needs of a mailbox besides its SMTP settings.
type mailboxInfo struct {
	address, name, language string
}

func (s *Service) loadTicket(ctx context.Context, id int64) (ticketInfo, error) {
	var t ticketInfo
	err := s.db.R.QueryRowContext(ctx, `
		SELECT id, number, subject, status, requester_id, COALESCE(mailbox_id, 0) FROM tickets WHERE id = $1`, id,
	).Scan(&t.id, &t.number, &t.subject, &t.status, &t.requesterID, &t.mailboxID)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("ticket %d not found", id)
	}
	if err != nil {
		return t, fmt.Errorf("load ticket %d: %w", id, err)
	}
	return t, nil
}

const personColumns = `c.name, c.language, c.bouncing,
	COALESCE((SELECT e.email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.position LIMIT 1), '')`

func scanPerson(row interface{ Scan(...any) error }, kind string) (person, error) {
	p := person{kind: kind}
	err := row.Scan(&p.name, &p.language, &p.bouncing, &p.email)
	return p, err
}

// requester is the ticket's requester as the To of its mail.
func (s *Service) requester(ctx context.Context, t ticketInfo) (person, error) {
	p, err := scanPerson(s.db.R.QueryRowContext(ctx,
		`SELECT `+personColumns+` FROM contacts c WHERE c.id = $1`, t.requesterID), "to")
	if err != nil {
		return p, fmt.Errorf("load requester of ticket %d: %w", t.id, err)
	}
	return p, nil
}

// people are the requester (To) and the contacts copied on the ticket (Cc).
func (s *Service) people(ctx context.Context, t ticketInfo) ([]person, error) {
	req, err := s.requester(ctx, t)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT `+personColumns+` FROM ticket_participants p JOIN contacts c ON c.id = p.contact_id
		WHERE p.ticket_id = $1 AND p.contact_id <> $2 ORDER BY p.created_at, c.id`, t.id, t.requesterID)
	if err != nil {
		return nil, fmt.Errorf("load participants of ticket %d: %w", t.id, err)
	}
	defer rows.Close()
	out := []person{req}
	for rows.Next() {
		p, err := scanPerson(rows, "cc")
		if err != nil {
			return nil, fmt.Errorf("load participants of ticket %d: %w", t.id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Service) loadMailbox(ctx context.Context, id int64) (mailboxInfo, error) {
	var m mailboxInfo
	err := s.db.R.QueryRowContext(ctx, `SELECT address, name, default_language FROM mailboxes WHERE id = $1`, id).
		Scan(&m.address, &m.name, &m.language)
	if err != nil {
		return m, fmt.Errorf("load mailbox %d: %w", id, err)
	}
	return m, nil
}

// mailboxFor is the mailbox a ticket's mail leaves from; 0 when none.
func (s *Service) mailboxFor(t ticketInfo) int64 {
	if t.mailboxID != 0 {
		return t.mailboxID
	}
	return s.cfg.DefaultMailboxID
}

// draft is a mail to record before sending it.
type draft struct {
	ticketID, commentID, mailboxID int64
	kind, messageID, subject       string
	automatic                      bool
	people                         []person
}

// findEmail returns the id of the mail with the Message-ID, if recorded.
func findEmail(ctx context.Context, q db.Queryer, messageID string) (int64, bool, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM outbound_emails WHERE message_id = $1`, messageID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find outbound mail %s: %w", messageID, err)
	}
	return id, true, nil
}

// ensure records the mail and its recipients unless a previous attempt
// did, and returns its id. Who gets the mail is decided here, once: own
// addresses and bouncing contacts are skipped, and automatic mail takes
// its place under the address's hourly limit in the same transaction.
func (s *Service) ensure(ctx context.Context, d draft) (int64, error) {
	if id, found, err := findEmail(ctx, s.db.R, d.messageID); err != nil || found {
		return id, err
	}
	own, err := s.ownAddresses(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var found bool
		var err error
		if id, found, err = findEmail(ctx, tx, d.messageID); err != nil || found {
			return err
		}
		now := db.Now()
		err = tx.QueryRowContext(ctx, `
			INSERT INTO outbound_emails (ticket_id, comment_id, mailbox_id, kind, message_id, subject, state, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			d.ticketID, nullID(d.commentID), nullID(d.mailboxID), d.kind, d.messageID, d.subject, statePending, now,
		).Scan(&id)
		if err != nil {
			return fmt.Errorf("record outbound mail %s: %w", d.messageID, err)
		}
		// Known before it is sent, so a quick answer already threads.
		_, err = tx.ExecContext(ctx, `
			INSERT INTO message_ids (message_id, ticket_id, comment_id, direction, created_at)
			VALUES ($1, $2, $3, 'out', $4) ON CONFLICT (message_id) DO NOTHING`,
			d.messageID, d.ticketID, nullID(d.commentID), now)
		if err != nil {
			return fmt.Errorf("record message id %s: %w", d.messageID, err)
		}
		return s.addRecipients(ctx, tx, id, d, own, now)
	})
	return id, err
}

func (s *Service) addRecipients(ctx context.Context, tx *sql.Tx, id int64, d draft, own map[string]bool, now time.Time) error {
	seen := map[string]bool{}
	for _, p := range d.people {
		addr := normAddress(p.email)
		if addr == "" || seen[addr] {
			continue
		}
		seen[addr] = true
		state, reason := statePending, ""
		switch {
		case own[addr]:
			state, reason = stateSkipped, "Linedesk's own address"
		case p.bouncing:
			state, reason = stateSkipped, "mail to this contact bounces"
		case d.automatic:
			ok, err := s.takeAutoSlot(ctx, tx, addr, now)
			if err != nil {
				return err
			}
			if !ok {
				state, reason = stateSkipped, fmt.Sprintf("rate limit: %d automatic mails an hour", s.cfg.RatePerHour)
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO outbound_recipients (outbound_id, address, kind, state, error) VALUES ($1, $2, $3, $4, $5)`,
			id, addr, p.kind, state, reason)
		if err != nil {
			return fmt.Errorf("record recipient %s: %w", addr, err)
		}
		if state == stateSkipped {
			s.log.InfoContext(ctx, "outbound mail not sent to recipient", "ticket", d.ticketID,
				"message_id", d.messageID, "address", addr, "reason", reason)
		}
	}
	return nil
}

// takeAutoSlot counts an automatic mail to addr against its hourly limit
// and reports whether it may go. Headers can be stripped by any machine on
// the way; this count cannot, so it is what finally stops a loop.
func (s *Service) takeAutoSlot(ctx context.Context, tx *sql.Tx, addr string, now time.Time) (bool, error) {
	if s.db.Dialect == db.Postgres {
		// Two nodes must not both take the last slot; SQLite's single
		// writer already serialises this transaction.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "outbound:"+addr); err != nil {
			return false, fmt.Errorf("lock rate limit of %s: %w", addr, err)
		}
	}
	since := now.Add(-time.Hour)
	if _, err := tx.ExecContext(ctx, `DELETE FROM auto_mail_log WHERE address = $1 AND sent_at <= $2`, addr, since); err != nil {
		return false, fmt.Errorf("prune rate limit of %s: %w", addr, err)
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM auto_mail_log WHERE address = $1 AND sent_at > $2`, addr, since).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count automatic mail to %s: %w", addr, err)
	}
	if n >= s.cfg.RatePerHour {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO auto_mail_log (address, sent_at) VALUES ($1, $2)`, addr, now); err != nil {
		return false, fmt.Errorf("count automatic mail to %s: %w", addr, err)
	}
	return true, nil
}

func (s *Service) ownAddresses(ctx context.Context) (map[string]bool, error) {
	list, err := s.mb.Addresses(ctx)
	if err != nil {
		return nil, fmt.Errorf("list own addresses: %w", err)
	}
	own := make(map[string]bool, len(list))
	for _, a := range list {
		own[normAddress(a)] = true
	}
	return own, nil
}

// email is a recorded outbound mail.
type email struct {
	id, ticketID, commentID, mailboxID int64
	kind, messageID, subject, state    string
	createdAt                          time.Time
	recipients                         []recipient
}

type recipient struct {
	address, kind, state, error string
}

func (s *Service) loadEmail(ctx context.Context, id int64) (email, error) {
	e := email{id: id}
	err := s.db.R.QueryRowContext(ctx, `
		SELECT ticket_id, COALESCE(comment_id, 0), COALESCE(mailbox_id, 0), kind, message_id, subject, state, created_at
		FROM outbound_emails WHERE id = $1`, id,
	).Scan(&e.ticketID, &e.commentID, &e.mailboxID, &e.kind, &e.messageID, &e.subject, &e.state, &e.createdAt)
	if err != nil {
		return e, fmt.Errorf("load outbound mail %d: %w", id, err)
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT address, kind, state, error FROM outbound_recipients WHERE outbound_id = $1
		ORDER BY CASE kind WHEN 'to' THEN 0 ELSE 1 END, address`, id)
	if err != nil {
		return e, fmt.Errorf("load recipients of outbound mail %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.address, &r.kind, &r.state, &r.error); err != nil {
			return e, fmt.Errorf("load recipients of outbound mail %d: %w", id, err)
		}
		e.recipients = append(e.recipients, r)
	}
	return e, rows.Err()
}

// settle records what the server said of each recipient, then the state
// of the whole mail.
func (s *Service) settle(ctx context.Context, e email, d delivery) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		set := func(addr, state, text string) error {
			_, err := tx.ExecContext(ctx, `
				UPDATE outbound_recipients SET state = $1, error = $2
				WHERE outbound_id = $3 AND address = $4 AND state = 'pending'`, state, text, e.id, addr)
			if err != nil {
				return fmt.Errorf("record delivery to %s: %w", addr, err)
			}
			return nil
		}
		for _, a := range d.sent {
			if err := set(a, stateSent, ""); err != nil {
				return err
			}
		}
		for a, text := range d.failed {
			if err := set(a, stateFailed, text); err != nil {
				return err
			}
		}
		for a, text := range d.deferred {
			if _, err := tx.ExecContext(ctx, `UPDATE outbound_recipients SET error = $1
				WHERE outbound_id = $2 AND address = $3 AND state = 'pending'`, text, e.id, a); err != nil {
				return fmt.Errorf("record deferral of %s: %w", a, err)
			}
		}
		return finish(ctx, tx, e.id)
	})
}

// finish sets the mail's state from its recipients'.
func finish(ctx context.Context, q db.Queryer, id int64) error {
	rows, err := q.QueryContext(ctx, `SELECT state, count(*) FROM outbound_recipients WHERE outbound_id = $1 GROUP BY state`, id)
	if err != nil {
		return fmt.Errorf("count recipients of outbound mail %d: %w", id, err)
	}
	n := map[string]int{}
	for rows.Next() {
		var st string
		var c int
		if err := rows.Scan(&st, &c); err != nil {
			rows.Close()
			return fmt.Errorf("count recipients of outbound mail %d: %w", id, err)
		}
		n[st] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count recipients of outbound mail %d: %w", id, err)
	}
	state := stateSkipped
	switch {
	case n[statePending] > 0:
		state = statePending
	case n[stateSent] > 0 && n[stateFailed] > 0:
		state = statePartial
	case n[stateSent] > 0:
		state = stateSent
	case n[stateFailed] > 0:
		state = stateFailed
	}
	var sentAt any
	if n[stateSent] > 0 {
		sentAt = db.Now()
	}
	_, err = q.ExecContext(ctx, `UPDATE outbound_emails SET state = $1, sent_at = COALESCE(sent_at, $2) WHERE id = $3`,
		state, sentAt, id)
	if err != nil {
		return fmt.Errorf("record state of outbound mail %d: %w", id, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func normAddress(a string) string {
	return strings.ToLower(strings.TrimSpace(a))
}
