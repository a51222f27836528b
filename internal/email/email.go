// Package email turns raw RFC 5322 mail into what the help desk needs: decoded
// headers and addresses, a UTF-8 text body, sanitised HTML, attachments,
// loop protection (automatic mail and bounces), ticket tokens in subjects and
// the folding of quoted history.
//
// Parsing is defensive: size and MIME structure are checked as the message
// is split, defects that can be tolerated are recorded in Message.Problems,
// and anything else (including a panic) becomes an error whose text is the
// reason to quarantine the raw message.
package email

import (
	"bytes"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"linedesk/internal/apperr"
)

// Limits bound the resources one message may take while it is parsed.
// A zero or negative field means the default.
type Limits struct {
	MaxBytes int64 // size of the raw message
	MaxDepth int   // nesting of multipart containers
	MaxParts int   // number of MIME parts, containers included
}

// DefaultLimits returns the limits used for inbound mail: 50 MiB, 20 levels
// of multipart nesting and 500 parts.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 50 << 20, MaxDepth: 20, MaxParts: 500}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	return l
}

// Address is one mailbox: a decoded display name and a lower-cased address.
type Address struct {
	Name  string
	Email string
}

// Part is an attachment or an inline image. Inline images referenced from
// the HTML as cid: URLs have Inline set and ContentID without angle brackets.
type Part struct {
	Filename    string
	ContentType string
	ContentID   string
	Inline      bool
	Data        []byte
}

// Bounce describes a delivery status notification (or an abuse feedback
// report, which is reported with Permanent false).
type Bounce struct {
	OriginalMessageID string   // Message-ID of the mail that bounced, "" when not found
	Recipients        []string // lower-cased addresses that failed
	Permanent         bool     // a 5.x.x failure: do not send to these again
}

// Message is a parsed email.
type Message struct {
	MessageID   string    // without <>, "" when missing, empty or invalid
	InReplyTo   []string  // ids without <>
	References  []string  // ids without <>, in order, without duplicates
	Subject     string    // decoded
	From        Address   // From, or Sender when From is missing or unreadable
	ReplyTo     []Address //
	To, Cc      []Address //
	Date        time.Time // Date, else the time of the newest Received header, else zero
	Text        string    // plain-text body (text/plain, else converted from the HTML), UTF-8, "\n" line ends
	HTML        string    // sanitised HTML, "" when the message has none
	Attachments []Part    // real attachments and inline images
	Auto        string    // why this is automatic mail that must never be answered, "" for a person's mail
	Bounce      *Bounce   // non-nil for delivery status notifications
	Problems    []string  // defects tolerated while parsing

	// Header holds the top-level header fields as received: unfolded but not
	// decoded. HeaderValue decodes them.
	Header textproto.MIMEHeader

	charsetHint string // charset of the first text part, used for raw 8-bit headers
}

// HeaderValue returns the first value of the named header field, decoded to
// UTF-8 (RFC 2047 encoded-words and raw 8-bit bytes), or "" when absent.
func (m *Message) HeaderValue(name string) string {
	return decodeHeader(m.Header.Get(name), m.charsetHint)
}

// HeaderValues returns every value of the named header field, decoded like
// HeaderValue.
func (m *Message) HeaderValues(name string) []string {
	raw := m.Header.Values(name)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i] = decodeHeader(v, m.charsetHint)
	}
	return out
}

// maxProblems bounds Problems so that a hostile message cannot grow it.
const maxProblems = 50

func (m *Message) problem(format string, args ...any) {
	if len(m.Problems) < maxProblems {
		m.Problems = append(m.Problems, strings.ToValidUTF8(fmt.Sprintf(format, args...), "\uFFFD"))
	}
}

// Parse parses a raw message. An error means the message cannot be used and
// should be quarantined with err.Error() as the reason; tolerable defects are
// listed in Message.Problems instead.
func Parse(raw []byte, l Limits) (msg *Message, err error) {
	l = l.withDefaults()
	if int64(len(raw)) > l.MaxBytes {
		return nil, apperr.Errorf(apperr.TooLarge, "message is %d bytes, over the limit of %d", len(raw), l.MaxBytes)
	}
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, apperr.Errorf(apperr.Invalid, "malformed message: parser failed: %v", r)
		}
	}()
	raw = bytes.TrimLeft(stripMboxLine(raw), " \t\r\n") // a header cannot start with blanks
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, apperr.Errorf(apperr.Invalid, "empty message")
	}
	m := &Message{}
	sp := &splitter{m: m, limits: l}
	root, err := sp.parse(raw, "0", 0, "text/plain")
	if err != nil {
		return nil, err
	}
	if len(root.header) == 0 {
		return nil, apperr.Errorf(apperr.Invalid, "no header fields: not an email message")
	}
	m.Header = root.header
	b := newBodyBuilder(m)
	b.walk(root)
	b.finish()
	m.readHeaders()
	m.Bounce = detectBounce(m, b.report)
	m.Auto = autoReason(m, b.report)
	return m, nil
}

// stripMboxLine drops the "From sender date" envelope line that mbox files
// and some delivery agents put before the header.
func stripMboxLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}
