package agent

import (
	"net/http"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/mailbox"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// dryRunPage is the dry run: a ticket's fields to paste (or an existing
// ticket's number) and, once tried, what each rule would do.
type dryRunPage struct {
	adminPage
	In        dryRunForm
	Result    *routing.DryResult
	Names     ruleNames
	Companies []directory.Company
	Mailboxes []mailbox.Mailbox
}

// dryRunForm is the form as sent, shown again with the result.
type dryRunForm struct {
	Number, Subject, Body, Channel, Email, Priority, At, Event string
	CompanyID, MailboxID                                       int64
}

// StepChange tells one change of a step in words: "Group: Network".
func (p dryRunPage) StepChange(c routing.Change) string {
	field := strings.TrimPrefix(c.Field, "custom_fields.")
	label := p.L.T("routing.change." + c.Field)
	if strings.HasPrefix(c.Field, "custom_fields.") {
		label = field
	}
	kind := map[string]string{"group_id": routing.ActGroup, "assignee_id": routing.ActAssignee, "priority": routing.ActPriority,
		"type": routing.ActType, "line": routing.ActLine, "reply": routing.ActReply}[c.Field]
	to := p.Names.Label(kind, c.To)
	if c.Field == "tags" {
		to = strings.ReplaceAll(c.To, ",", ", ")
	}
	if to == "" {
		to = "—"
	}
	return label + ": " + to
}

// CondText tells a condition in words.
func (p dryRunPage) CondText(c routing.Condition) string { return condText(p.L, p.Names, c) }

// FailedCond is the condition of a step that did not hold, in words.
func (p dryRunPage) FailedCond(s routing.Step) string {
	if s.FailedCondition < 0 || s.FailedCondition >= len(s.Rule.Conditions) {
		return ""
	}
	return p.CondText(s.Rule.Conditions[s.FailedCondition])
}

// Moved says what the whole run changed, the assignment included.
func (p dryRunPage) Moved() []string {
	if p.Result == nil {
		return nil
	}
	b, a := p.Result.Before, p.Result.After
	var out []string
	add := func(field, kind, from, to string) {
		if from != to {
			out = append(out, p.L.T("routing.change."+field)+": "+p.Names.Label(kind, from)+" → "+p.Names.Label(kind, to))
		}
	}
	add("group_id", routing.CondGroup, idText(b.GroupID), idText(a.GroupID))
	add("assignee_id", routing.ActAssignee, idText(b.AssigneeID), idText(a.AssigneeID))
	add("priority", routing.ActPriority, string(b.Priority), string(a.Priority))
	add("type", routing.ActType, string(b.Type), string(a.Type))
	add("line", routing.ActLine, id64(int64(b.Line)), id64(int64(a.Line)))
	add("tags", "", strings.Join(b.Tags, ", "), strings.Join(a.Tags, ", "))
	return out
}

func idText(p *int64) string {
	if p == nil {
		return "none"
	}
	return id64(*p)
}

func (s *Server) dryRunData(r *http.Request) (dryRunPage, error) {
	data := dryRunPage{adminPage: s.adminBase(r, "dryrun")}
	var err error
	if data.Names, err = s.ruleNames(r.Context(), data.L); err != nil {
		return data, err
	}
	if data.Companies, _, err = s.Directory.FindCompanies(r.Context(), directory.CompanyFilter{Limit: 500}); err != nil {
		return data, err
	}
	data.Mailboxes, _, err = s.Mailboxes.FindMailboxes(r.Context(), mailbox.MailboxFilter{Limit: 500})
	return data, err
}

func (s *Server) handleDryRun(w http.ResponseWriter, r *http.Request) error {
	data, err := s.dryRunData(r)
	if err != nil {
		return err
	}
	data.In = dryRunForm{Channel: string(ticket.ChannelEmail), Priority: string(ticket.PriorityNormal),
		At: viewer(r).Now.In(data.L.Loc).Format("2006-01-02T15:04")}
	s.render(w, r, http.StatusOK, "admin_dryrun", data)
	return nil
}

func (s *Server) handleDryRunRun(w http.ResponseWriter, r *http.Request) error {
	data, err := s.dryRunData(r)
	if err != nil {
		return err
	}
	in := dryRunForm{Number: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("number")), "#")),
		Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Channel: r.PostFormValue("channel"),
		Email: strings.TrimSpace(r.PostFormValue("requester_email")), Priority: r.PostFormValue("priority"),
		At: r.PostFormValue("at"), Event: r.PostFormValue("event")}
	data.In = in
	show := func(msg string, status int) error {
		data.Error = msg
		s.render(w, r, status, "admin_dryrun", data)
		return nil
	}
	dr, err := s.dryRunInput(r, &data.In)
	if err != nil {
		return formFailed(r, err, show)
	}
	res, err := s.Routing.Try(r.Context(), dr)
	if err != nil {
		return formFailed(r, err, show)
	}
	data.Result = &res
	return show("", http.StatusOK)
}

// dryRunInput turns the form into a dry run: an existing ticket by its
// number, else the fields, at the moment given in the agent's zone.
func (s *Server) dryRunInput(r *http.Request, in *dryRunForm) (routing.DryRun, error) {
	l := viewer(r).L
	var dr routing.DryRun
	if in.At != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", in.At, l.Loc)
		if err != nil {
			return dr, apperr.Field("at", "%q is not a date and time", in.At)
		}
		dr.At = &at
	}
	if in.Number != "" {
		id, err := s.ticketByNumber(r, in.Number)
		if e := apperr.As(err); e != nil && e.Field != "" {
			e.Field = "number"
		}
		dr.TicketID, dr.Event = id, in.Event
		return dr, err
	}
	dr.Subject, dr.Body, dr.Channel, dr.RequesterEmail = in.Subject, in.Body, ticket.Channel(in.Channel), in.Email
	dr.Priority = ticket.Priority(in.Priority)
	if id, _ := formID(r, "company_id"); id != nil {
		dr.CompanyID, in.CompanyID = id, *id
	}
	if id, _ := formID(r, "mailbox_id"); id != nil {
		dr.MailboxID, in.MailboxID = id, *id
	}
	return dr, nil
}
