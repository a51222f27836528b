package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// States of a rule's reply.
const (
	replyPending = "pending" // waiting for its job, once the change commits
	replySent    = "sent"    // added to the ticket as a public reply
	replySkipped = "skipped" // not sent: automatic mail, or the reply is gone
)

// A rule's reply is written as a row and sent by a job once the change
// that caused it has committed: by then an e-mail ticket holds the
// message that opened it, and automatic mail (an auto-reply, a bounce,
// a mailing list) has cancelled the reply — Linedesk never answers a
// machine. The reply is a public comment of Linedesk's own: the ticket's
// channel takes it to the customer (outbound mails it as automatic mail,
// marked and limited per address like every notification).

func (s *Service) queueReply(ctx context.Context, tx *sql.Tx, r Rule, ticketID, replyID int64, automatic bool) error {
	state, reason := replyPending, ""
	if automatic {
		state, reason = replySkipped, "automatic mail is never answered"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO routing_replies (ticket_id, rule_id, rule_name, reply_id, state, reason,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, ticketID, r.ID, r.Name, replyID, state, reason,
		db.Now()).Scan(&id)
	if err != nil {
		return fmt.Errorf("queue reply of rule %q: %w", r.Name, err)
	}
	if automatic {
		return nil
	}
	_, err = s.jobs.Enqueue(ctx, tx, JobReply, map[string]int64{"id": id})
	return err
}

// cancelReplies stops the replies still waiting for a ticket that
// automatic mail just reached.
func cancelReplies(ctx context.Context, tx *sql.Tx, ticketID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE routing_replies SET state = $2, reason = $3 WHERE ticket_id = $1 AND state = $4`,
		ticketID, replySkipped, "automatic mail is never answered", replyPending)
	if err != nil {
		return fmt.Errorf("cancel replies of ticket %d: %w", ticketID, err)
	}
	return nil
}

type pendingReply struct {
	id, ticketID, replyID int64
	ruleName, state       string
}

// handleReply sends one rule's reply: the public comment, its history
// entry and the row's new state commit together, so a retried job never
// replies twice.
func (s *Service) handleReply(ctx context.Context, j job.Job) error {
	var p struct{ ID int64 }
	if err := j.Decode(&p); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var r pendingReply
		err := tx.QueryRowContext(ctx, `SELECT id, ticket_id, reply_id, rule_name, state FROM routing_replies WHERE id = $1`+
			s.db.ForUpdate(), p.ID).Scan(&r.id, &r.ticketID, &r.replyID, &r.ruleName, &r.state)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the ticket is gone
		}
		if err != nil {
			return fmt.Errorf("load rule reply %d: %w", p.ID, err)
		}
		if r.state != replyPending {
			return nil
		}
		return s.sendReply(ctx, tx, r)
	})
}

func (s *Service) sendReply(ctx context.Context, tx *sql.Tx, r pendingReply) error {
	filled, err := s.replies.Fill(ctx, auth.System(), r.replyID, r.ticketID, "")
	if apperr.Is(err, apperr.NotFound) || (err == nil && filled.Text == "") {
		why := fmt.Sprintf("canned response %d is gone or has no text", r.replyID)
		return s.skipReply(ctx, tx, r, why)
	}
	if err != nil {
		return err
	}
	commentID, err := s.tickets.AddCommentTx(ctx, tx, auth.System(), r.ticketID, ticket.NewComment{Body: filled.Text,
		Public: true})
	if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.Invalid) {
		return s.skipReply(ctx, tx, r, safeMessage(err))
	}
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%d", r.replyID)
	if rep, err := s.replies.Find(ctx, auth.System(), r.replyID); err == nil {
		name = rep.Name
	}
	if err := s.tickets.RecordTx(ctx, tx, auth.System(), r.ticketID, ticket.AutoEvent{Kind: EventRuleReplied,
		Field: r.ruleName, To: name, Reason: Reason(r.ruleName)}); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE routing_replies SET state = $2, comment_id = $3 WHERE id = $1`, r.id, replySent,
		commentID)
	if err != nil {
		return fmt.Errorf("rule reply %d sent: %w", r.id, err)
	}
	s.jobs.Wake()
	return nil
}

func (s *Service) skipReply(ctx context.Context, tx *sql.Tx, r pendingReply, why string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE routing_replies SET state = $2, reason = $3 WHERE id = $1`, r.id, replySkipped,
		why); err != nil {
		return fmt.Errorf("rule reply %d skipped: %w", r.id, err)
	}
	return s.tickets.RecordTx(ctx, tx, auth.System(), r.ticketID, ticket.AutoEvent{Kind: EventRuleFailed, Field: r.ruleName,
		To: why, Reason: Reason(r.ruleName)})
}
