package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// IDChange changes an optional reference: Set says it changes, a nil ID
// clears it.
type IDChange struct {
	Set bool
	ID  *int64
}

// Update is a change to a ticket made against the version the agent saw.
type Update struct {
	Version      int64
	Subject      *string
	Status       *Status
	Priority     *Priority
	Type         *Type
	Line         *int
	GroupID      IDChange
	AssigneeID   IDChange
	CompanyID    IDChange
	ParentID     IDChange
	RequesterID  *int64 // another contact; the company follows unless CompanyID is set too
	Tags         *[]string
	CustomFields map[string]any // a nil value clears that field
}

// UpdateTicket applies u if the ticket is still at u.Version; otherwise it
// answers Conflict and changes nothing. Every changed field is written to
// the history in the same transaction.
func (s *Service) UpdateTicket(ctx context.Context, p auth.Principal, id int64, u Update) (Ticket, error) {
	var t Ticket
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.UpdateTicketTx(ctx, tx, p, id, u, "")
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// UpdateTicketTx is UpdateTicket inside the caller's transaction, for a
// tool an agent uses (a macro, a guided script) that changes a ticket
// with other things at once. reason, when not empty, goes into every
// history entry the change writes. It returns the ticket as written; when
// u changes nothing, nothing is recorded.
func (s *Service) UpdateTicketTx(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, u Update, reason string) (Ticket, error) {
	if u.Version <= 0 {
		return Ticket{}, apperr.Field("version", "the ticket's version is required (in the body or If-Match)")
	}
	t, err := s.loadVisible(ctx, tx, p, id)
	if err != nil {
		return Ticket{}, err
	}
	if t.Version != u.Version {
		return Ticket{}, &apperr.Error{Code: apperr.Conflict, Field: "version", Message: fmt.Sprintf(
			"ticket %s was changed by someone else (now version %d, yours %d); reload it and apply your change again",
			Number(t.Number), t.Version, u.Version)}
	}
	h := newHistory(id, p, db.Now())
	return s.change(ctx, tx, t, u, &h, reason)
}

// change applies u to t, records every changed field with reason and
// saves; it returns the ticket as written, or t when nothing changed.
func (s *Service) change(ctx context.Context, tx *sql.Tx, t Ticket, u Update, h *history, reason string) (Ticket, error) {
	next, err := s.apply(ctx, tx, t, u)
	if err != nil {
		return Ticket{}, err
	}
	diff(h, t, next)
	if len(h.events) == 0 {
		return t, nil
	}
	for i := range h.events {
		h.events[i].Reason = reason
	}
	if err := s.save(ctx, tx, t, next, h); err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, tx, t.ID, false)
}

// loadVisible loads and locks a ticket p may see, or answers NotFound.
func (s *Service) loadVisible(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64) (Ticket, error) {
	if err := s.canView(ctx, tx, p, id); err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, tx, id, true)
}

// apply returns t with u applied, after checking every rule.
func (s *Service) apply(ctx context.Context, q db.Queryer, t Ticket, u Update) (Ticket, error) {
	next := t
	next.Tags = slices.Clone(t.Tags)
	if err := applySimple(&next, u); err != nil {
		return t, err
	}
	if u.Status != nil && *u.Status != t.Status {
		if !t.Status.CanBecome(*u.Status) {
			return t, apperr.Field("status", "a %s ticket cannot become %s", t.Status, *u.Status)
		}
		next.Status = *u.Status
	}
	setID(&next.GroupID, u.GroupID)
	setID(&next.AssigneeID, u.AssigneeID)
	if err := s.applyRequester(ctx, q, &next, u); err != nil {
		return t, err
	}
	setID(&next.CompanyID, u.CompanyID)
	setID(&next.ParentID, u.ParentID)
	var err error
	if next.CustomFields, err = mergeFieldValues(ctx, q, t.CustomFields, u.CustomFields); err != nil {
		return t, err
	}
	in := NewTicket{GroupID: next.GroupID, AssigneeID: next.AssigneeID, CompanyID: next.CompanyID, ParentID: next.ParentID}
	if !u.GroupID.Set {
		in.GroupID = nil // unchanged group: only a new assignee is checked against it
		if u.AssigneeID.Set {
			in.GroupID = next.GroupID
		}
	}
	if err := s.checkRefs(ctx, q, t.ID, in); err != nil {
		return t, err
	}
	if next.Status == StatusSolved && t.Status != StatusSolved {
		return next, requireFields(ctx, q, next.CustomFields)
	}
	return next, nil
}

