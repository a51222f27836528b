package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/email"
	"linedesk/internal/mailbox"
	"linedesk/internal/ticket"
)

// placement is where a message goes and why.
type placement struct {
	ticketID int64  // 0: a new ticket
	number   int64  // the matched ticket's number
	reason   string // shown to agents on the comment
	flag     string // set on a new ticket an agent should look at
}

// thread finds the ticket a message continues, in order of trust:
// In-Reply-To, then References (newest first), against every Message-ID
// Linedesk has seen or sent; then a [#N] token in the subject, but only
// from a participant of that ticket; otherwise a new ticket.
func (p *Processor) thread(ctx context.Context, q db.Queryer, msg *email.Message, senderID int64) (placement, error) {
	for _, c := range candidates(msg) {
		id, err := ticketOfMessageID(ctx, q, c.id)
		if err != nil {
			return placement{}, err
		}
		if id != 0 {
			return placement{ticketID: id, reason: fmt.Sprintf("%s matched <%s>", c.header, c.id)}, nil
		}
	}
	number, ok := email.SubjectToken(msg.Subject)
	if !ok {
		return placement{reason: "new ticket: the message continues no known conversation"}, nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = $1`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return placement{reason: fmt.Sprintf("new ticket: %s in the subject names no ticket", ticket.Number(number))}, nil
	}
	if err != nil {
		return placement{}, fmt.Errorf("find ticket %d: %w", number, err)
	}
	member, err := isParticipant(ctx, q, id, senderID)
	if err != nil {
		return placement{}, err
	}
	if !member {
		flag := fmt.Sprintf("the subject names %s, but the sender is not a participant of that ticket", ticket.Number(number))
		return placement{reason: "new ticket: " + flag, flag: flag}, nil
	}
	return placement{ticketID: id, number: number,
		reason: fmt.Sprintf("%s in the subject, sent by a participant", ticket.Number(number))}, nil
}

type candidate struct{ header, id string }

// candidates lists the ids a message refers to, most specific first. An
// empty id never matches anything.
func candidates(msg *email.Message) []candidate {
	var out []candidate
	for _, id := range msg.InReplyTo {
		out = append(out, candidate{"In-Reply-To", id})
	}
	for i := len(msg.References) - 1; i >= 0; i-- {
		out = append(out, candidate{"References", msg.References[i]})
	}
	kept := out[:0]
	for _, c := range out {
		if strings.TrimSpace(c.id) != "" {
			kept = append(kept, c)
		}
	}
	return kept
}

func ticketOfMessageID(ctx context.Context, q db.Queryer, id string) (int64, error) {
	var ticketID int64
	err := q.QueryRowContext(ctx, `SELECT ticket_id FROM message_ids WHERE message_id = $1`, id).Scan(&ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up Message-ID: %w", err)
	}
	return ticketID, nil
}

// isParticipant reports whether a contact is the ticket's requester or is
// copied on it.
func isParticipant(ctx context.Context, q db.Queryer, ticketID, contactID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE t.id = $1 AND (t.requester_id = $2 OR EXISTS
		(SELECT 1 FROM ticket_participants p WHERE p.ticket_id = t.id AND p.contact_id = $2))`, ticketID, contactID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check participant: %w", err)
	}
	return n > 0, nil
}

// file threads the message and writes it as a comment on its ticket, or
// opens a ticket (a follow-up when the ticket it continues is closed).
func (p *Processor) file(ctx context.Context, tx *sql.Tx, in mailbox.Inbound, msg *email.Message) error {
	sender, err := p.dir.ResolveContact(ctx, tx, msg.From.Email, msg.From.Name)
	if err != nil {
		return errQuarantine{"sender: " + err.Error()}
	}
	place, err := p.thread(ctx, tx, msg, sender.ID)
	if err != nil {
		return err
	}
	var status ticket.Status
	if place.ticketID != 0 {
		if status, err = followMerges(ctx, tx, &place); err != nil {
			return err
		}
	}
	if status == ticket.StatusClosed {
		if err := continueFollowUp(ctx, tx, &place, &status); err != nil {
			return err
		}
	}
	newTicket := place.ticketID == 0 || status == ticket.StatusClosed
	if newTicket {
		if err := p.open(ctx, tx, in, msg, sender.ID, &place, status == ticket.StatusClosed); err != nil {
			return err
		}
	}
	text := strings.TrimSpace(msg.Text)
	visible, quoted := email.SplitQuoted(text)
	fold := 0
	if quoted != "" {
		fold = len(strings.TrimRight(visible, " \t\r\n"))
	}
	commentID, err := p.tickets.AddCommentTx(ctx, tx, auth.System(), place.ticketID, ticket.NewComment{
		Body: text, Public: true, AuthorContactID: &sender.ID, Channel: ticket.ChannelEmail, HTML: msg.HTML,
		Visible: fold, Reason: place.reason, InboundID: &in.ID, KeepStatus: msg.Auto != ""})
	if err != nil {
		return err
	}
	if err := p.attach(ctx, tx, msg, place.ticketID, commentID); err != nil {
		return err
	}
	if err := p.copyParticipants(ctx, tx, msg, place.ticketID, sender.ID); err != nil {
		return err
	}
	if err := recordMessageID(ctx, tx, msg.MessageID, place.ticketID, commentID, "in"); err != nil {
		return err
	}
	if newTicket && msg.Auto == "" {
		if _, err := p.jobs.Enqueue(ctx, tx, ticket.JobEmailNotify, map[string]any{"ticket_id": place.ticketID,
			"kind": "received", "inbound_id": in.ID}); err != nil {
			return err
		}
	}
	if err := p.mail.MarkProcessed(ctx, tx, in.ID, &place.ticketID, &commentID, place.reason); err != nil {
		return err
	}
	if p.beforeCommit != nil {
		p.beforeCommit()
	}
	return nil
}

