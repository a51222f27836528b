package portal

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Limits of web form submissions: per client address and per e-mail
// address, so the fourth submission within five minutes creates nothing.
const (
	submitLimit   = 3
	submitWindow  = 5 * time.Minute
	formStaleness = 24 * time.Hour
	maxFormFiles  = 5
)

// Submission is one filled-in web form.
type Submission struct {
	FormID   int64
	Values   map[string]string          // by field key; a ticked checkbox is "on"
	Files    map[string][]ticket.Upload // by field key
	Started  string                     // the StartToken the form was handed out with
	Honeypot string                     // a field people never see; robots fill it in
	Origin   string                     // the site the post came from
	Own      bool                       // the post came from Linedesk's own form page (the iframe)
	IP       string
}

// FormError is a field of a submission that cannot be taken as it is.
type FormError struct {
	Key     string // the field
	Problem string // required, email, phone, choice, too_long, too_many_files
}

func (e *FormError) Error() string { return "web form field " + e.Key + ": " + e.Problem }

// Receipt is what a person is told after their submission was taken.
type Receipt struct {
	Number int64  // the ticket's number
	Thanks string // the form's thank-you text in the language asked for; "" for the standard one
}

// Submit turns a submission into a ticket for the address it gives, or
// refuses it: a form posted from a site it is not allowed on, a filled-in
// hidden field, a form sent faster than a person can fill it in (or
// opened more than a day ago), a blocked address or domain, and the
// fourth submission within five minutes from one client or one address.
// A refused submission creates nothing.
func (s *Service) Submit(ctx context.Context, sub Submission, lang string) (Receipt, error) {
	f, err := s.FindForm(ctx, sub.FormID)
	if err != nil || !f.Active {
		return Receipt{}, apperr.NotFoundf("web form %d not found", sub.FormID)
	}
	if err := s.screen(f, sub); err != nil {
		return Receipt{}, err
	}
	values, err := checkValues(f, sub)
	if err != nil {
		return Receipt{}, err
	}
	email := values[KeyEmail]
	if err := s.refuseBlocked(ctx, email); err != nil {
		return Receipt{}, err
	}
	var t ticket.Ticket
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.take(ctx, tx, s.now(), limit{"form-ip:" + ipKey(sub.IP), submitLimit, submitWindow},
			limit{"form-email:" + email, submitLimit, submitWindow})
		if err != nil {
			return err
		}
		if !ok {
			return refuse(RefusedTooMany)
		}
		t, err = s.formTicket(ctx, tx, f, values, sub.Files)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	s.jobs.Wake()
	s.log.InfoContext(ctx, "web form submitted", "form", f.ID, "ticket", t.Number)
	return Receipt{Number: t.Number, Thanks: f.ThanksIn(lang)}, nil
}

// screen refuses what no person sends.
func (s *Service) screen(f Form, sub Submission) error {
	if !sub.Own && !f.AllowsOrigin(sub.Origin) {
		return refuse(RefusedOrigin)
	}
	if strings.TrimSpace(sub.Honeypot) != "" {
		return refuse(RefusedSpam)
	}
	started, ok := s.startedAt(f.ID, sub.Started)
	took := s.now().Sub(started)
	switch {
	case !ok || took > formStaleness:
		return refuse(RefusedStale)
	case took < s.cfg.MinFillTime:
		return refuse(RefusedTooFast)
	}
	return nil
}

// checkValues checks each field of the form and returns the values to
// keep, by key.
func checkValues(f Form, sub Submission) (map[string]string, error) {
	out := map[string]string{}
	for _, fd := range f.Fields {
		if fd.Type == FieldFile {
			if n := len(sub.Files[fd.Key]); n == 0 && fd.Required {
				return nil, &FormError{fd.Key, "required"}
			} else if n > maxFormFiles {
				return nil, &FormError{fd.Key, "too_many_files"}
			}
			continue
		}
		v, err := checkValue(fd, strings.TrimSpace(sub.Values[fd.Key]))
		if err != nil {
			return nil, err
		}
		if v != "" {
			out[fd.Key] = v
		}
	}
	return out, nil
}

