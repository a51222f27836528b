package outbound

import (
	"bytes"
	"context"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wneessen/go-mail"
)

// maxReferences caps the References header: the thread's first message
// and its latest ones are what mail programs need to thread.
const maxReferences = 20

// content is what a handler wants said in a mail, besides what the
// outbound row records.
type content struct {
	agentName   string            // who wrote a reply; empty for a notification
	mailbox     mailboxInfo       // the mailbox it leaves from
	fromName    string            // the display name of From, set by send
	body        string            // plain text
	automatic   bool              // a notification, not a person's reply
	names       map[string]string // display names of recipients by address
	inboundID   int64             // the stored message this mail answers, if any
	attachments []file
}

// file is an attachment to read from the data directory.
type file struct {
	name, contentType, sha256 string
}

// compose renders the mail as RFC 5322 bytes. Recipients skipped when the
// mail was recorded are left out of the headers, so every attempt
// carries the same To and Cc.
func (s *Service) compose(ctx context.Context, e email, from SMTP, c content) ([]byte, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.FromMailAddress(&netmail.Address{Name: c.fromName, Address: from.From})
	var to, cc []*netmail.Address
	for _, r := range e.recipients {
		if r.state == stateSkipped {
			continue
		}
		a := &netmail.Address{Name: c.names[r.address], Address: r.address}
		if r.kind == "to" {
			to = append(to, a)
		} else {
			cc = append(cc, a)
		}
	}
	if len(to) > 0 {
		m.ToMailAddress(to...)
	}
	if len(cc) > 0 {
		m.CcMailAddress(cc...)
	}
	m.Subject(e.subject)
	m.SetMessageIDWithValue(e.messageID)
	m.SetDateWithValue(e.createdAt)
	inReplyTo, refs, err := s.thread(ctx, e.ticketID, e.messageID, c.inboundID)
	if err != nil {
		return nil, err
	}
	if inReplyTo != "" {
		m.SetGenHeader(mail.HeaderInReplyTo, "<"+inReplyTo+">")
	}
	if len(refs) > 0 {
		m.SetGenHeader(mail.HeaderReferences, "<"+strings.Join(refs, "> <")+">")
	}
	if c.automatic {
		m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
		m.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	}
	m.SetBodyString(mail.TypeTextPlain, c.body)
	for _, f := range c.attachments {
		path := filepath.Join(s.cfg.DataDir, "attachments", f.sha256[0:2], f.sha256[2:4], f.sha256)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		m.AttachFile(path, mail.WithFileName(f.name), mail.WithFileContentType(mail.ContentType(f.contentType)))
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render mail %s: %w", e.messageID, err)
	}
	return buf.Bytes(), nil
}

// thread returns the In-Reply-To and References of a ticket's mail: it
// answers the message that caused it (inboundID) or else the ticket's
// latest inbound message, and references every message of the ticket.
func (s *Service) thread(ctx context.Context, ticketID int64, self string, inboundID int64) (string, []string, error) {
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT message_id, direction FROM message_ids WHERE ticket_id = $1 ORDER BY created_at, message_id`, ticketID)
	if err != nil {
		return "", nil, fmt.Errorf("thread of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var refs []string
	var lastIn, lastAny string
	for rows.Next() {
		var id, dir string
		if err := rows.Scan(&id, &dir); err != nil {
			return "", nil, fmt.Errorf("thread of ticket %d: %w", ticketID, err)
		}
		if id = cleanID(id); id == "" || id == self {
			continue
		}
		refs = append(refs, id)
		lastAny = id
		if dir == "in" {
			lastIn = id
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("thread of ticket %d: %w", ticketID, err)
	}
	inReplyTo := lastIn
	if inReplyTo == "" {
		inReplyTo = lastAny
	}
	if inboundID != 0 {
		var id string
		err := s.db.R.QueryRowContext(ctx, `SELECT message_id FROM inbound_messages WHERE id = $1`, inboundID).Scan(&id)
		if err == nil && cleanID(id) != "" && cleanID(id) != self {
			inReplyTo = cleanID(id)
			if !slices.Contains(refs, inReplyTo) {
				refs = append(refs, inReplyTo)
			}
		}
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
	}
	return inReplyTo, refs, nil
}

// cleanID is a Message-ID without its angle brackets, or "" when it could
// not be written back into a header as it is.
func cleanID(id string) string {
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	if id == "" || len(id) > 250 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return ""
		}
	}
	return id
}