// followMerges reads the status of the ticket the message belongs to; a
// ticket merged into another hands the message on to the survivor, so a
// reply to the old conversation continues where the conversation went.
func followMerges(ctx context.Context, q db.Queryer, place *placement) (ticket.Status, error) {
	for hops := 0; ; hops++ {
		var status ticket.Status
		var into sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT status, number, merged_into_id FROM tickets WHERE id = $1`, place.ticketID).
			Scan(&status, &place.number, &into)
		if err != nil {
			return "", fmt.Errorf("status of ticket %d: %w", place.ticketID, err)
		}
		if !into.Valid || hops == 10 {
			return status, nil
		}
		from := place.number
		place.ticketID = into.Int64
		if err := q.QueryRowContext(ctx, `SELECT number FROM tickets WHERE id = $1`, into.Int64).Scan(&place.number); err != nil {
			return "", fmt.Errorf("number of ticket %d: %w", into.Int64, err)
		}
		place.reason = fmt.Sprintf("%s; %s was merged into %s", place.reason, ticket.Number(from), ticket.Number(place.number))
	}
}

// continueFollowUp moves a message that continues a closed ticket to that
// ticket's open follow-up, if it has one, so one conversation does not
// open a new ticket per message.
func continueFollowUp(ctx context.Context, q db.Queryer, place *placement, status *ticket.Status) error {
	var id, number int64
	var st ticket.Status
	err := q.QueryRowContext(ctx, `SELECT id, number, status FROM tickets WHERE follow_up_of = $1 AND status <> 'closed'
		ORDER BY id DESC LIMIT 1`, place.ticketID).Scan(&id, &number, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find follow-up: %w", err)
	}
	place.reason = fmt.Sprintf("%s; %s is closed, so added to its follow-up %s", place.reason,
		ticket.Number(place.number), ticket.Number(number))
	place.ticketID, place.number, *status = id, number, st
	return nil
}

// open creates the ticket a message starts, routed by its mailbox.
func (p *Processor) open(ctx context.Context, tx *sql.Tx, in mailbox.Inbound, msg *email.Message, senderID int64,
	place *placement, followUp bool) error {
	nt := ticket.NewTicket{Subject: subjectOf(msg), Description: msg.Text, Requester: ticket.RequesterRef{ID: &senderID},
		Channel: ticket.ChannelEmail, Flag: place.flag}
	if followUp {
		closed := place.ticketID
		nt.FollowUpOf = &closed
		place.reason = fmt.Sprintf("follow-up: the message continues %s, which is closed", ticket.Number(place.number))
	}
	if in.MailboxID != nil {
		m, err := p.mail.FindMailbox(ctx, *in.MailboxID)
		if err != nil {
			return err
		}
		r := m.Route(mailbox.RouteInput{From: msg.From.Email, To: recipients(msg, in), Subject: msg.Subject, Body: msg.Text})
		nt.MailboxID = &m.ID
		nt.GroupID, nt.Line, nt.Priority, nt.AssigneeID, nt.Tags = r.GroupID, r.Line, ticket.Priority(r.Priority), r.AssigneeID, r.Tags
		if len(r.Rules) > 0 {
			place.reason += "; routing rules: " + strings.Join(r.Rules, ", ")
		}
	}
	t, err := p.tickets.CreateTicketTx(ctx, tx, auth.System(), nt)
	if err != nil {
		return err
	}
	place.ticketID = t.ID
	return nil
}

func subjectOf(msg *email.Message) string {
	s := strings.TrimSpace(msg.Subject)
	if s == "" {
		return "(no subject)"
	}
	if r := []rune(s); len(r) > 500 {
		s = string(r[:500])
	}
	return s
}

// recipients are the addresses a message was sent to: envelope first.
func recipients(msg *email.Message, in mailbox.Inbound) []string {
	out := append([]string{}, in.EnvelopeTo...)
	for _, a := range append(append([]email.Address{}, msg.To...), msg.Cc...) {
		out = append(out, a.Email)
	}
	return out
}

// copyParticipants makes the people copied on the message participants
// of the ticket (never Linedesk's own addresses or the sender).
func (p *Processor) copyParticipants(ctx context.Context, tx *sql.Tx, msg *email.Message, ticketID, senderID int64) error {
	own, err := p.mail.Addresses(ctx)
	if err != nil {
		return err
	}
	for _, a := range append(append([]email.Address{}, msg.To...), msg.Cc...) {
		if a.Email == "" || contains(own, a.Email) || a.Email == msg.From.Email {
			continue
		}
		c, err := p.dir.ResolveContact(ctx, tx, a.Email, a.Name)
		if err != nil {
			continue // an unusable address in Cc does not stop the message
		}
		if c.ID != senderID {
			if err := ticket.AddParticipants(ctx, tx, ticketID, c.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// recordMessageID remembers a Message-ID for threading. An empty one is
// never recorded: it would match every other message without one.
func recordMessageID(ctx context.Context, q db.Queryer, id string, ticketID, commentID int64, direction string) error {
	if strings.TrimSpace(id) == "" {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO message_ids (message_id, ticket_id, comment_id, direction, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, id, ticketID, commentID, direction, db.Now())
	if err != nil {
		return fmt.Errorf("record Message-ID: %w", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
