package inbound_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func TestLoopsAndAutomaticMail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tk := f.ticketOf(f.deliver(f.msg("anna@client.example", "Laptop slow", "a", "Message-ID: <slow@client.example>")))
		notifications := f.jobsOf(ticket.JobEmailNotify)

		// Each loop header: the message is kept, but never answered and
		// never changes the ticket's status.
		solved := ticket.StatusSolved
		cur, _ := f.tickets.FindTicket(ctx, systemPrincipal(), tk.ID)
		f.tickets.UpdateTicket(ctx, systemPrincipal(), tk.ID, ticket.Update{Version: cur.Version, Status: &solved})
		for _, h := range []string{"Auto-Submitted: auto-replied", "Precedence: bulk", "Precedence: junk", "Precedence: list",
			"List-Id: <staff.client.example>", "X-Autoreply: yes", "X-Autorespond: yes", "X-Auto-Response-Suppress: All", "Return-Path: <>"} {
			f.deliver(f.msg("anna@client.example", "Out of office: Re: [#1001] Laptop slow", "I am away", h,
				"In-Reply-To: <slow@client.example>"))
			if got, _ := f.tickets.FindTicket(ctx, systemPrincipal(), tk.ID); got.Status != ticket.StatusSolved {
				t.Errorf("%s reopened the ticket", h)
			}
		}
		f.deliver(f.msg("robot@monitor.example", "Disk full on srv1", "95%", "Auto-Submitted: auto-generated"))
		if got := f.jobsOf(ticket.JobEmailNotify); got != notifications+1 { // +1: solving notified the requester
			t.Errorf("automatic mail queued notifications: %d → %d", notifications, got)
		}
	})
}

func TestOwnMailComesBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticketOf(f.deliver(f.msg("anna@client.example", "Phone broken", "a")))
		dbtest.Exec(t, d.W, `INSERT INTO message_ids (message_id, ticket_id, direction, created_at) VALUES ('linedesk.1.out@help.example', $1, 'out', $2)`, tk.ID, db.Now())
		for _, raw := range []string{
			f.msg("Support <support@help.example>", "[#1001] Phone broken", "our own reply, looped back"),
			f.msg("relay@client.example", "[#1001] Phone broken", "resent", "Message-ID: <linedesk.1.out@help.example>"),
		} {
			id := f.deliver(raw)
			state, reason, tid := f.inboundState(id)
			if state != "processed" || tid != 0 || !strings.Contains(reason, "own") {
				t.Errorf("own mail: state %s ticket %d reason %q", state, tid, reason)
			}
		}
		if n := len(f.comments(tk.ID)); n != 1 {
			t.Errorf("own mail added comments: %d", n)
		}
	})
}

func TestBounce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticketOf(f.deliver(f.msg("anna@client.example", "Scanner", "a")))
		dbtest.Exec(t, d.W, `INSERT INTO message_ids (message_id, ticket_id, direction, created_at) VALUES ('reply.7@help.example', $1, 'out', $2)`, tk.ID, db.Now())
		bounce := strings.Join([]string{
			"From: Mail Delivery System <MAILER-DAEMON@mx.client.example>", "To: support@help.example",
			"Subject: Undelivered Mail Returned to Sender", "Message-ID: <bounce1@mx.client.example>", "Auto-Submitted: auto-replied",
			"MIME-Version: 1.0", `Content-Type: multipart/report; report-type=delivery-status; boundary="B"`, "",
			"--B", "Content-Type: text/plain", "", "Your message could not be delivered.", "",
			"--B", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.client.example", "",
			"Final-Recipient: rfc822; anna@client.example", "Action: failed", "Status: 5.1.1", "",
			"--B", "Content-Type: text/rfc822-headers", "", "Message-ID: <reply.7@help.example>", "Subject: [#1001] Scanner", "",
			"--B--", ""}, "\r\n")
		id := f.deliver(bounce)
		state, _, tid := f.inboundState(id)
		if state != "processed" || tid != tk.ID {
			t.Fatalf("bounce: state %s ticket %d", state, tid)
		}
		got, _ := f.tickets.FindTicket(context.Background(), systemPrincipal(), tk.ID)
		if got.Status != tk.Status {
			t.Errorf("bounce changed status %s → %s", tk.Status, got.Status)
		}
		cs := f.comments(tk.ID)
		last := cs[len(cs)-1]
		if last.Public || last.AuthorType != "system" {
			t.Errorf("bounce comment %+v, want an internal system note", last)
		}
		if f.count(`SELECT count(*) FROM contacts WHERE bouncing`) != 1 {
			t.Error("the address is not marked bouncing")
		}
	})
}

func TestBlockedAndMalformed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.deliver(f.msg("spammer@junk.example", "Hello", "first"))
		dbtest.Exec(t, d.W, `UPDATE contacts SET blocked = TRUE, blocked_reason = 'spam' WHERE id IN
			(SELECT contact_id FROM contact_emails WHERE email = 'spammer@junk.example')`)
		dbtest.Exec(t, d.W, `INSERT INTO blocked_domains (domain, reason, created_at) VALUES ('evil.example', 'abuse', $1)`, db.Now())
		before := f.count(`SELECT count(*) FROM tickets`)
		for _, raw := range []string{f.msg("spammer@junk.example", "Buy", "x"), f.msg("anyone@evil.example", "Hi", "y")} {
			id := f.deliver(raw)
			if state, reason, _ := f.inboundState(id); state != "quarantined" || !strings.Contains(reason, "blocked") {
				t.Errorf("blocked sender: %s %q", state, reason)
			}
		}
		if f.count(`SELECT count(*) FROM tickets`) != before || f.jobsOf(ticket.JobEmailNotify) != 1 {
			t.Error("a blocked sender's mail made a ticket or a notification")
		}
		// One malformed message between two good ones.
		good1 := f.deliver(f.msg("a@client.example", "One", "1"))
		bad := f.deliver("From: broken@client.example\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n" + strings.Repeat("\x00\xff", 10) + "\r\n")
		good2 := f.deliver(f.msg("b@client.example", "Two", "2"))
		for _, id := range []int64{good1, good2} {
			if state, _, _ := f.inboundState(id); state != "processed" {
				t.Errorf("good message %d: %s", id, state)
			}
		}
		state, _, _ := f.inboundState(bad)
		if state != "quarantined" && state != "processed" {
			t.Errorf("malformed message: %s (kept either as a ticket or quarantined, never dropped)", state)
		}
		// An administrator releases a quarantined message: it is processed.
		blockedID := f.deliver(f.msg("anyone@evil.example", "Please", "z"))
		if err := f.proc.Process(ctx, blockedID, true); err != nil {
			t.Fatal(err)
		}
		if state, _, tid := f.inboundState(blockedID); state != "processed" || tid == 0 {
			t.Errorf("released message: %s ticket %d", state, tid)
		}
	})
}
