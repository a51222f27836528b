// Package attachment stores files attached to tickets: content-addressed
// blobs under the data directory and their metadata rows.
package attachment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Service stores and serves attachments.
type Service struct {
	db       *db.DB
	dir      string
	maxBytes int64

	// placed, when set, runs after a blob is in place and before its row
	// is inserted: a seam for tests of the upload/prune interleavings.
	placed func(sha string)
}

// NewService returns an attachment service keeping files under dir and
// refusing files over maxBytes.
func NewService(d *db.DB, dir string, maxBytes int64) *Service {
	return &Service{db: d, dir: dir, maxBytes: maxBytes}
}

// MaxBytes is the largest file the service accepts.
func (s *Service) MaxBytes() int64 { return s.maxBytes }

// Attachment is one stored file's metadata. Several attachments may share
// one blob (same SHA-256).
type Attachment struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	TicketID    *int64    `json:"ticket_id"`            // nil until attached
	CommentID   *int64    `json:"comment_id"`           // nil when unattached or attached to the ticket itself
	ArticleID   *int64    `json:"article_id,omitempty"` // the knowledge-base article it belongs to; never with a ticket
	CreatedAt   time.Time `json:"created_at"`

	uploader int64 // the agent who uploaded it; 0 for system intake
}

// TicketViewer answers whether a principal may see a ticket: nil when
// allowed, NotFound when hidden or missing. *ticket.Service is one.
type TicketViewer interface {
	CanViewTicket(ctx context.Context, p auth.Principal, ticketID int64) error
}

const columns = `id, sha256, filename, content_type, size, ticket_id, comment_id, uploaded_by_agent_id, created_at, article_id`

// Upload stores a file for agent p, not yet attached to anything: a later
// comment attaches it with Attach. Unattached uploads are visible only to
// their uploader and administrators, and pruned after a while.
func (s *Service) Upload(ctx context.Context, p auth.Principal, filename, contentType string, r io.Reader) (Attachment, error) {
	if p.AgentID <= 0 {
		return Attachment{}, apperr.Errorf(apperr.Unauthorized, "only an agent may upload files")
	}
	b, err := s.spool(ctx, r)
	if err != nil {
		return Attachment{}, err
	}
	defer b.discard()
	var a Attachment
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err = s.insert(ctx, tx, b, filename, contentType, 0, 0, p.AgentID)
		return err
	})
	return a, err
}

// Store stores a file for system intake (inbound email and the like),
// attached straight away to the ticket and, unless commentID is 0, the
// comment. Run it inside the transaction that creates them; with a
// plain pool it opens its own. The transaction holds the blob's lock
// while it runs, so the content is spooled before it.
func (s *Service) Store(ctx context.Context, q db.Queryer, filename, contentType string, r io.Reader, ticketID, commentID int64) (Attachment, error) {
	if ticketID <= 0 {
		return Attachment{}, fmt.Errorf("store attachment: ticket id %d", ticketID)
	}
	b, err := s.spool(ctx, r)
	if err != nil {
		return Attachment{}, err
	}
	return s.storeSpooled(ctx, q, b, filename, contentType, ticketID, commentID)
}

// StoreBytes is Store for content already in memory (e-mail intake): no
// file is written when an identical file is already stored.
func (s *Service) StoreBytes(ctx context.Context, q db.Queryer, filename, contentType string, data []byte, ticketID, commentID int64) (Attachment, error) {
	if ticketID <= 0 {
		return Attachment{}, fmt.Errorf("store attachment: ticket id %d", ticketID)
	}
	b, err := s.spoolBytes(data)
	if err != nil {
		return Attachment{}, err
	}
	return s.storeSpooled(ctx, q, b, filename, contentType, ticketID, commentID)
}

