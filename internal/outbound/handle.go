package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/job"
)

// handleReply mails an agent's public comment to the requester (To) and
// the contacts copied on the ticket (Cc). A public comment of Linedesk's
// own (a routing rule's templated reply) goes the same way as automatic
// mail: marked Auto-Submitted and limited per address like notifications.
func (s *Service) handleReply(ctx context.Context, j job.Job) error {
	var p ReplyPayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	cm, err := s.loadComment(ctx, p.CommentID)
	if apperr.Is(err, apperr.NotFound) {
		s.log.WarnContext(ctx, "reply not mailed: comment gone", "comment", p.CommentID)
		return nil
	}
	if err != nil {
		return err
	}
	automatic := cm.authorType == "system"
	if !cm.public || (cm.authorType != "agent" && !automatic) {
		return nil // only public replies of agents and of Linedesk itself go out
	}
	t, err := s.loadTicket(ctx, cm.ticketID)
	if err != nil {
		return err
	}
	mailboxID, mb, err := s.sender(ctx, t)
	if err != nil || mailboxID == 0 {
		return err
	}
	people, err := s.people(ctx, t)
	if err != nil {
		return err
	}
	footer, err := render(language(people[0].language, mb.language), "footer",
		textData{Number: fmt.Sprintf("#%d", t.number)})
	if err != nil {
		return err
	}
	files, err := s.attachments(ctx, cm.id)
	if err != nil {
		return err
	}
	id, err := s.ensure(ctx, draft{
		ticketID: t.id, commentID: cm.id, mailboxID: mailboxID, kind: "reply",
		messageID: MessageID(t.number, cm.id, "reply", s.cfg.Hostname),
		subject:   subject(t.number, t.subject), people: people, automatic: automatic,
	})
	if err != nil {
		return err
	}
	return s.send(ctx, id, content{
		agentName: cm.agentName, mailbox: mb, names: names(people), attachments: files, automatic: automatic,
		body: strings.TrimRight(cm.body, "\r\n") + "\n\n-- \n" + footer + "\n",
	})
}

// handleNotify tells the requester, in their language, that their ticket
// was received or solved. The mail is automatic: marked so, limited per
// address, never sent to a bouncing contact or to Linedesk itself.
func (s *Service) handleNotify(ctx context.Context, j job.Job) error {
	var p NotifyPayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	if !slices.Contains(notifyKinds, p.Kind) {
		return fmt.Errorf("notify about ticket %d: unknown kind %q", p.TicketID, p.Kind)
	}
	t, err := s.loadTicket(ctx, p.TicketID)
	if apperr.Is(err, apperr.NotFound) {
		s.log.WarnContext(ctx, "notification not mailed: ticket gone", "ticket", p.TicketID)
		return nil
	}
	if err != nil {
		return err
	}
	// Sent at most once per inbound message, else once per job.
	tag := fmt.Sprintf("j%d", j.ID)
	if p.InboundID != 0 {
		tag = fmt.Sprintf("i%d", p.InboundID)
	}
	mid := messageID(t.number, tag, p.Kind, s.cfg.Hostname)
	id, found, err := findEmail(ctx, s.db.R, mid)
	if err != nil {
		return err
	}
	if !found && p.Kind == NotifySolved && t.status != "solved" && t.status != "closed" {
		s.log.InfoContext(ctx, "solved notification not mailed: ticket reopened", "ticket", t.id)
		return nil
	}
	mailboxID, mb, err := s.sender(ctx, t)
	if err != nil || mailboxID == 0 {
		return err
	}
	req, err := s.requester(ctx, t)
	if err != nil {
		return err
	}
	data := textData{Name: req.name, Number: fmt.Sprintf("#%d", t.number), Subject: t.subject, Mailbox: mb.signature()}
	if s.cfg.BaseURL != "" {
		data.PortalURL = s.cfg.BaseURL + "/portal"
	}
	if p.Kind == NotifySolved && s.cfg.RateURL != nil {
		if data.RateURL, err = s.cfg.RateURL(ctx, t.id); err != nil {
			return err
		}
	}
	if p.Kind == NotifyMerged {
		if data.Into, err = s.mergedInto(ctx, t.id); err != nil || data.Into == "" {
			return err // "": not merged, nothing to tell
		}
	}
	body, err := render(language(req.language, mb.language), p.Kind, data)
	if err != nil {
		return err
	}
	if !found {
		id, err = s.ensure(ctx, draft{
			ticketID: t.id, mailboxID: mailboxID, kind: p.Kind, messageID: mid,
			subject: subject(t.number, t.subject), automatic: true, people: []person{req},
		})
		if err != nil {
			return err
		}
	}
	return s.send(ctx, id, content{
		automatic: true, mailbox: mb, body: body, names: names([]person{req}), inboundID: p.InboundID,
	})
}

// sender returns the mailbox a ticket's mail goes out from. With none, it
// records that on the ticket and returns id 0: the caller sends nothing.
func (s *Service) sender(ctx context.Context, t ticketInfo) (int64, mailboxInfo, error) {
	id := s.mailboxFor(t)
	if id == 0 {
		return 0, mailboxInfo{}, s.noMailbox(ctx, t)
	}
	mb, err := s.loadMailbox(ctx, id)
	return id, mb, err
}

// noMailbox records on the ticket that its mail cannot be sent.
func (s *Service) noMailbox(ctx context.Context, t ticketInfo) error {
	s.log.WarnContext(ctx, "mail not sent: no mailbox", "ticket", t.id)
	return s.ev.SystemEvent(ctx, t.id, EventEmailFailed, "mailbox", "", "",
		"the ticket has no mailbox to send from and no default mailbox is set")
}

// comment is what a reply needs of a comment.
type comment struct {
	id, ticketID     int64
	body, authorType string
	agentName        string
	public           bool
}

func (s *Service) loadComment(ctx context.Context, id int64) (comment, error) {
	c := comment{id: id}
	err := s.db.R.QueryRowContext(ctx, `
		SELECT m.ticket_id, m.body, m.public, m.author_type, COALESCE(a.name, '')
		FROM comments m LEFT JOIN agents a ON a.id = m.author_agent_id WHERE m.id = $1`, id,
	).Scan(&c.ticketID, &c.body, &c.public, &c.authorType, &c.agentName)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("comment %d not found", id)
	}
	if err != nil {
		return c, fmt.Errorf("load comment %d: %w", id, err)
	}
	return c, nil
}

func (s *Service) attachments(ctx context.Context, commentID int64) ([]file, error) {
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT filename, content_type, sha256 FROM attachments WHERE comment_id = $1 ORDER BY id`, commentID)
	if err != nil {
		return nil, fmt.Errorf("attachments of comment %d: %w", commentID, err)
	}
	defer rows.Close()
	var out []file
	for rows.Next() {
		var f file
		if err := rows.Scan(&f.name, &f.contentType, &f.sha256); err != nil {
			return nil, fmt.Errorf("attachments of comment %d: %w", commentID, err)
		}
		if len(f.sha256) < 4 {
			return nil, fmt.Errorf("attachment %q of comment %d: bad sha256 %q", f.name, commentID, f.sha256)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func names(people []person) map[string]string {
	m := make(map[string]string, len(people))
	for _, p := range people {
		m[normAddress(p.email)] = p.name
	}
	return m
}

// signature is how a notification is signed: the mailbox's name.
func (m mailboxInfo) signature() string {
	if m.name != "" {
		return m.name
	}
	return m.address
}
