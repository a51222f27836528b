package outbound

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/wneessen/go-mail"

	"linedesk/internal/db"
	"linedesk/internal/job"
)

// Letter is a mail to one person outside any ticket: a sign-in link, an
// invitation to the portal. Its words come from the package that asks for
// it; outbound sends it once, marked as automatic.
type Letter struct {
	MailboxID int64 // the mailbox it leaves from
	To        string
	Name      string // the recipient's display name
	Subject   string
	Body      string // plain text
}

// LetterWriter writes the letter a job names by ref. It returns ok false
// when there is nothing to send any more (the link was used meanwhile);
// it is called again on every attempt and must write the same letter.
type LetterWriter func(ctx context.Context, ref json.RawMessage) (l Letter, ok bool, err error)

// LetterPayload is the payload of an email.letter job: the writer, what
// it writes about, and a key unique to the letter (its Message-ID is made
// of it, so a retried job finds what it already sent).
type LetterPayload struct {
	Writer string          `json:"writer"`
	Key    string          `json:"key"`
	Ref    json.RawMessage `json:"ref"`
}

// RegisterLetter names a writer of letters; call it while the application
// is wired, before jobs run.
func (s *Service) RegisterLetter(name string, w LetterWriter) {
	if s.letters == nil {
		s.letters = map[string]LetterWriter{}
	}
	s.letters[name] = w
}

// EnqueueLetter asks for a letter inside the caller's transaction.
func EnqueueLetter(ctx context.Context, jobs *job.Queue, tx db.Queryer, writer, key string, ref any) error {
	raw, err := json.Marshal(ref)
	if err != nil {
		return fmt.Errorf("letter %s: %w", writer, err)
	}
	_, err = jobs.Enqueue(ctx, tx, KindLetter, LetterPayload{Writer: writer, Key: key, Ref: raw})
	return err
}

// handleLetter sends a letter at most once: it is recorded (by its
// Message-ID) before the first attempt, and a recorded letter that was
// sent, refused or skipped is never sent again.
func (s *Service) handleLetter(ctx context.Context, j job.Job) error {
	var p LetterPayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	w, ok := s.letters[p.Writer]
	if !ok {
		return fmt.Errorf("letter %s: no writer %q", p.Key, p.Writer)
	}
	mid := fmt.Sprintf("linedesk.letter.%s@%s", p.Key, s.cfg.Hostname)
	state, err := letterState(ctx, s.db.R, mid)
	if err != nil || (state != "" && state != statePending) {
		return err
	}
	l, ok, err := w(ctx, p.Ref)
	if err != nil {
		return err
	}
	if !ok {
		s.log.InfoContext(ctx, "letter not sent: nothing to send any more", "letter", p.Writer, "key", p.Key)
		return s.recordLetter(ctx, mid, p.Writer, l, stateSkipped, "nothing to send any more")
	}
	if l.MailboxID == 0 {
		s.log.WarnContext(ctx, "letter not sent: no mailbox to send from", "letter", p.Writer, "to", l.To)
		return s.recordLetter(ctx, mid, p.Writer, l, stateFailed, "no mailbox to send from")
	}
	if err := s.recordLetter(ctx, mid, p.Writer, l, statePending, ""); err != nil {
		return err
	}
	return s.sendLetter(ctx, mid, l)
}

func letterState(ctx context.Context, q db.Queryer, mid string) (string, error) {
	var state string
	err := q.QueryRowContext(ctx, `SELECT state FROM letters WHERE message_id = $1`, mid).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find letter %s: %w", mid, err)
	}
	return state, nil
}

// recordLetter writes the letter's row, or its new state and error.
func (s *Service) recordLetter(ctx context.Context, mid, kind string, l Letter, state, reason string) error {
	_, err := s.db.W.ExecContext(ctx, `
		INSERT INTO letters (message_id, kind, address, mailbox_id, state, error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (message_id) DO UPDATE SET state = excluded.state, error = excluded.error`,
		mid, kind, normAddress(l.To), nullID(l.MailboxID), state, reason, db.Now())
	if err != nil {
		return fmt.Errorf("record letter %s: %w", mid, err)
	}
	return nil
}

func (s *Service) sendLetter(ctx context.Context, mid string, l Letter) error {
	to := normAddress(l.To)
	own, err := s.ownAddresses(ctx)
	if err != nil {
		return err
	}
	if own[to] {
		return s.recordLetter(ctx, mid, "", l, stateSkipped, "Linedesk's own address")
	}
	from, err := s.mb.SMTPSettings(ctx, l.MailboxID)
	if err != nil {
		return fmt.Errorf("send letter %s: SMTP settings of mailbox %d: %w", mid, l.MailboxID, err)
	}
	if from.Host == "" {
		return s.finishLetter(ctx, mid, stateFailed, "the mailbox has no outgoing (SMTP) server configured")
	}
	mb, err := s.loadMailbox(ctx, l.MailboxID)
	if err != nil {
		return err
	}
	if from.From == "" {
		from.From = mb.address
	}
	raw, err := composeLetter(mid, from, content{mailbox: mb}.withFromName(from).fromName, l)
	if err != nil {
		return err
	}
	d, sendErr := s.transmit(ctx, from, []string{to}, raw)
	switch {
	case len(d.sent) == 1:
		return s.finishLetter(ctx, mid, stateSent, "")
	case d.failed[to] != "":
		s.log.WarnContext(ctx, "letter refused", "message_id", mid, "address", to, "reply", d.failed[to])
		return s.finishLetter(ctx, mid, stateFailed, d.failed[to])
	case sendErr != nil:
		return fmt.Errorf("send letter %s: %w", mid, sendErr)
	}
	return fmt.Errorf("send letter %s: deferred by the server: %s", mid, d.deferred[to])
}

func (s *Service) finishLetter(ctx context.Context, mid, state, reason string) error {
	var sentAt any
	if state == stateSent {
		sentAt = db.Now()
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE letters SET state = $2, error = $3, sent_at = $4 WHERE message_id = $1`,
		mid, state, reason, sentAt)
	if err != nil {
		return fmt.Errorf("record letter %s: %w", mid, err)
	}
	return nil
}

// composeLetter renders a letter as RFC 5322 bytes, marked as automatic
// mail so that no auto-responder answers it.
func composeLetter(mid string, from SMTP, fromName string, l Letter) ([]byte, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.FromMailAddress(&netmail.Address{Name: fromName, Address: from.From})
	m.ToMailAddress(&netmail.Address{Name: l.Name, Address: normAddress(l.To)})
	m.Subject(strings.TrimSpace(l.Subject))
	m.SetMessageIDWithValue(mid)
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(mail.TypeTextPlain, l.Body)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render letter %s: %w", mid, err)
	}
	return buf.Bytes(), nil
}
