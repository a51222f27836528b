// Package outbound mails agents' public replies and customer notifications
// from a ticket's mailbox, through the job queue, without ever starting a
// mail loop: automatic mail is marked Auto-Submitted (RFC 3834), limited
// per address and hour, and never sent to Linedesk's own addresses or to
// contacts whose mail bounces.
//
// Every mail is one outbound_emails row with a Message-ID derived from
// what caused it and one outbound_recipients row per address, written
// before anything is sent; a retried job sends only to the recipients
// still pending, so nobody gets a second copy of a mail that was accepted.
package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"linedesk/internal/db"
	"linedesk/internal/job"
)

// Kinds of job the package handles.
const (
	KindReply  = "email.reply"  // ReplyPayload
	KindNotify = "email.notify" // NotifyPayload
	KindLetter = "email.letter" // LetterPayload
)

// Notification kinds of an email.notify job.
const (
	NotifyReceived = "received" // the ticket is registered, with its number
	NotifySolved   = "solved"   // the ticket is solved, and how to reopen it
	NotifyMerged   = "merged"   // the ticket was merged into another, where the conversation continues
)

// notifyKinds are the notifications handleNotify knows how to write.
var notifyKinds = []string{NotifyReceived, NotifySolved, NotifyMerged}

// ReplyPayload is the payload of an email.reply job: the agent's public
// comment to mail.
type ReplyPayload struct {
	CommentID int64 `json:"comment_id"`
}

// NotifyPayload is the payload of an email.notify job. InboundID, when
// set, is the stored message that caused the notification: the mail
// answers it and is sent at most once for it.
type NotifyPayload struct {
	TicketID  int64  `json:"ticket_id"`
	Kind      string `json:"kind"`
	InboundID int64  `json:"inbound_id,omitempty"`
}

// SMTP is how a mailbox sends mail.
type SMTP struct {
	Host     string
	Port     int // 0: 587, 465 for tls, 25 for none
	Username string
	Password string
	TLS      string // none, starttls or tls
	From     string // the mailbox's address; empty takes mailboxes.address
	FromName string // the mailbox's display name; empty takes mailboxes.name
}

// Mailboxes gives the sending settings of mailboxes and every address
// Linedesk receives mail at.
type Mailboxes interface {
	SMTPSettings(ctx context.Context, mailboxID int64) (SMTP, error)
	Addresses(ctx context.Context) ([]string, error)
}

// Events writes to a ticket's history.
type Events interface {
	SystemEvent(ctx context.Context, ticketID int64, kind, field, from, to, reason string) error
}

// EventEmailFailed is the history event of a recipient the server refused.
const EventEmailFailed = "email_failed"

// Config tunes a Service.
type Config struct {
	// Hostname is the right-hand side of Message-IDs. A URL (such as
	// LINEDESK_BASE_URL) is accepted; empty takes BaseURL's host.
	Hostname string
	// BaseURL starts the portal link in notifications; empty leaves it out.
	BaseURL string
	// DataDir holds attachments under attachments/ab/cd/<sha256>.
	DataDir string
	// DefaultMailboxID sends for tickets that have no mailbox; 0 sends
	// from the ticket's mailbox only.
	DefaultMailboxID int64
	// RatePerHour is how many automatic mails one address gets in an
	// hour at most. Default 5.
	RatePerHour int
	// RateURL, when set, gives the link that rates a solved ticket
	// without signing in; the solved notification carries it.
	RateURL func(ctx context.Context, ticketID int64) (string, error)
}

// Service sends a ticket's mail.
type Service struct {
	db   *db.DB
	jobs *job.Queue
	mb   Mailboxes
	ev   Events
	log  *slog.Logger
	cfg  Config

	letters map[string]LetterWriter // by name, set while the application is wired

	// dial settings a test may change: trusted roots for TLS.
	tls tlsSettings
}

// NewService returns a Service; call Register to handle its jobs.
func NewService(d *db.DB, jobs *job.Queue, mb Mailboxes, ev Events, log *slog.Logger, cfg Config) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RatePerHour <= 0 {
		cfg.RatePerHour = 5
	}
	cfg.Hostname = hostname(cfg.Hostname, cfg.BaseURL)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{db: d, jobs: jobs, mb: mb, ev: ev, log: log, cfg: cfg}
}

// hostname is the host part of h (a name or a URL), else of baseURL,
// else "localhost".
func hostname(h, baseURL string) string {
	for _, s := range []string{h, baseURL} {
		if s == "" {
			continue
		}
		if strings.Contains(s, "://") {
			if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
				return u.Hostname()
			}
			continue
		}
		return s
	}
	return "localhost"
}

// Register registers the handlers of email.reply and email.notify.
func (s *Service) Register() {
	s.jobs.Register(KindReply, s.handleReply)
	s.jobs.Register(KindNotify, s.handleNotify)
	s.jobs.Register(KindLetter, s.handleLetter)
}

// MessageID is the Message-ID (without angle brackets) of the mail of a
// kind sent for a comment of a ticket, e.g. "linedesk.1042.c77.reply@host".
// It is stable, so a retried job finds the mail it already started.
func MessageID(ticketNumber, commentID int64, kind, host string) string {
	if commentID == 0 {
		return messageID(ticketNumber, "", kind, host)
	}
	return messageID(ticketNumber, fmt.Sprintf("c%d", commentID), kind, host)
}

func messageID(ticketNumber int64, tag, kind, host string) string {
	if tag != "" {
		tag += "."
	}
	return fmt.Sprintf("linedesk.%d.%s%s@%s", ticketNumber, tag, kind, host)
}

// mergedInto returns the number of the ticket a merged ticket continues
// in, as customers see it ("#1043"); "" when the ticket is not merged.
func (s *Service) mergedInto(ctx context.Context, ticketID int64) (string, error) {
	var n int64
	err := s.db.R.QueryRowContext(ctx, `SELECT i.number FROM tickets t JOIN tickets i ON i.id = t.merged_into_id
		WHERE t.id = $1`, ticketID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("ticket merged into by ticket %d: %w", ticketID, err)
	}
	return fmt.Sprintf("#%d", n), nil
}
