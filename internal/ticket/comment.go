package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Comment is a message on a ticket: a public reply the requester sees, or
// an internal note for the team.
type Comment struct {
	ID          int64                   `json:"id"`
	TicketID    int64                   `json:"ticket_id"`
	Body        string                  `json:"body"`
	Public      bool                    `json:"public"`
	AuthorType  string                  `json:"author_type"` // agent, contact, or system for Linedesk's own notes
	AuthorID    int64                   `json:"author_id"`
	AuthorName  string                  `json:"author_name"`
	Channel     Channel                 `json:"channel"`
	BodyVisible string                  `json:"body_visible,omitempty"`  // an e-mail's own words, with quoted history and signature folded away
	HTML        string                  `json:"html,omitempty"`          // sanitised HTML of an e-mail
	Reason      string                  `json:"thread_reason,omitempty"` // why an inbound e-mail was put on this ticket
	InboundID   *int64                  `json:"inbound_id,omitempty"`    // the stored raw e-mail (GET /api/v1/inbound/{id}/raw)
	CreatedAt   time.Time               `json:"created_at"`
	EditedAt    *time.Time              `json:"edited_at"`
	Attachments []attachment.Attachment `json:"attachments"`
}

// NewComment is a comment to add. An agent writes it, or records it on
// behalf of a contact (a customer's words received by phone or another
// system); a contact's comment is always public.
type NewComment struct {
	Body            string
	Public          bool
	AuthorContactID *int64
	Channel         Channel
	AttachmentIDs   []int64
	Files           []Upload // a customer's files, stored with the comment

	// Set by e-mail intake.
	HTML       string // sanitised HTML of the message
	Visible    int    // bytes of Body before quoted history and signature; 0: nothing folded
	Reason     string // why the message was threaded onto this ticket
	InboundID  *int64 // the stored raw message
	KeepStatus bool   // automatic mail: recorded without reopening or waking the ticket
}

// AddComment adds a comment and applies what it means for the ticket: a
// customer's reply reopens a solved ticket and wakes a pending one; an
// agent's first public reply opens a new one.
func (s *Service) AddComment(ctx context.Context, p auth.Principal, ticketID int64, in NewComment) (Comment, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.AddCommentTx(ctx, tx, p, ticketID, in)
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	s.jobs.Wake()
	return s.findComment(ctx, ticketID, id)
}

