package reply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Actions are what a macro changes on a ticket; a field left empty is
// not changed.
type Actions struct {
	Status     ticket.Status   `json:"status,omitempty"`
	Priority   ticket.Priority `json:"priority,omitempty"`
	Line       int             `json:"line,omitempty"`
	GroupID    *int64          `json:"group_id,omitempty"`
	AssigneeID *int64          `json:"assignee_id,omitempty"` // this agent
	AssignMe   bool            `json:"assign_to_me,omitempty"`
	Unassign   bool            `json:"unassign,omitempty"`
	TagsAdd    []string        `json:"tags_add,omitempty"`
	TagsRemove []string        `json:"tags_remove,omitempty"`
}

// Empty reports whether the actions change nothing.
func (a Actions) Empty() bool {
	return a.Status == "" && a.Priority == "" && a.Line == 0 && a.GroupID == nil && a.AssigneeID == nil &&
		!a.AssignMe && !a.Unassign && len(a.TagsAdd) == 0 && len(a.TagsRemove) == 0
}

func (s *Service) checkActions(ctx context.Context, a *Actions) error {
	if a.Status != "" && (!a.Status.Valid() || a.Status == ticket.StatusNew) {
		return apperr.Field("actions.status", "must be open, pending, on_hold, solved or closed")
	}
	if a.Priority != "" && !a.Priority.Valid() {
		return apperr.Field("actions.priority", "must be low, normal, high or urgent")
	}
	if a.Line < 0 || a.Line > 4 {
		return apperr.Field("actions.line", "must be 1 to 4")
	}
	n := 0
	for _, set := range []bool{a.AssigneeID != nil, a.AssignMe, a.Unassign} {
		if set {
			n++
		}
	}
	if n > 1 {
		return apperr.Field("actions.assignee_id", "choose one: an agent, the agent applying the macro, or nobody")
	}
	if a.GroupID != nil {
		if _, err := s.dir.FindGroup(ctx, *a.GroupID); apperr.Is(err, apperr.NotFound) {
			return apperr.Field("actions.group_id", "group %d does not exist", *a.GroupID)
		} else if err != nil {
			return err
		}
	}
	if a.AssigneeID != nil {
		ag, err := s.dir.FindAgent(ctx, *a.AssigneeID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !ag.Active) {
			return apperr.Field("actions.assignee_id", "agent %d does not exist or is not active", *a.AssigneeID)
		} else if err != nil {
			return err
		}
	}
	var err error
	if a.TagsAdd, err = tags("actions.tags_add", a.TagsAdd); err != nil {
		return err
	}
	if a.TagsRemove, err = tags("actions.tags_remove", a.TagsRemove); err != nil {
		return err
	}
	for _, t := range a.TagsAdd {
		if slices.Contains(a.TagsRemove, t) {
			return apperr.Field("actions.tags_remove", "the tag %q is both added and removed", t)
		}
	}
	return nil
}

