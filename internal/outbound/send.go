package outbound

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// send delivers a recorded mail to its recipients still pending and
// records what became of each. It returns an error while a recipient is
// left to try again, so the job is retried with backoff; recipients
// already sent, failed or skipped are never tried again.
func (s *Service) send(ctx context.Context, id int64, c content) error {
	e, err := s.loadEmail(ctx, id)
	if err != nil {
		return err
	}
	var pending []string
	for _, r := range e.recipients {
		if r.state == statePending {
			pending = append(pending, r.address)
		}
	}
	if len(pending) == 0 {
		if e.state == statePending {
			return finish(ctx, s.db.W, e.id)
		}
		return nil
	}
	from, err := s.mb.SMTPSettings(ctx, e.mailboxID)
	if err != nil {
		return fmt.Errorf("send mail %s: SMTP settings of mailbox %d: %w", e.messageID, e.mailboxID, err)
	}
	if from.Host == "" {
		// A receive-only mailbox: retrying cannot help, so each recipient
		// is recorded as failed on the ticket once.
		d := delivery{failed: map[string]string{}, deferred: map[string]string{}}
		for _, a := range pending {
			d.failed[a] = "the mailbox has no outgoing (SMTP) server configured"
		}
		return s.record(ctx, e, d)
	}
	if from.From == "" {
		from.From = c.mailbox.address
	}
	raw, err := s.compose(ctx, e, from, c.withFromName(from))
	if err != nil {
		return err
	}
	d, sendErr := s.transmit(ctx, from, pending, raw)
	if err := s.record(ctx, e, d); err != nil {
		return errors.Join(err, sendErr)
	}
	s.log.InfoContext(ctx, "outbound mail attempted", "ticket", e.ticketID, "message_id", e.messageID,
		"sent", len(d.sent), "failed", len(d.failed), "deferred", len(d.deferred), "error", sendErr)
	if sendErr != nil {
		return fmt.Errorf("send mail %s: %w", e.messageID, sendErr)
	}
	if len(d.deferred) > 0 {
		var why []string
		for _, a := range slices.Sorted(maps.Keys(d.deferred)) {
			why = append(why, a+": "+d.deferred[a])
		}
		return fmt.Errorf("send mail %s: deferred by the server: %s", e.messageID, strings.Join(why, "; "))
	}
	return nil
}

// record stores an attempt's outcome. Deliveries come first, so a failure
// later in record cannot make anyone get the mail twice; a refusal is
// written to the ticket's history before it is marked, so a crash in
// between repeats the event rather than losing it.
func (s *Service) record(ctx context.Context, e email, d delivery) error {
	if err := s.settle(ctx, e, delivery{sent: d.sent, deferred: d.deferred}); err != nil {
		return err
	}
	if len(d.failed) == 0 {
		return nil
	}
	for _, a := range slices.Sorted(maps.Keys(d.failed)) {
		if err := s.ev.SystemEvent(ctx, e.ticketID, EventEmailFailed, "recipient", "", a, d.failed[a]); err != nil {
			return fmt.Errorf("record refusal of %s on ticket %d: %w", a, e.ticketID, err)
		}
		s.log.WarnContext(ctx, "outbound mail refused", "ticket", e.ticketID, "message_id", e.messageID,
			"address", a, "reply", d.failed[a])
	}
	return s.settle(ctx, e, delivery{failed: d.failed})
}

// withFromName sets the display name of From: the mailbox's name, or
// "Agent Name via Mailbox Name" for an agent's reply.
func (c content) withFromName(from SMTP) content {
	name := from.FromName
	if name == "" {
		name = c.mailbox.name
	}
	if name == "" {
		name = from.From
	}
	if c.agentName != "" {
		name = c.agentName + " via " + name
	}
	c.fromName = name
	return c
}
