package mailbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// The states of a stored message.
const (
	StateReceived    = "received"    // stored, waiting for (or in) processing
	StateProcessed   = "processed"   // made into a ticket or comment, or deliberately ignored
	StateQuarantined = "quarantined" // kept out of the tickets (blocked, loop, unreadable) until released
)

// Inbound is a stored message and what became of it.
type Inbound struct {
	ID           int64      `json:"id"`
	MailboxID    *int64     `json:"mailbox_id"`
	Source       string     `json:"source"`
	UIDValidity  *int64     `json:"uidvalidity"`
	UID          *int64     `json:"uid"`
	MessageID    string     `json:"message_id"` // without angle brackets
	RawSHA256    string     `json:"raw_sha256"`
	Size         int64      `json:"size"`
	EnvelopeFrom string     `json:"envelope_from"`
	EnvelopeTo   []string   `json:"envelope_to"`
	State        string     `json:"state"`
	Reason       string     `json:"reason"` // why it went where it went
	TicketID     *int64     `json:"ticket_id"`
	CommentID    *int64     `json:"comment_id"`
	ReceivedAt   time.Time  `json:"received_at"`
	ProcessedAt  *time.Time `json:"processed_at"`
}

// InboundFilter selects stored messages, newest first.
type InboundFilter struct {
	State     string
	MailboxID *int64
	Offset    int
	Limit     int // 25 when 0, at most 500
}

const inboundColumns = `id, mailbox_id, source, uidvalidity, uid, message_id, raw_sha256, size,
	envelope_from, envelope_to, state, reason, ticket_id, comment_id, received_at, processed_at`

func scanInbound(row db.Scanner) (Inbound, error) {
	var in Inbound
	var to string
	err := row.Scan(&in.ID, &in.MailboxID, &in.Source, &in.UIDValidity, &in.UID, &in.MessageID, &in.RawSHA256,
		&in.Size, &in.EnvelopeFrom, &to, &in.State, &in.Reason, &in.TicketID, &in.CommentID, &in.ReceivedAt,
		&in.ProcessedAt)
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal([]byte(to), &in.EnvelopeTo); err != nil {
		return in, fmt.Errorf("envelope of message %d: %w", in.ID, err)
	}
	in.EnvelopeTo = orEmpty(in.EnvelopeTo)
	return in, nil
}

// FindInbound returns one stored message.
func (s *Service) FindInbound(ctx context.Context, id int64) (Inbound, error) {
	return findInbound(ctx, s.db.R, id)
}

func findInbound(ctx context.Context, q db.Queryer, id int64) (Inbound, error) {
	in, err := scanInbound(q.QueryRowContext(ctx, `SELECT `+inboundColumns+` FROM inbound_messages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Inbound{}, apperr.NotFoundf("inbound message %d not found", id)
	}
	if err != nil {
		return Inbound{}, fmt.Errorf("find inbound message %d: %w", id, err)
	}
	return in, nil
}

// FindInbounds returns a page of stored messages, newest first, and how
// many match.
func (s *Service) FindInbounds(ctx context.Context, f InboundFilter) ([]Inbound, int, error) {
	var w db.Where
	if f.State != "" {
		if f.State != StateReceived && f.State != StateProcessed && f.State != StateQuarantined {
			return nil, 0, apperr.Field("state", "must be received, processed or quarantined")
		}
		w.Add(`state = ` + w.Arg(f.State))
	}
	if f.MailboxID != nil {
		w.Add(`mailbox_id = ` + w.Arg(*f.MailboxID))
	}
	return db.FindPage(ctx, s.db.R, inboundColumns, "inbound_messages", "id DESC", w, f.Offset, f.Limit, scanInbound)
}

// OpenRaw returns a stored message's raw bytes and its record. The caller
// closes the reader.
func (s *Service) OpenRaw(ctx context.Context, id int64) (io.ReadCloser, Inbound, error) {
	in, err := s.FindInbound(ctx, id)
	if err != nil {
		return nil, Inbound{}, err
	}
	var data []byte
	err = s.db.R.QueryRowContext(ctx, `SELECT data FROM raw_messages WHERE sha256 = $1`, in.RawSHA256).Scan(&data)
	if err != nil {
		return nil, Inbound{}, fmt.Errorf("open raw message %d: %w", id, err)
	}
	return io.NopCloser(bytes.NewReader(data)), in, nil
}

// MarkProcessed records, through q (normally the transaction that made
// the ticket or comment), what became of a message and why.
func (s *Service) MarkProcessed(ctx context.Context, q db.Queryer, id int64, ticketID, commentID *int64, reason string) error {
	return setState(ctx, q, id, `state = $2, reason = $3, ticket_id = $4, comment_id = $5, processed_at = $6`,
		StateProcessed, reason, ticketID, commentID, db.Now())
}

// Quarantine keeps a message out of the tickets, with the reason shown to
// administrators, until one of them releases it.
func (s *Service) Quarantine(ctx context.Context, q db.Queryer, id int64, reason string) error {
	return setState(ctx, q, id, `state = $2, reason = $3, processed_at = $4`, StateQuarantined, reason, db.Now())
}

func setState(ctx context.Context, q db.Queryer, id int64, sets string, args ...any) error {
	res, err := q.ExecContext(ctx, `UPDATE inbound_messages SET `+sets+` WHERE id = $1`, append([]any{id}, args...)...)
	if err != nil {
		return fmt.Errorf("update inbound message %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("update inbound message %d: %w", id, err)
		}
		return apperr.NotFoundf("inbound message %d not found", id)
	}
	return nil
}

// Retry processes a message that is not processed yet (its job died, or
// it was quarantined and its cause is gone) once more: it goes back to
// received and gets a new job. A processed message is a Conflict.
func (s *Service) Retry(ctx context.Context, id int64) error {
	return s.requeue(ctx, id, map[string]any{"inbound_id": id})
}

// Release is Retry for a message the block and loop checks keep out: it
// is processed despite them.
func (s *Service) Release(ctx context.Context, id int64) error {
	return s.requeue(ctx, id, map[string]any{"inbound_id": id, "release": true})
}

func (s *Service) requeue(ctx context.Context, id int64, payload map[string]any) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The state check is part of the update, so a message processed
		// meanwhile is not sent round again.
		res, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET state = $2, reason = '', processed_at = NULL
			WHERE id = $1 AND state <> $3`, id, StateReceived, StateProcessed)
		if err != nil {
			return fmt.Errorf("requeue inbound message %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := findInbound(ctx, tx, id); err != nil {
				return err
			}
			return apperr.Errorf(apperr.Conflict, "inbound message %d is already processed", id)
		}
		_, err = s.jobs.Enqueue(ctx, tx, JobProcess, payload)
		return err
	})
	if err != nil {
		return err
	}
	s.jobs.Wake()
	return nil
}
