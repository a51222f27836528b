package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
)

// NewTicket is what opening a ticket takes. The requester is named by
// contact id or by e-mail (an unknown address becomes a new contact).
type NewTicket struct {
	Subject      string
	Description  string
	Requester    RequesterRef
	Status       Status // "" means new
	Priority     Priority
	Type         Type
	Channel      Channel
	Line         int
	GroupID      *int64
	AssigneeID   *int64
	CompanyID    *int64 // defaults to the requester's company
	ParentID     *int64
	MailboxID    *int64 // the mailbox an e-mail ticket came to and is answered from
	FollowUpOf   *int64
	Flag         string
	Tags         []string
	CustomFields map[string]any
	// Files arrive with the ticket from the customer (portal, web form):
	// they are stored on the ticket itself, in its transaction.
	Files []Upload
	// ByRequester says the requester opened the ticket themselves (portal,
	// web form): its history names them, not the principal.
	ByRequester bool
}

// Upload is a file a customer sends with a new ticket or a reply, stored
// in the transaction that records it.
type Upload struct {
	Filename    string
	ContentType string
	Content     io.Reader
}

// RequesterRef names a requester: an existing contact, or an address.
type RequesterRef struct {
	ID    *int64
	Email string
	Name  string
}

// CreateTicket opens a ticket. The number comes from a counter updated in
// the same transaction, so numbers are unique, increasing and never reused
// even when creation fails half-way.
func (s *Service) CreateTicket(ctx context.Context, p auth.Principal, in NewTicket) (Ticket, error) {
	if err := in.normalize(); err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.insertTicket(ctx, tx, p, in)
		return err
	})
	return t, err
}

// CreateTicketTx opens a ticket inside the caller's transaction, for intake
// that writes more in the same transaction (comments, attachments).
func (s *Service) CreateTicketTx(ctx context.Context, tx *sql.Tx, p auth.Principal, in NewTicket) (Ticket, error) {
	if err := in.normalize(); err != nil {
		return Ticket{}, err
	}
	return s.insertTicket(ctx, tx, p, in)
}

// normalize fills defaults and checks what needs no database.
func (in *NewTicket) normalize() error {
	var err error
	if in.Subject, err = checkText("subject", in.Subject, true, 500); err != nil {
		return err
	}
	if in.Description, err = checkText("description", in.Description, false, 100_000); err != nil {
		return err
	}
	defaults(&in.Status, StatusNew)
	defaults(&in.Priority, PriorityNormal)
	defaults(&in.Type, TypeQuestion)
	defaults(&in.Channel, ChannelAPI)
	if in.Line == 0 {
		in.Line = 1
	}
	switch {
	case in.Status != StatusNew && !StatusNew.CanBecome(in.Status):
		return apperr.Field("status", "a new ticket may start as new, open, pending, on_hold or solved")
	case !in.Priority.Valid():
		return apperr.Field("priority", "must be low, normal, high or urgent")
	case !in.Type.Valid():
		return apperr.Field("type", "must be question, incident, problem or request")
	case !in.Channel.Valid():
		return apperr.Field("channel", "must be one of email, web_form, portal, api, telegram, phone, monitor")
	}
	if err := checkLine(in.Line); err != nil {
		return err
	}
	if in.Requester.ID == nil && strings.TrimSpace(in.Requester.Email) == "" {
		return apperr.Field("requester", "a requester id or e-mail is required")
	}
	in.Tags, err = normalizeTags(in.Tags)
	return err
}

func defaults[T ~string](v *T, def T) {
	if *v == "" {
		*v = def
	}
}

