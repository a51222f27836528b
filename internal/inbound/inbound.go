// Package inbound turns stored e-mail into tickets and comments: it
// parses the raw message, refuses loops, bounces and blocked senders,
// threads the message onto the ticket it belongs to and records why.
package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/email"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/ticket"
)

// JobProcess is the job that processes one stored message:
// {"inbound_id": N, "release": bool}.
const JobProcess = "email.process"

// Processor processes stored messages.
type Processor struct {
	db      *db.DB
	log     *slog.Logger
	mail    *mailbox.Service
	tickets *ticket.Service
	dir     *directory.Service
	files   *attachment.Service
	jobs    *job.Queue
	limits  email.Limits

	// beforeCommit, when set by a test, runs inside the transaction that
	// files a message, just before it commits: the crash test kills the
	// process there.
	beforeCommit func()
}

// New returns a processor.
func New(d *db.DB, log *slog.Logger, mail *mailbox.Service, tickets *ticket.Service, dir *directory.Service,
	files *attachment.Service, jobs *job.Queue, limits email.Limits) *Processor {
	return &Processor{db: d, log: log, mail: mail, tickets: tickets, dir: dir, files: files, jobs: jobs, limits: limits}
}

// Register makes the job queue run the processor.
func (p *Processor) Register() {
	p.jobs.Register(JobProcess, func(ctx context.Context, j job.Job) error {
		var in struct {
			InboundID int64 `json:"inbound_id"`
			Release   bool  `json:"release"`
		}
		if err := j.Decode(&in); err != nil {
			return err
		}
		return p.Process(ctx, in.InboundID, in.Release)
	})
}

// errQuarantine carries a reason to keep a message out of the tickets.
type errQuarantine struct{ reason string }

func (e errQuarantine) Error() string { return e.reason }

// Process handles one stored message exactly once: a message already
// processed or quarantined is left alone unless released. Only failures
// of Linedesk itself return an error (and the job retries); a message
// that cannot be taken is quarantined with the reason.
func (p *Processor) Process(ctx context.Context, inboundID int64, release bool) error {
	rc, in, err := p.mail.OpenRaw(ctx, inboundID)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("read message %d: %w", inboundID, err)
	}
	if in.State != mailbox.StateReceived && !release {
		return nil
	}
	msg, err := email.Parse(raw, p.limits)
	if err != nil {
		return p.mail.Quarantine(ctx, p.db.W, inboundID, "cannot be parsed: "+err.Error())
	}
	err = p.take(ctx, in, msg, release)
	var q errQuarantine
	if errors.As(err, &q) {
		return p.mail.Quarantine(ctx, p.db.W, inboundID, q.reason)
	}
	if err == nil {
		p.jobs.Wake()
	}
	return err
}

// take puts a parsed message where it belongs, in one transaction.
func (p *Processor) take(ctx context.Context, in mailbox.Inbound, msg *email.Message, release bool) error {
	ignore, err := p.ownMail(ctx, msg)
	if err != nil || ignore != "" {
		if err == nil {
			err = p.db.Tx(ctx, func(tx *sql.Tx) error { return p.mail.MarkProcessed(ctx, tx, in.ID, nil, nil, ignore) })
		}
		return err
	}
	if msg.Bounce != nil {
		return p.bounce(ctx, in, msg)
	}
	if msg.From.Email == "" {
		return errQuarantine{"no sender address"}
	}
	if !release {
		if reason, err := p.blocked(ctx, msg.From.Email); err != nil || reason != "" {
			if err == nil {
				err = errQuarantine{reason}
			}
			return err
		}
	}
	return p.db.Tx(ctx, func(tx *sql.Tx) error {
		return p.file(ctx, tx, in, msg)
	})
}

// attach stores a message's files on its comment. Inline images the HTML
// refers to as cid: are pointed at their stored copies, so they show in
// place.
func (p *Processor) attach(ctx context.Context, tx *sql.Tx, msg *email.Message, ticketID, commentID int64) error {
	var inline []string // pairs: old URL, new URL
	for _, part := range msg.Attachments {
		a, err := p.files.StoreBytes(ctx, tx, part.Filename, part.ContentType, part.Data, ticketID, commentID)
		if err != nil {
			return fmt.Errorf("store attachment %q: %w", part.Filename, err)
		}
		if part.ContentID != "" {
			inline = append(inline, "cid:"+part.ContentID, fmt.Sprintf("/api/v1/attachments/%d/content", a.ID))
		}
	}
	if len(inline) == 0 || !strings.Contains(msg.HTML, "cid:") {
		return nil
	}
	html := strings.NewReplacer(inline...).Replace(msg.HTML)
	if _, err := tx.ExecContext(ctx, `UPDATE comments SET html = $1 WHERE id = $2`, html, commentID); err != nil {
		return fmt.Errorf("link inline images: %w", err)
	}
	return nil
}
