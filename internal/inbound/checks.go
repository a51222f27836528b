package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"linedesk/internal/auth"
	"linedesk/internal/email"
	"linedesk/internal/mailbox"
	"linedesk/internal/ticket"
)

// ownMail says why a message is Linedesk's own mail come back (sent from
// one of its mailbox addresses, or carrying a Message-ID it sent), which
// is recorded and otherwise ignored: answering it would start a loop.
func (p *Processor) ownMail(ctx context.Context, msg *email.Message) (string, error) {
	own, err := p.mail.Addresses(ctx)
	if err != nil {
		return "", err
	}
	if msg.From.Email != "" && contains(own, msg.From.Email) {
		return "ignored: sent from Linedesk's own address " + msg.From.Email, nil
	}
	if msg.MessageID == "" {
		return "", nil
	}
	var dir string
	err = p.db.R.QueryRowContext(ctx, `SELECT direction FROM message_ids WHERE message_id = $1`, msg.MessageID).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up Message-ID: %w", err)
	}
	if dir == "out" {
		return "ignored: Linedesk's own message <" + msg.MessageID + "> came back", nil
	}
	return "", nil
}

// blocked says why a sender's mail is refused: a blocked contact or a
// blocked domain. Nothing is created and nothing is sent back.
func (p *Processor) blocked(ctx context.Context, address string) (string, error) {
	domain := address[strings.LastIndex(address, "@")+1:]
	if ok, err := p.mail.IsBlockedDomain(ctx, domain); err != nil || ok {
		if ok {
			return "sender's domain " + domain + " is blocked", nil
		}
		return "", err
	}
	var blocked bool
	var reason string
	err := p.db.R.QueryRowContext(ctx, `SELECT c.blocked, c.blocked_reason FROM contacts c
		JOIN contact_emails e ON e.contact_id = c.id WHERE e.email = $1`, address).Scan(&blocked, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("check sender %s: %w", address, err)
	}
	if blocked {
		return fmt.Sprintf("sender %s is blocked: %s", address, reason), nil
	}
	return "", nil
}

// bounce attaches a delivery failure to the ticket of the message it
// bounces, as an internal note that changes no status, and marks the
// failed addresses as bouncing. A bounce of nothing Linedesk sent is
// quarantined.
func (p *Processor) bounce(ctx context.Context, in mailbox.Inbound, msg *email.Message) error {
	b := msg.Bounce
	ticketID, err := ticketOfMessageID(ctx, p.db.R, b.OriginalMessageID)
	if err != nil {
		return err
	}
	if b.OriginalMessageID == "" || ticketID == 0 {
		return errQuarantine{"delivery failure report for a message Linedesk did not send"}
	}
	note := fmt.Sprintf("Delivery failed to %s.\n\n%s", strings.Join(b.Recipients, ", "), msg.Text)
	return p.db.Tx(ctx, func(tx *sql.Tx) error {
		commentID, err := p.tickets.AddCommentTx(ctx, tx, auth.System(), ticketID, ticket.NewComment{Body: note,
			Channel: ticket.ChannelEmail, Reason: "delivery failure report for <" + b.OriginalMessageID + ">", InboundID: &in.ID})
		if err != nil {
			return err
		}
		if err := p.attach(ctx, tx, msg, ticketID, commentID); err != nil {
			return err
		}
		for _, r := range b.Recipients {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET bouncing = TRUE WHERE id IN
				(SELECT contact_id FROM contact_emails WHERE email = $1)`, strings.ToLower(r)); err != nil {
				return fmt.Errorf("mark %s bouncing: %w", r, err)
			}
		}
		return p.mail.MarkProcessed(ctx, tx, in.ID, &ticketID, &commentID, "bounce of <"+b.OriginalMessageID+">")
	})
}