// applyRequester puts the ticket in another contact's name, as when a
// phone ticket's caller is identified after the call.
func (s *Service) applyRequester(ctx context.Context, q db.Queryer, next *Ticket, u Update) error {
	if u.RequesterID == nil || *u.RequesterID == next.Requester.ID {
		return nil
	}
	c, err := s.dir.FindContactTx(ctx, q, *u.RequesterID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("requester_id", "no contact %d", *u.RequesterID)
	}
	if err != nil {
		return err
	}
	next.Requester = Requester{ID: c.ID, Name: c.Name, Email: c.Email}
	if !u.CompanyID.Set {
		next.CompanyID = c.CompanyID
	}
	return nil
}

func applySimple(next *Ticket, u Update) error {
	if u.Subject != nil {
		v, err := checkText("subject", *u.Subject, true, 500)
		if err != nil {
			return err
		}
		next.Subject = v
	}
	if u.Priority != nil {
		if !u.Priority.Valid() {
			return apperr.Field("priority", "must be low, normal, high or urgent")
		}
		next.Priority = *u.Priority
	}
	if u.Type != nil {
		if !u.Type.Valid() {
			return apperr.Field("type", "must be question, incident, problem or request")
		}
		next.Type = *u.Type
	}
	if u.Status != nil && !u.Status.Valid() {
		return apperr.Field("status", "must be new, open, pending, on_hold, solved or closed")
	}
	if u.Line != nil {
		if err := checkLine(*u.Line); err != nil {
			return err
		}
		next.Line = *u.Line
	}
	if u.Tags != nil {
		tags, err := normalizeTags(*u.Tags)
		if err != nil {
			return err
		}
		next.Tags = tags
	}
	return nil
}

func setID(dst **int64, c IDChange) {
	if c.Set {
		*dst = c.ID
	}
}

// diff records every field that differs between t and next.
func diff(h *history, t, next Ticket) {
	h.change("subject", t.Subject, next.Subject)
	h.change("status", string(t.Status), string(next.Status))
	h.change("priority", string(t.Priority), string(next.Priority))
	h.change("type", string(t.Type), string(next.Type))
	h.change("line", itoa(int64(t.Line)), itoa(int64(next.Line)))
	h.change("group_id", idString(t.GroupID), idString(next.GroupID))
	h.change("assignee_id", idString(t.AssigneeID), idString(next.AssigneeID))
	h.change("requester_id", itoa(t.Requester.ID), itoa(next.Requester.ID))
	h.change("company_id", idString(t.CompanyID), idString(next.CompanyID))
	h.change("parent_id", idString(t.ParentID), idString(next.ParentID))
	h.change("tags", strings.Join(t.Tags, ","), strings.Join(next.Tags, ","))
	keys := slices.Sorted(maps.Keys(t.CustomFields))
	for k := range next.CustomFields {
		if _, ok := t.CustomFields[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		h.change("custom_fields."+k, jsonString(t.CustomFields[k]), jsonString(next.CustomFields[k]))
	}
}

func jsonString(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// save writes next over t, bumping the version, and the history with it.
func (s *Service) save(ctx context.Context, tx *sql.Tx, t, next Ticket, h *history) error {
	switch {
	case next.Status == StatusSolved && t.Status != StatusSolved:
		next.SolvedAt = &h.at
	case next.Status == StatusOpen || next.Status == StatusPending || next.Status == StatusOnHold:
		next.SolvedAt = nil
	}
	if next.Status == StatusClosed && t.Status != StatusClosed {
		next.ClosedAt = &h.at
	}
	fields, _ := json.Marshal(next.CustomFields)
	res, err := tx.ExecContext(ctx, `
		UPDATE tickets SET subject = $1, status = $2, priority = $3, type = $4, line = $5, group_id = $6,
			assignee_id = $7, company_id = $8, parent_id = $9, custom_fields = $10, solved_at = $11, closed_at = $12,
			requester_id = $16, version = version + 1, updated_at = $13
		WHERE id = $14 AND version = $15`,
		next.Subject, next.Status, next.Priority, next.Type, next.Line, next.GroupID, next.AssigneeID, next.CompanyID,
		next.ParentID, string(fields), next.SolvedAt, next.ClosedAt, h.at, t.ID, t.Version, next.Requester.ID)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Errorf(apperr.Conflict, "ticket %s was changed by someone else; reload it", Number(t.Number))
	}
	if !slices.Equal(t.Tags, next.Tags) {
		if err := setTags(ctx, tx, t.ID, next.Tags); err != nil {
			return err
		}
	}
	if next.Status == StatusSolved && t.Status != StatusSolved && t.mailable() && h.by.typ != "contact" {
		// The requester is told, with how to reopen, once committed; not
		// when they solved it themselves.
		if _, err := s.jobs.Enqueue(ctx, tx, JobEmailNotify, map[string]any{"ticket_id": t.ID, "kind": "solved"}); err != nil {
			return err
		}
	}
	if err := h.write(ctx, tx); err != nil {
		return err
	}
	next.Version, next.UpdatedAt = t.Version+1, h.at
	return s.notify(ctx, tx, h.changeOf(t, next, h.p))
}
