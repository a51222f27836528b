package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Raw is a message as received, before anything is made of it.
type Raw struct {
	MailboxID    int64  // 0 when no mailbox is known
	Source       string // SourceIMAP or SourceSMTP
	UIDValidity  uint32 // IMAP only
	UID          uint32 // IMAP only
	EnvelopeFrom string
	EnvelopeTo   []string
	Data         []byte // the message exactly as received
}

// Where a message came from.
const (
	SourceIMAP = "imap"
	SourceSMTP = "smtp"
)

// Store takes a message in, exactly once: it writes the raw file, records
// the message and enqueues its processing in one transaction, and only
// then may the caller acknowledge it (to the IMAP server or the SMTP
// client). A message already stored, recognised by its IMAP mailbox,
// UIDVALIDITY and UID or by its content key (Message-ID and the SHA-256 of
// its bytes), is not stored again: Store returns the first copy's id and
// duplicate true.
//
// A message over the size limit is TooLarge over SMTP and leaves no trace.
// Over IMAP it is stored all the same, but quarantined with the reason and
// not processed (see admit).
//
// The raw file is put in place before the row that names it is inserted,
// so a row never points at a missing file; a crash in between leaves at
// most an unreferenced file, which the next delivery of the message reuses.
func (s *Service) Store(ctx context.Context, r Raw) (id int64, duplicate bool, err error) {
	var in intake
	if in.state, in.reason, err = s.admit(r); err != nil {
		return 0, false, err
	}
	if err := r.check(); err != nil {
		return 0, false, err
	}
	sum := sha256.Sum256(r.Data)
	in.sha = hex.EncodeToString(sum[:])
	in.messageID = MessageID(r.Data)
	in.key = contentKey(in.messageID, in.sha)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = findStored(ctx, tx, r, in.key); err != nil || id != 0 {
			duplicate = id != 0
			return err
		}
		// The raw bytes are kept by content in the same transaction as the
		// row that records them.
		if _, err := tx.ExecContext(ctx, `INSERT INTO raw_messages (sha256, data) VALUES ($1, $2)
			ON CONFLICT (sha256) DO NOTHING`, in.sha, r.Data); err != nil {
			return fmt.Errorf("store raw message: %w", err)
		}
		id, err = s.insert(ctx, tx, r, in)
		return err
	})
	if db.IsUniqueViolation(err) {
		// Another Store of the same message committed first (PostgreSQL;
		// SQLite runs write transactions one at a time).
		id, err = findStored(ctx, s.db.W, r, in.key)
		if err == nil && id == 0 {
			err = fmt.Errorf("store message: unique violation but no stored copy")
		}
		return id, err == nil, err
	}
	if err != nil {
		return 0, false, err
	}
	if !duplicate && in.state == StateQuarantined {
		s.log.Warn("inbound message quarantined", "inbound_id", id, "mailbox_id", r.MailboxID, "reason", in.reason)
	}
	if !duplicate && in.state == StateReceived {
		s.jobs.Wake()
	}
	return id, duplicate, nil
}

// admit decides the state a message is stored in, or refuses it. A message
// over the size limit is refused over SMTP: the listener answers 552 and
// the sending server bounces it to its sender. Over IMAP nobody hears a
// refusal: the poller would fetch the message again on every poll and never
// get past it, so it is stored and quarantined for an administrator
// instead. Its bytes are already in the poller's memory, so storing them
// takes no more memory, and quarantine keeps them out of processing.
func (s *Service) admit(r Raw) (state, reason string, err error) {
	n := int64(len(r.Data))
	if n <= s.cfg.MaxBytes {
		return StateReceived, "", nil
	}
	if r.Source != SourceIMAP {
		return "", "", apperr.Errorf(apperr.TooLarge, "message is over the limit of %d bytes", s.cfg.MaxBytes)
	}
	return StateQuarantined, fmt.Sprintf("message is over the size limit of %d bytes (%d bytes)", s.cfg.MaxBytes, n), nil
}

// intake is what Store works out about a message before recording it.
type intake struct {
	sha, messageID, key string // the raw file's name and the content key's parts
	state, reason       string // from admit
}

// insert records a message whose raw file is in place and enqueues its
// processing, unless it is quarantined: a quarantined message waits for an
// administrator, as if Quarantine had been called on it.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, r Raw, in intake) (int64, error) {
	var mailboxID, uidValidity, uid, processedAt any
	if r.MailboxID != 0 {
		mailboxID = r.MailboxID
	}
	if r.Source == SourceIMAP {
		uidValidity, uid = int64(r.UIDValidity), int64(r.UID)
	}
	now := db.Now()
	if in.state == StateQuarantined {
		processedAt = now
	}
	envTo, _ := json.Marshal(orEmpty(r.EnvelopeTo))
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO inbound_messages (mailbox_id, source, uidvalidity, uid, message_id, content_key,
			raw_sha256, size, envelope_from, envelope_to, state, reason, received_at, processed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		mailboxID, r.Source, uidValidity, uid, in.messageID, in.key, in.sha, len(r.Data), r.EnvelopeFrom,
		string(envTo), in.state, in.reason, now, processedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store message: %w", err)
	}
	if in.state != StateReceived {
		return id, nil
	}
	if _, err := s.jobs.Enqueue(ctx, tx, JobProcess, map[string]int64{"inbound_id": id}); err != nil {
		return 0, err
	}
	return id, nil
}

func (r Raw) check() error {
	switch r.Source {
	case SourceIMAP:
		if r.MailboxID == 0 || r.UID == 0 {
			return apperr.Field("uid", "an IMAP message needs its mailbox and UID")
		}
	case SourceSMTP:
	default:
		return apperr.Field("source", "must be imap or smtp")
	}
	return nil
}

// findStored returns the id of the stored copy of r, or 0.
func findStored(ctx context.Context, q db.Queryer, r Raw, key string) (int64, error) {
	var id int64
	var err error
	if r.Source == SourceIMAP {
		err = q.QueryRowContext(ctx, `SELECT id FROM inbound_messages WHERE mailbox_id = $1 AND uidvalidity = $2 AND uid = $3`,
			r.MailboxID, int64(r.UIDValidity), int64(r.UID)).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("find stored message: %w", err)
		}
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM inbound_messages WHERE content_key = $1`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find stored message: %w", err)
	}
	return id, nil
}

// contentKey identifies a message by its Message-ID and exact bytes: a
// Message-ID reused for different content yields a different key.
func contentKey(messageID, sha string) string {
	sum := sha256.Sum256([]byte(messageID + "\x00" + sha))
	return hex.EncodeToString(sum[:])
}

// MessageID returns the Message-ID of a raw message without its angle
// brackets, or "" when it has none or its header cannot be read. Only the
// header section is parsed.
func MessageID(data []byte) string {
	head := data
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		head = data[:i+2]
	} else if i := bytes.Index(data, []byte("\n\n")); i >= 0 {
		head = data[:i+1]
	}
	h, err := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(head),
		strings.NewReader("\r\n")))).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return ""
	}
	v := strings.TrimSpace(h.Get("Message-Id"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	return strings.TrimSpace(v)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
