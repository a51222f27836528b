// Package mailbox keeps Linedesk's inbound e-mail addresses (with their
// IMAP/SMTP settings and routing rules), stores every received message
// durably before it is acknowledged, and listens for mail over SMTP.
package mailbox

import (
	"io"
	"log/slog"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/job"
)

// JobProcess is the job that turns one stored message into a ticket or a
// comment: payload {"inbound_id": N} or {"inbound_id": N, "release": true}.
const JobProcess = "email.process"

// DefaultMaxBytes is the message size limit when Config.MaxBytes is 0.
const DefaultMaxBytes = 50 << 20

// Config is what the service needs besides the database.
type Config struct {
	Cipher   *Cipher // encrypts the stored IMAP/SMTP passwords
	MaxBytes int64   // the largest message taken in
}

// Service manages mailboxes, the raw intake and blocked domains.
type Service struct {
	db   *db.DB
	log  *slog.Logger
	jobs *job.Queue
	cfg  Config
}

// NewService returns a mailbox service.
func NewService(d *db.DB, log *slog.Logger, jobs *job.Queue, cfg Config) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	return &Service{db: d, log: log, jobs: jobs, cfg: cfg}
}

// MaxBytes is the largest message the service stores.
func (s *Service) MaxBytes() int64 { return s.cfg.MaxBytes }

// TLS modes of an IMAP or SMTP connection.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// What the IMAP poller does with a message once it is stored.
const (
	AfterSeen = "seen" // mark it \Seen
	AfterMove = "move" // move it to MoveTo
)

// Priorities and languages a mailbox may default to.
var (
	Priorities = []string{"low", "normal", "high", "urgent"}
	Languages  = []string{"en", "ru", "lv"}
)

// Mailbox is one inbound address with its servers and routing defaults.
type Mailbox struct {
	ID              int64     `json:"id"`
	Address         string    `json:"address"` // lower-case
	Name            string    `json:"name"`
	IMAP            IMAP      `json:"imap"`
	SMTP            SMTP      `json:"smtp"`
	DefaultGroupID  *int64    `json:"default_group_id"`
	DefaultLine     int       `json:"default_line"`
	DefaultPriority string    `json:"default_priority"`
	DefaultLanguage string    `json:"default_language"`
	RoutingRules    []Rule    `json:"routing_rules"`
	Active          bool      `json:"active"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`

	imapSecret, smtpSecret string // the passwords as stored (encrypted)
}

// IMAP is where a mailbox's mail is fetched from. An empty Host means the
// mailbox receives mail only through the SMTP listener.
type IMAP struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	// Password is filled in only by ActiveIMAP, and never encoded.
	Password    string `json:"-"`
	PasswordSet bool   `json:"password_set"`
	TLS         string `json:"tls"`
	Folder      string `json:"folder"`
	After       string `json:"after"`
	MoveTo      string `json:"move_to"`
}

// SMTP is the server replies from a mailbox are sent through.
type SMTP struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	// Password is filled in only by SMTPSettings, and never encoded.
	Password    string `json:"-"`
	PasswordSet bool   `json:"password_set"`
	TLS         string `json:"tls"`
}

// MailboxInput creates a mailbox. Zero values take the defaults: IMAP TLS
// "tls" on port 993 (143 otherwise), folder INBOX, after "seen"; SMTP TLS
// "starttls" on port 587 (465 for "tls", 25 for "none"); line 1, priority
// normal, language en, active.
type MailboxInput struct {
	Address         string    `json:"address"`
	Name            string    `json:"name"`
	IMAP            IMAPInput `json:"imap"`
	SMTP            SMTPInput `json:"smtp"`
	DefaultGroupID  *int64    `json:"default_group_id"`
	DefaultLine     int       `json:"default_line"`
	DefaultPriority string    `json:"default_priority"`
	DefaultLanguage string    `json:"default_language"`
	RoutingRules    []Rule    `json:"routing_rules"`
	Active          *bool     `json:"active"`
}

// IMAPInput is the IMAP part of MailboxInput.
type IMAPInput struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	TLS      string `json:"tls"`
	Folder   string `json:"folder"`
	After    string `json:"after"`
	MoveTo   string `json:"move_to"`
}

// SMTPInput is the SMTP part of MailboxInput.
type SMTPInput struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	TLS      string `json:"tls"`
}

// MailboxUpdate changes the fields that are not nil. A Password that is
// nil stays as it is; an empty one is removed.
type MailboxUpdate struct {
	Address         *string
	Name            *string
	IMAP            IMAPUpdate
	SMTP            SMTPUpdate
	DefaultGroupID  Ref
	DefaultLine     *int
	DefaultPriority *string
	DefaultLanguage *string
	RoutingRules    *[]Rule
	Active          *bool
}

// IMAPUpdate is the IMAP part of MailboxUpdate.
type IMAPUpdate struct {
	Host, Username, Password, TLS, Folder, After, MoveTo *string
	Port                                                 *int
}

// SMTPUpdate is the SMTP part of MailboxUpdate.
type SMTPUpdate struct {
	Host, Username, Password, TLS *string
	Port                          *int
}

// Ref changes an optional reference in an update: nothing happens unless
// Set; a nil ID then clears it.
type Ref struct {
	Set bool
	ID  *int64
}

// MailboxFilter selects mailboxes, ordered by address.
type MailboxFilter struct {
	Active *bool
	Offset int
	Limit  int // 25 when 0, at most 500
}