func checkValue(fd FormField, v string) (string, error) {
	if fd.Type == FieldCheckbox {
		if v != "" {
			v = "yes"
		}
	}
	if v == "" {
		if fd.Required {
			return "", &FormError{fd.Key, "required"}
		}
		return "", nil
	}
	max := 1000
	if fd.Type == FieldTextarea {
		max = 50_000
	}
	if utf8.RuneCountInString(v) > max {
		return "", &FormError{fd.Key, "too_long"}
	}
	switch fd.Type {
	case FieldEmail:
		e, err := directory.ValidEmail(fd.Key, v)
		if err != nil {
			return "", &FormError{fd.Key, "email"}
		}
		return e, nil
	case FieldPhone:
		if strings.IndexAny(v, "0123456789") < 0 || strings.Trim(v, "0123456789 +-().") != "" {
			return "", &FormError{fd.Key, "phone"}
		}
	case FieldSelect:
		if !slices.Contains(fd.Options, v) {
			return "", &FormError{fd.Key, "choice"}
		}
	}
	return v, nil
}

// refuseBlocked refuses an address whose domain or contact is blocked.
func (s *Service) refuseBlocked(ctx context.Context, email string) error {
	if blocked, err := s.blocked.IsBlockedDomain(ctx, email); err != nil || blocked {
		if err == nil {
			err = refuse(RefusedBlocked)
		}
		return err
	}
	list, _, err := s.dir.FindContacts(ctx, directory.ContactFilter{Email: email, Limit: 1})
	if err != nil {
		return err
	}
	if len(list) == 1 && list[0].Blocked {
		return refuse(RefusedBlocked)
	}
	return nil
}

// formTicket opens the ticket of a submission: for the contact the
// address belongs to (a new contact joins the company of its domain),
// where the form sends its tickets, with the person's words as its
// description and their files on it.
func (s *Service) formTicket(ctx context.Context, tx *sql.Tx, f Form, values map[string]string, files map[string][]ticket.Upload) (ticket.Ticket, error) {
	mailbox, err := s.Sender(ctx)
	if err != nil {
		return ticket.Ticket{}, err
	}
	in := ticket.NewTicket{Subject: formSubject(f, values), Description: formDescription(f, values),
		Requester: ticket.RequesterRef{Email: values[KeyEmail], Name: values[KeyName]}, Channel: ticket.ChannelWebForm,
		Priority: f.Priority, Line: f.Line, GroupID: f.GroupID, ByRequester: true}
	if mailbox != 0 {
		in.MailboxID = &mailbox
	}
	for _, fd := range f.Fields {
		in.Files = append(in.Files, files[fd.Key]...)
	}
	t, err := s.tickets.CreateTicketTx(ctx, tx, auth.System(), in)
	if err != nil {
		return t, err
	}
	return t, s.received(ctx, tx, t)
}

// received asks for the "ticket received" mail of a new ticket.
func (s *Service) received(ctx context.Context, tx *sql.Tx, t ticket.Ticket) error {
	if t.MailboxID == nil {
		return nil
	}
	_, err := s.jobs.Enqueue(ctx, tx, ticket.JobEmailNotify, map[string]any{"ticket_id": t.ID, "kind": "received"})
	if err != nil {
		return fmt.Errorf("receipt of ticket %d: %w", t.ID, err)
	}
	return nil
}

// formSubject is the subject field, else the message's first line under
// the form's name.
func formSubject(f Form, values map[string]string) string {
	if s := values[KeySubject]; s != "" {
		return firstLine(s, 200)
	}
	if m := values[KeyMessage]; m != "" {
		return firstLine(f.Name+": "+m, 200)
	}
	return firstLine(f.Name, 200)
}

// formDescription is the message, then every other answer as "Label:
// value", in English, the team's common language.
func formDescription(f Form, values map[string]string) string {
	var b strings.Builder
	if m := values[KeyMessage]; m != "" {
		b.WriteString(m)
		b.WriteString("\n\n")
	}
	for _, fd := range f.Fields {
		v := values[fd.Key]
		if v == "" || fd.Key == KeyMessage || fd.Key == KeySubject {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", fd.Label("en"), v)
	}
	return strings.TrimSpace(b.String())
}

func firstLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