// insertTicket writes the ticket and returns it as committed: everything
// it holds was just written, so it is not read back.
func (s *Service) insertTicket(ctx context.Context, tx *sql.Tx, p auth.Principal, in NewTicket) (Ticket, error) {
	requester, err := s.requester(ctx, tx, in.Requester)
	if err != nil {
		return Ticket{}, err
	}
	if in.CompanyID == nil {
		in.CompanyID = requester.CompanyID
	}
	if err := s.checkRefs(ctx, tx, 0, in); err != nil {
		return Ticket{}, err
	}
	fields, err := mergeFieldValues(ctx, tx, nil, in.CustomFields)
	if err != nil {
		return Ticket{}, err
	}
	if in.Status == StatusSolved {
		if err := requireFields(ctx, tx, fields); err != nil {
			return Ticket{}, err
		}
	}
	var number int64
	if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value`).
		Scan(&number); err != nil {
		return Ticket{}, fmt.Errorf("next ticket number: %w", err)
	}
	fieldsJSON, _ := json.Marshal(fields)
	now := db.Now()
	var solvedAt *time.Time
	if in.Status == StatusSolved {
		solvedAt = &now
	}
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO tickets (number, subject, description, status, priority, type, line, group_id, assignee_id,
			requester_id, company_id, channel, parent_id, mailbox_id, follow_up_of, flag, custom_fields, version,
			created_at, updated_at, solved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18, $19) RETURNING id`,
		number, in.Subject, in.Description, in.Status, in.Priority, in.Type, in.Line, in.GroupID, in.AssigneeID,
		requester.ID, in.CompanyID, in.Channel, in.ParentID, in.MailboxID, in.FollowUpOf, in.Flag, string(fieldsJSON),
		now, solvedAt).Scan(&id)
	if err != nil {
		return Ticket{}, fmt.Errorf("insert ticket: %w", err)
	}
	if s.afterInsert != nil {
		s.afterInsert()
	}
	if err := addTags(ctx, tx, id, in.Tags); err != nil {
		return Ticket{}, err
	}
	if err := s.storeUploads(ctx, tx, in.Files, id, 0); err != nil {
		return Ticket{}, err
	}
	h := newHistory(id, p, now)
	if in.ByRequester {
		h.by = actor{typ: "contact", id: &requester.ID}
	}
	h.add(EventCreated, "", "", Number(number), "")
	t := Ticket{ID: id, Number: number, Subject: in.Subject, Description: in.Description, Status: in.Status,
		Priority: in.Priority, Type: in.Type, Line: in.Line, GroupID: in.GroupID, AssigneeID: in.AssigneeID,
		Requester: Requester{ID: requester.ID, Name: requester.Name, Email: requester.Email}, CompanyID: in.CompanyID,
		Channel: in.Channel, ParentID: in.ParentID, MailboxID: in.MailboxID, FollowUpOf: in.FollowUpOf, Flag: in.Flag,
		Tags: in.Tags, CustomFields: fields, FollowerIDs: []int64{}, Participants: []int64{},
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.Status == StatusSolved {
		t.SolvedAt = &now
	}
	if err := h.write(ctx, tx); err != nil {
		return Ticket{}, err
	}
	note := &slaNote{id: id}
	if err := s.notify(context.WithValue(ctx, slaNoteKey{}, note), tx, Change{Kind: ChangeCreated, After: t, By: p,
		Events: h.events}); err != nil {
		return Ticket{}, err
	}
	if note.set {
		t.SLA = note.v // the deadlines a hook set, as written
	}
	return t, nil
}

func (s *Service) requester(ctx context.Context, tx *sql.Tx, r RequesterRef) (directory.Contact, error) {
	if r.ID != nil {
		c, err := s.dir.FindContactTx(ctx, tx, *r.ID)
		if apperr.Is(err, apperr.NotFound) {
			return c, apperr.Field("requester.id", "contact %d does not exist", *r.ID)
		}
		return c, err
	}
	return s.dir.ResolveContact(ctx, tx, r.Email, r.Name)
}

func (s *Service) checkRefs(ctx context.Context, q db.Queryer, ticketID int64, in NewTicket) error {
	if err := checkGroup(ctx, q, in.GroupID); err != nil {
		return err
	}
	if err := checkAssignee(ctx, q, in.AssigneeID, in.GroupID); err != nil {
		return err
	}
	if err := checkCompany(ctx, q, in.CompanyID); err != nil {
		return err
	}
	return checkParent(ctx, q, ticketID, in.ParentID)
}

func requireFields(ctx context.Context, q db.Queryer, values map[string]any) error {
	key, err := missingRequired(ctx, q, values)
	if err != nil {
		return err
	}
	if key != "" {
		return apperr.Field("custom_fields."+key, "is required before the ticket can be solved")
	}
	return nil
}

// storeUploads stores a customer's files on a ticket and, unless
// commentID is 0, one of its comments.
func (s *Service) storeUploads(ctx context.Context, tx *sql.Tx, files []Upload, ticketID, commentID int64) error {
	for _, f := range files {
		if _, err := s.files.Store(ctx, tx, f.Filename, f.ContentType, f.Content, ticketID, commentID); err != nil {
			return fmt.Errorf("store %q on ticket %d: %w", f.Filename, ticketID, err)
		}
	}
	return nil
}