// AddCommentTx is AddComment inside the caller's transaction; it returns
// the new comment's id.
func (s *Service) AddCommentTx(ctx context.Context, tx *sql.Tx, p auth.Principal, ticketID int64, in NewComment) (int64, error) {
	body, err := checkText("body", in.Body, len(in.AttachmentIDs) == 0 && len(in.Files) == 0 && in.InboundID == nil, 200_000)
	if err != nil {
		return 0, err
	}
	if in.Channel == "" {
		in.Channel = ChannelAPI
	}
	if !in.Channel.Valid() && in.Channel != ChannelWeb {
		return 0, apperr.Field("channel", "%q is not a channel", in.Channel)
	}
	if in.AuthorContactID != nil && !in.Public {
		return 0, apperr.Field("public", "a contact's comment is always public")
	}
	t, err := s.loadVisible(ctx, tx, p, ticketID)
	if err != nil {
		return 0, err
	}
	id, err := s.insertComment(ctx, tx, p, t, in, body)
	if err != nil {
		return 0, err
	}
	if len(in.AttachmentIDs) > 0 {
		if err := s.files.Attach(ctx, tx, p, in.AttachmentIDs, ticketID, id); err != nil {
			return 0, err
		}
	}
	if err := s.storeUploads(ctx, tx, in.Files, ticketID, id); err != nil {
		return 0, err
	}
	if in.AuthorContactID == nil && in.Public && t.mailable() {
		// The reply goes to the customer by e-mail once committed.
		if _, err := s.jobs.Enqueue(ctx, tx, JobEmailReply, map[string]int64{"comment_id": id}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Service) insertComment(ctx context.Context, tx *sql.Tx, p auth.Principal, t Ticket, in NewComment, body string) (int64, error) {
	h := newHistory(t.ID, p, db.Now())
	authorType, agentID := "agent", &p.AgentID
	if p.AgentID == 0 {
		authorType, agentID = "system", nil // Linedesk's own notes, e.g. a bounce
	}
	next := t
	if in.AuthorContactID != nil {
		if err := checkContact(ctx, tx, *in.AuthorContactID); err != nil {
			return 0, err
		}
		authorType, agentID = "contact", nil
		h.by = actor{typ: "contact", id: in.AuthorContactID}
		switch {
		case in.KeepStatus:
		case t.Status == StatusClosed:
			return 0, apperr.Errorf(apperr.Conflict, "ticket %s is closed; open a follow-up ticket instead", Number(t.Number))
		case t.Status == StatusSolved, t.Status == StatusPending:
			next.Status = StatusOpen
		}
	} else if in.Public && t.Status == StatusNew {
		next.Status = StatusOpen
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO comments (ticket_id, author_type, author_agent_id, author_contact_id, body, public, channel,
			html, thread_reason, inbound_message_id, visible_length, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		t.ID, authorType, agentID, in.AuthorContactID, body, in.Public, in.Channel, in.HTML, in.Reason, in.InboundID,
		visibleLength(body, in.Visible), h.at).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add comment to ticket %d: %w", t.ID, err)
	}
	visibility := "internal"
	if in.Public {
		visibility = "public"
	}
	h.add(EventCommented, "comment", "", itoa(id), visibility)
	h.comment = &ChangedComment{ID: id, Body: body, Public: in.Public, AuthorType: authorType, Channel: in.Channel,
		Automatic: in.KeepStatus}
	diff(&h, t, next)
	if next.Status != t.Status {
		return id, s.save(ctx, tx, t, next, &h)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $1 WHERE id = $2`, h.at, t.ID); err != nil {
		return 0, fmt.Errorf("touch ticket %d: %w", t.ID, err)
	}
	if err := h.write(ctx, tx); err != nil {
		return 0, err
	}
	next.UpdatedAt = h.at
	return id, s.notify(ctx, tx, h.changeOf(t, next, p))
}

func checkContact(ctx context.Context, q db.Queryer, id int64) error {
	ok, err := exists(ctx, q, `SELECT 1 FROM contacts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("check contact %d: %w", id, err)
	}
	if !ok {
		return apperr.Field("author_contact_id", "contact %d does not exist", id)
	}
	return nil
}

const commentColumns = `m.id, m.ticket_id, m.body, m.public, m.author_type,
	COALESCE(m.author_agent_id, m.author_contact_id, 0), COALESCE(a.name, c.name, ''),
	m.channel, m.html, m.thread_reason, m.inbound_message_id, m.visible_length, m.created_at, m.edited_at
	FROM comments m
	LEFT JOIN agents a ON a.id = m.author_agent_id
	LEFT JOIN contacts c ON c.id = m.author_contact_id`

func scanComment(row interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var visible *int
	err := row.Scan(&c.ID, &c.TicketID, &c.Body, &c.Public, &c.AuthorType, &c.AuthorID, &c.AuthorName,
		&c.Channel, &c.HTML, &c.Reason, &c.InboundID, &visible, &c.CreatedAt, &c.EditedAt)
	if visible != nil && *visible <= len(c.Body) {
		c.BodyVisible = c.Body[:*visible]
	}
	c.Attachments = []attachment.Attachment{}
	return c, err
}

// visibleLength keeps a fold point only when it cuts the text: after
// trimming, the body may have become shorter than the point.
func visibleLength(body string, n int) *int {
	if n <= 0 || n >= len(body) {
		return nil
	}
	return &n
}

// Comments returns a ticket's comments, oldest first, with attachments.
func (s *Service) Comments(ctx context.Context, p auth.Principal, ticketID int64) ([]Comment, error) {
	if err := s.CanViewTicket(ctx, p, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+commentColumns+` WHERE m.ticket_id = $1 ORDER BY m.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("comments of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("comments of ticket %d: %w", ticketID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.withAttachments(ctx, out)
}

func (s *Service) withAttachments(ctx context.Context, cs []Comment) error {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	byComment, err := s.files.ForComments(ctx, s.db.R, ids)
	if err != nil {
		return err
	}
	for i := range cs {
		if a := byComment[cs[i].ID]; a != nil {
			cs[i].Attachments = a
		}
	}
	return nil
}

func (s *Service) findComment(ctx context.Context, ticketID, id int64) (Comment, error) {
	c, err := scanComment(s.db.R.QueryRowContext(ctx, `SELECT `+commentColumns+` WHERE m.id = $1 AND m.ticket_id = $2`, id, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, apperr.NotFoundf("comment %d not found on ticket %d", id, ticketID)
	}
	if err != nil {
		return Comment{}, fmt.Errorf("find comment %d: %w", id, err)
	}
	one := []Comment{c}
	err = s.withAttachments(ctx, one)
	return one[0], err
}
