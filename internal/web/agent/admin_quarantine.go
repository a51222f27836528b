package agent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/email"
	"linedesk/internal/mailbox"
)

func (s *Server) quarantineRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/quarantine", s.handleQuarantine},
		{"GET /admin/quarantine/{id}", s.handleInbound},
		{"GET /admin/quarantine/{id}/raw", s.handleInboundRaw},
		{"POST /admin/quarantine/{id}/retry", s.handleInboundRequeue(false)},
		{"POST /admin/quarantine/{id}/release", s.handleInboundRequeue(true)},
		{"POST /admin/quarantine/{id}/block", s.handleBlockSender},
	}
}

// rawShown is how much of a raw message the page shows; the download has
// all of it.
const rawShown = 200 << 10

type quarantinePage struct {
	adminPage
	Messages  []mailbox.Inbound
	Mailboxes map[int64]string
	Pager     pager
}

func (s *Server) handleQuarantine(w http.ResponseWriter, r *http.Request) error {
	data := quarantinePage{adminPage: s.adminBase(r, "quarantine")}
	list, total, err := s.Mailboxes.FindInbounds(r.Context(), mailbox.InboundFilter{State: mailbox.StateQuarantined,
		Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Messages, data.Pager = list, newPager(r, total)
	if data.Mailboxes, err = s.mailboxAddresses(r.Context()); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_quarantine", data)
	return nil
}

func (s *Server) mailboxAddresses(ctx context.Context) (map[int64]string, error) {
	list, _, err := s.Mailboxes.FindMailboxes(ctx, mailbox.MailboxFilter{Limit: 500})
	out := make(map[int64]string, len(list))
	for _, m := range list {
		out[m.ID] = m.Address
	}
	return out, err
}

// inboundPage shows one stored message: what its headers say, why it was
// kept out, and the raw text.
type inboundPage struct {
	adminPage
	M         mailbox.Inbound
	Mailbox   string
	Subject   string
	From, To  string
	Date      time.Time
	Sender    string             // the address a block applies to
	Domain    string             // its domain
	Contact   *directory.Contact // the sender's contact, when there is one
	Raw       string
	Truncated bool
	Reason    string // a block reason that was refused
}

func (s *Server) showInbound(w http.ResponseWriter, r *http.Request, id int64, reason, msg string, status int) error {
	data, err := s.inboundData(r, id)
	if err != nil {
		return err
	}
	data.Reason, data.Error = reason, msg
	s.render(w, r, status, "admin_message", data)
	return nil
}

func (s *Server) inboundData(r *http.Request, id int64) (inboundPage, error) {
	ctx := r.Context()
	rc, in, err := s.Mailboxes.OpenRaw(ctx, id)
	if err != nil {
		return inboundPage{}, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return inboundPage{}, fmt.Errorf("read message %d: %w", id, err)
	}
	data := inboundPage{adminPage: s.adminBase(r, "quarantine"), M: in, Sender: in.EnvelopeFrom}
	shown := raw[:min(len(raw), rawShown)]
	data.Raw, data.Truncated = strings.ToValidUTF8(string(shown), "\uFFFD"), len(shown) < len(raw)
	// An unreadable message is often why it is here: the page then shows
	// the envelope and the raw text only.
	if msg, err := email.Parse(raw, email.Limits{MaxBytes: s.Mailboxes.MaxBytes()}); err == nil {
		data.Subject, data.Date, data.From = msg.Subject, msg.Date, formatAddress(msg.From)
		var to []string
		for _, a := range append(msg.To, msg.Cc...) {
			to = append(to, formatAddress(a))
		}
		data.To = strings.Join(to, ", ")
		if msg.From.Email != "" {
			data.Sender = msg.From.Email
		}
	}
	if _, d, ok := strings.Cut(data.Sender, "@"); ok {
		data.Domain = d
	}
	if in.MailboxID != nil {
		if m, err := s.Mailboxes.FindMailbox(ctx, *in.MailboxID); err == nil {
			data.Mailbox = m.Address
		}
	}
	if data.Sender != "" {
		list, _, err := s.Directory.FindContacts(ctx, directory.ContactFilter{Email: data.Sender, Limit: 1})
		if err != nil {
			return data, err
		}
		if len(list) > 0 {
			data.Contact = &list[0]
		}
	}
	return data, nil
}

func formatAddress(a email.Address) string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

func (s *Server) handleInbound(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "message")
	if err != nil {
		return err
	}
	return s.showInbound(w, r, id, "", "", http.StatusOK)
}

// handleInboundRaw downloads the whole raw message as text.
func (s *Server) handleInboundRaw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "message")
	if err != nil {
		return err
	}
	rc, in, err := s.Mailboxes.OpenRaw(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="message-%d.txt"`, in.ID))
	h.Set("Content-Length", strconv.FormatInt(in.Size, 10))
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rc)
	return nil
}

// handleInboundRequeue processes a kept-out message again: retry runs the
// checks once more, release lets it through them.
func (s *Server) handleInboundRequeue(release bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "message")
		if err != nil {
			return err
		}
		requeue, done := s.Mailboxes.Retry, "retried"
		if release {
			requeue, done = s.Mailboxes.Release, "released"
		}
		if err := requeue(r.Context(), id); err != nil {
			return formFailed(r, err, func(msg string, status int) error { return s.showInbound(w, r, id, "", msg, status) })
		}
		s.Log.InfoContext(r.Context(), "inbound message "+done+" by administrator", "inbound", id, "agent", viewer(r).P.AgentID)
		redirect(w, r, "/admin/quarantine?ok="+done)
		return nil
	}
}

// handleBlockSender blocks the message's sender, with a reason: the
// contact the address belongs to, or the address's whole domain.
func (s *Server) handleBlockSender(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "message")
	if err != nil {
		return err
	}
	data, err := s.inboundData(r, id)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	failed := func(msg string, status int) error { return s.showInbound(w, r, id, reason, msg, status) }
	done, err := s.blockSender(r.Context(), viewer(r), data, r.PostFormValue("what"), reason)
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/quarantine/%d?ok=%s", id, done))
	return nil
}

func (s *Server) blockSender(ctx context.Context, v *Viewer, m inboundPage, what, reason string) (string, error) {
	if reason == "" {
		return "", apperr.Field("reason", "%s", v.L.T("admin.quarantine.reason_required"))
	}
	switch {
	case what == "contact" && m.Contact != nil:
		blocked := true
		_, err := s.Directory.UpdateContact(ctx, m.Contact.ID, directory.ContactUpdate{Blocked: &blocked, BlockedReason: &reason})
		return "blocked", err
	case what == "domain" && m.Domain != "":
		_, err := s.Mailboxes.BlockDomain(ctx, m.Domain, reason)
		return "domain_blocked", err
	}
	return "", apperr.Field("what", "%s", v.L.T("admin.quarantine.nothing_to_block"))
}