// storeSpooled records a spooled blob, in q's transaction when q is one.
func (s *Service) storeSpooled(ctx context.Context, q db.Queryer, b *spooled, filename, contentType string, ticketID, commentID int64) (Attachment, error) {
	defer b.discard()
	if tx, ok := q.(*sql.Tx); ok {
		return s.insert(ctx, tx, b, filename, contentType, ticketID, commentID, 0)
	}
	var a Attachment
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.insert(ctx, tx, b, filename, contentType, ticketID, commentID, 0)
		return err
	})
	return a, err
}

// insert puts the spooled blob in place and records its row, in that
// order and under the blob's lock: the row is never committed before the
// file exists.
func (s *Service) insert(ctx context.Context, tx db.Queryer, b *spooled, filename, contentType string, ticketID, commentID, uploader int64) (Attachment, error) {
	a := Attachment{
		Filename: CleanFilename(filename), Size: b.size, SHA256: b.sha,
		ContentType: detectType(contentType, b.head), CreatedAt: db.Now(),
		TicketID: optional(ticketID), CommentID: optional(commentID), uploader: uploader,
	}
	if err := lockBlob(ctx, tx, b.sha); err != nil {
		return Attachment{}, err
	}
	if err := s.place(b); err != nil {
		return Attachment{}, err
	}
	if s.placed != nil {
		s.placed(b.sha)
	}
	err := tx.QueryRowContext(ctx, `
		INSERT INTO attachments (sha256, filename, content_type, size, ticket_id, comment_id, uploaded_by_agent_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		a.SHA256, a.Filename, a.ContentType, a.Size, nullID(ticketID), nullID(commentID), nullID(uploader), a.CreatedAt,
	).Scan(&a.ID)
	if err != nil {
		return Attachment{}, fmt.Errorf("insert attachment: %w", err)
	}
	return a, nil
}

// Find returns an attachment's metadata if p may see it: a ticket's file
// when p may see its ticket, a knowledge-base article's file by any agent
// (every agent reads the knowledge base), an unattached upload only by
// its uploader or an administrator. Anything else is NotFound, as if it
// did not exist.
func (s *Service) Find(ctx context.Context, p auth.Principal, id int64, v TicketViewer) (Attachment, error) {
	row := s.db.R.QueryRowContext(ctx, `SELECT `+columns+` FROM attachments WHERE id = $1`, id)
	a, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, notFound(id)
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("find attachment %d: %w", id, err)
	}
	switch {
	case a.TicketID != nil:
		err := v.CanViewTicket(ctx, p, *a.TicketID)
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			return Attachment{}, notFound(id)
		}
		if err != nil {
			return Attachment{}, fmt.Errorf("find attachment %d: %w", id, err)
		}
	case a.ArticleID != nil:
		if p.AgentID <= 0 && !p.IsAdmin() {
			return Attachment{}, notFound(id)
		}
	case p.IsAdmin(), a.uploader != 0 && a.uploader == p.AgentID:
	default:
		return Attachment{}, notFound(id)
	}
	return a, nil
}

// Open is Find that also opens the content; the caller closes the file.
func (s *Service) Open(ctx context.Context, p auth.Principal, id int64, v TicketViewer) (Attachment, *os.File, error) {
	a, err := s.Find(ctx, p, id, v)
	if err != nil {
		return Attachment{}, nil, err
	}
	f, err := os.Open(s.path(a.SHA256))
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("open attachment %d: %w", id, err)
	}
	return a, f, nil
}

func notFound(id int64) error {
	return apperr.NotFoundf("attachment %d not found", id)
}

type scanner interface{ Scan(dest ...any) error }

func scan(row scanner) (Attachment, error) {
	var a Attachment
	var ticket, comment, uploader, article sql.NullInt64
	err := row.Scan(&a.ID, &a.SHA256, &a.Filename, &a.ContentType, &a.Size, &ticket, &comment, &uploader, &a.CreatedAt, &article)
	if ticket.Valid {
		a.TicketID = &ticket.Int64
	}
	if comment.Valid {
		a.CommentID = &comment.Int64
	}
	if article.Valid {
		a.ArticleID = &article.Int64
	}
	a.uploader = uploader.Int64
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func optional(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