func tags(field string, in []string) ([]string, error) {
	var out []string
	for _, raw := range in {
		t := strings.ToLower(strings.TrimSpace(raw))
		if t == "" {
			continue
		}
		if len([]rune(t)) > 64 || strings.ContainsAny(t, " ,\t\n") {
			return nil, apperr.Field(field, "%q is not a valid tag (1–64 characters, no spaces or commas)", raw)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Filled is a reply's text for one ticket.
type Filled struct {
	Language  string   `json:"language"`
	Text      string   `json:"text"`
	Languages []string `json:"languages"` // the languages the reply has
}

// Fill writes a reply's text for a ticket p may see, in lang, or when lang
// is "" (or missing) in the requester's language, falling back to the
// others.
func (s *Service) Fill(ctx context.Context, p auth.Principal, replyID, ticketID int64, lang string) (Filled, error) {
	r, err := s.Find(ctx, p, replyID)
	if err != nil {
		return Filled{}, err
	}
	t, err := s.tickets.FindTicket(ctx, p, ticketID)
	if err != nil {
		return Filled{}, err
	}
	values, requester, err := s.values(ctx, p, t)
	if err != nil {
		return Filled{}, err
	}
	return fill(r, values, lang, requester.Language)
}

func fill(r Reply, values map[string]string, lang, requesterLang string) (Filled, error) {
	f := Filled{Languages: r.Languages()}
	if r.Texts[lang] == "" {
		lang = r.Pick(requesterLang)
	}
	f.Language = lang
	if lang == "" {
		return f, nil
	}
	var err error
	f.Text, err = Fill(r.Texts[lang], values)
	return f, err
}

// values are the variables' values for a ticket, as p writes on it.
func (s *Service) values(ctx context.Context, p auth.Principal, t ticket.Ticket) (map[string]string, directory.Contact, error) {
	c, err := s.dir.FindContact(ctx, t.Requester.ID)
	if err != nil {
		return nil, c, err
	}
	v := map[string]string{
		"requester.name": c.Name, "requester.first_name": FirstName(c.Name), "requester.email": c.Email,
		"ticket.number": ticket.Number(t.Number), "ticket.subject": t.Subject,
		"agent.name": p.Name, "agent.first_name": FirstName(p.Name), "agent.email": p.Email,
	}
	if p.AgentID > 0 {
		if a, err := s.dir.FindAgent(ctx, p.AgentID); err == nil {
			v["agent.name"], v["agent.first_name"], v["agent.email"] = a.Name, FirstName(a.Name), a.Email
		}
	}
	if t.CompanyID != nil {
		co, err := s.dir.FindCompany(ctx, *t.CompanyID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, c, err
		}
		v["company.name"] = co.Name
	}
	return v, c, nil
}

// Apply is how an agent applies a macro.
type Apply struct {
	Version  int64   // the ticket's version the preview showed; 0 when previewing
	Language string  // of the reply text; "" for the requester's
	Body     *string // the reply text as the agent edited it; nil: the macro's, filled in
}

// Result is what a macro does (or did) to a ticket.
type Result struct {
	Macro    Reply         `json:"macro"`
	Before   ticket.Ticket `json:"before"`
	After    ticket.Ticket `json:"after"`
	Language string        `json:"language"`
	Reply    string        `json:"reply"` // the text added, "" when none
	Public   bool          `json:"public"`
	Changes  []Change      `json:"changes"`
	Applied  bool          `json:"applied"`
}

// Change is one field the macro changes.
type Change struct {
	Field string `json:"field"` // status, priority, line, group_id, assignee_id, tags
	From  string `json:"from"`
	To    string `json:"to"`
}

// errPreview rolls back a preview once it has been worked out.
var errPreview = errors.New("preview")

// Preview works out what applying a macro would do, exactly as Apply does
// it, and saves nothing: the changes are made in a transaction that is
// then rolled back. A macro that would fail answers the error it would.
func (s *Service) Preview(ctx context.Context, p auth.Principal, macroID, ticketID int64, in Apply) (Result, error) {
	in.Version = 0
	var res Result
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if res, err = s.apply(ctx, tx, p, macroID, ticketID, in); err != nil {
			return err
		}
		return errPreview
	})
	if !errors.Is(err, errPreview) {
		return Result{}, err
	}
	return res, nil
}

// ApplyMacro applies a macro to a ticket still at in.Version, in one
// transaction: the reply and every action, or — when any of them fails —
// none. The history names the macro.
func (s *Service) ApplyMacro(ctx context.Context, p auth.Principal, macroID, ticketID int64, in Apply) (Result, error) {
	if in.Version <= 0 {
		return Result{}, apperr.Field("version", "the ticket's version the preview showed is required")
	}
	var res Result
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.apply(ctx, tx, p, macroID, ticketID, in)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	res.Applied = true
	return res, nil
}

func (s *Service) apply(ctx context.Context, tx *sql.Tx, p auth.Principal, macroID, ticketID int64, in Apply) (Result, error) {
	m, err := s.find(ctx, tx, p, macroID)
	if err != nil || m.Kind != Macro {
		return Result{}, apperr.NotFoundf("macro %d not found", macroID)
	}
	before, err := s.tickets.FindTicketTx(ctx, tx, p, ticketID)
	if err != nil {
		return Result{}, err
	}
	if in.Version != 0 && before.Version != in.Version {
		return Result{}, &apperr.Error{Code: apperr.Conflict, Field: "version", Message: fmt.Sprintf(
			"ticket %s changed since the preview; look at it again before applying %q", ticket.Number(before.Number), m.Name)}
	}
	res := Result{Macro: m, Before: before, After: before, Public: m.Public, Changes: []Change{}}
	if err := s.replyPart(ctx, tx, p, &res, in); err != nil {
		return Result{}, err
	}
	// Recorded before the actions, which may take the ticket out of p's sight.
	if err := s.tickets.RecordTx(ctx, tx, p, ticketID, ticket.AutoEvent{Kind: ticket.EventMacro, To: m.Name}); err != nil {
		return Result{}, err
	}
	cur, err := s.tickets.FindTicketTx(ctx, tx, p, ticketID)
	if err != nil {
		return Result{}, err
	}
	reason := fmt.Sprintf("macro “%s”", m.Name)
	if res.After, err = s.tickets.UpdateTicketTx(ctx, tx, p, ticketID, update(m.Actions, cur, p), reason); err != nil {
		return Result{}, err
	}
	res.Changes = changes(before, res.After)
	return res, nil
}

// replyPart adds the macro's text, filled in (or as the agent edited it).
func (s *Service) replyPart(ctx context.Context, tx *sql.Tx, p auth.Principal, res *Result, in Apply) error {
	values, requester, err := s.values(ctx, p, res.Before)
	if err != nil {
		return err
	}
	f, err := fill(res.Macro, values, in.Language, requester.Language)
	if err != nil {
		return err
	}
	res.Language, res.Reply = f.Language, f.Text
	if in.Body != nil {
		res.Reply = strings.TrimSpace(strings.ReplaceAll(*in.Body, "\r\n", "\n"))
	}
	if res.Reply == "" {
		return nil
	}
	_, err = s.tickets.AddCommentTx(ctx, tx, p, res.Before.ID, ticket.NewComment{Body: res.Reply, Public: res.Macro.Public,
		Channel: ticket.ChannelWeb})
	return err
}

// update is the ticket change a macro's actions make on t.
func update(a Actions, t ticket.Ticket, p auth.Principal) ticket.Update {
	u := ticket.Update{Version: t.Version}
	if a.Status != "" {
		u.Status = &a.Status
	}
	if a.Priority != "" {
		u.Priority = &a.Priority
	}
	if a.Line != 0 {
		u.Line = &a.Line
	}
	if a.GroupID != nil {
		u.GroupID = ticket.IDChange{Set: true, ID: a.GroupID}
	}
	switch {
	case a.AssigneeID != nil:
		u.AssigneeID = ticket.IDChange{Set: true, ID: a.AssigneeID}
	case a.AssignMe:
		me := p.AgentID
		u.AssigneeID = ticket.IDChange{Set: true, ID: &me}
	case a.Unassign:
		u.AssigneeID = ticket.IDChange{Set: true}
	}
	if len(a.TagsAdd) > 0 || len(a.TagsRemove) > 0 {
		next := []string{}
		for _, tag := range t.Tags {
			if !slices.Contains(a.TagsRemove, tag) {
				next = append(next, tag)
			}
		}
		for _, tag := range a.TagsAdd {
			if !slices.Contains(next, tag) {
				next = append(next, tag)
			}
		}
		u.Tags = &next
	}
	return u
}

// changes lists the fields that differ between two states of a ticket.
func changes(a, b ticket.Ticket) []Change {
	out := []Change{}
	add := func(field, from, to string) {
		if from != to {
			out = append(out, Change{Field: field, From: from, To: to})
		}
	}
	add("status", string(a.Status), string(b.Status))
	add("priority", string(a.Priority), string(b.Priority))
	add("line", fmt.Sprint(a.Line), fmt.Sprint(b.Line))
	add("group_id", idString(a.GroupID), idString(b.GroupID))
	add("assignee_id", idString(a.AssigneeID), idString(b.AssigneeID))
	add("tags", strings.Join(a.Tags, ", "), strings.Join(b.Tags, ", "))
	return out
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return fmt.Sprint(*id)
}
