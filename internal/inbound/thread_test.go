package inbound_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/ticket"
)

func systemPrincipal() auth.Principal { return auth.System() }

func TestNewTicketFromMail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := f.deliver(f.msg(`"Anna Bērziņa" <Anna@Client.example>`, "Printer on floor 3 is jammed", "It shows error E-203.",
			"Cc: Boss <boss@client.example>, Support <support@help.example>"))
		tk := f.ticketOf(id)
		if tk.Channel != ticket.ChannelEmail || tk.Requester.Email != "anna@client.example" || tk.Requester.Name != "Anna Bērziņa" ||
			tk.Subject != "Printer on floor 3 is jammed" || tk.MailboxID == nil || *tk.MailboxID != f.box {
			t.Errorf("ticket %+v", tk)
		}
		if len(tk.Participants) != 1 {
			t.Errorf("participants %v, want the Cc'd boss only", tk.Participants)
		}
		cs := f.comments(tk.ID)
		if len(cs) != 1 || cs[0].AuthorType != "contact" || !strings.Contains(cs[0].Body, "E-203") || cs[0].Reason == "" ||
			cs[0].InboundID == nil || *cs[0].InboundID != id {
			t.Errorf("comments %+v", cs)
		}
		if f.jobsOf(ticket.JobEmailNotify) != 1 {
			t.Errorf("%d received notifications queued, want 1", f.jobsOf(ticket.JobEmailNotify))
		}
		// Processing again (a job run twice after a crash) changes nothing.
		if err := f.proc.Process(context.Background(), id, false); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT count(*) FROM tickets`); n != 1 {
			t.Errorf("%d tickets after processing twice", n)
		}
	})
}

func TestThreading(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := f.deliver(f.msg("anna@client.example", "VPN drops", "Every hour.", "Message-ID: <root@client.example>"))
		tk := f.ticketOf(first)
		second := f.deliver(f.msg("anna@client.example", "Re: VPN drops", "Still.", "Message-ID: <second@client.example>",
			"In-Reply-To: <root@client.example>"))

		cases := []struct {
			name, raw string
			same      bool
			reason    string
		}{
			{"only In-Reply-To", f.msg("anna@client.example", "x", "a", "In-Reply-To: <second@client.example>"), true, "In-Reply-To"},
			{"only one reference", f.msg("anna@client.example", "x", "b", "References: <root@client.example>"), true, "References"},
			{"our id in the middle of References", f.msg("anna@client.example", "x", "c",
				"References: <elsewhere@x.example> <root@client.example> <unknown@y.example>"), true, "References"},
			{"Outlook reply without threading headers", f.msg("anna@client.example", "AW: [#1001] VPN drops", "d"), true, "#1001"},
			{"Russian prefix", f.msg("anna@client.example", "Отв: [#1001] VPN drops", "e"), true, "#1001"},
			{"stranger using the ticket's token", f.msg("mallory@evil.example", "Re: [#1001] VPN drops", "f"), false, "not a participant"},
			{"empty Message-ID references match nothing", f.msg("other@client.example", "New thing", "g", "Message-ID: <>", "In-Reply-To: <>"), false, "new ticket"},
		}
		for _, c := range cases {
			id := f.deliver(c.raw)
			_, reason, tid := f.inboundState(id)
			if (tid == tk.ID) != c.same || !strings.Contains(reason, c.reason) {
				t.Errorf("%s: ticket %d (first is %d), reason %q, want same=%v and %q", c.name, tid, tk.ID, reason, c.same, c.reason)
			}
		}
		if _, _, tid := f.inboundState(second); tid != tk.ID {
			t.Error("reply with In-Reply-To opened a new ticket")
		}
		stranger := f.ticketOf(f.deliver(f.msg("mallory@evil.example", "[#1001] give me access", "h")))
		if stranger.Flag == "" {
			t.Error("a stranger's use of a ticket token is not flagged")
		}
	})
}

func TestReplyToSolvedAndClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tk := f.ticketOf(f.deliver(f.msg("anna@client.example", "Broken mouse", "a", "Message-ID: <mouse@client.example>")))
		setStatus := func(s ticket.Status) {
			cur, _ := f.tickets.FindTicket(ctx, systemPrincipal(), tk.ID)
			if _, err := f.tickets.UpdateTicket(ctx, systemPrincipal(), tk.ID, ticket.Update{Version: cur.Version, Status: &s}); err != nil {
				t.Fatal(err)
			}
		}
		setStatus(ticket.StatusSolved)
		f.deliver(f.msg("anna@client.example", "Re: Broken mouse", "Not fixed", "In-Reply-To: <mouse@client.example>"))
		if got, _ := f.tickets.FindTicket(ctx, systemPrincipal(), tk.ID); got.Status != ticket.StatusOpen {
			t.Errorf("reply to solved left status %s", got.Status)
		}
		setStatus(ticket.StatusSolved)
		setStatus(ticket.StatusClosed)
		up := f.ticketOf(f.deliver(f.msg("anna@client.example", "Re: Broken mouse", "Again", "In-Reply-To: <mouse@client.example>")))
		if up.ID == tk.ID || up.FollowUpOf == nil || *up.FollowUpOf != tk.ID {
			t.Fatalf("reply to closed: ticket %d follow_up_of %v", up.ID, up.FollowUpOf)
		}
		again := f.deliver(f.msg("anna@client.example", "Re: Broken mouse", "And again", "References: <mouse@client.example>"))
		if _, _, tid := f.inboundState(again); tid != up.ID {
			t.Errorf("a second reply to the closed ticket went to %d, want its follow-up %d", tid, up.ID)
		}
	})
}

func TestInlineImagesAndAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		raw := strings.Join([]string{
			"From: anna@client.example", "To: support@help.example", "Subject: Screenshot", "Message-ID: <shot@client.example>",
			"MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="M"`, "",
			"--M", `Content-Type: multipart/related; boundary="R"`, "",
			"--R", "Content-Type: text/html; charset=utf-8", "",
			`<p>See <img src="cid:img1@client.example"> <script>alert(1)</script></p>`,
			"--R", "Content-Type: image/png", "Content-ID: <img1@client.example>", "Content-Transfer-Encoding: base64", "",
			"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==",
			"--R--",
			"--M", `Content-Type: application/pdf; name*=UTF-8''%D1%81%D1%87%D1%91%D1%82.pdf`,
			`Content-Disposition: attachment; filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82.pdf`, "", "%PDF-1.4",
			"--M--", ""}, "\r\n")
		tk := f.ticketOf(f.deliver(raw))
		c := f.comments(tk.ID)[0]
		if len(c.Attachments) != 2 {
			t.Fatalf("attachments %+v", c.Attachments)
		}
		var names []string
		for _, a := range c.Attachments {
			names = append(names, a.Filename)
		}
		if !strings.Contains(strings.Join(names, ","), "счёт.pdf") {
			t.Errorf("file names %v", names)
		}
		if strings.Contains(c.HTML, "cid:") || !strings.Contains(c.HTML, "/api/v1/attachments/") || strings.Contains(c.HTML, "<script") {
			t.Errorf("html %q", c.HTML)
		}
	})
}

func TestQuotedHistoryIsFoldedNotDeleted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, c := range []struct{ name, body, own string }{
			{"English", "Still broken.\r\n\r\nOn Sun, 22 Nov 2026 at 10:00, Support <support@help.example> wrote:\r\n> Please restart it.", "Still broken."},
			{"Russian", "Не помогло.\r\n\r\n22.11.2026 10:00, Support пишет:\r\n> Перезагрузите.", "Не помогло."},
			{"Latvian", "Nepalīdzēja.\r\n\r\n2026. gada 22. nov. 10:00 Support rakstīja:\r\n> Pārstartējiet.", "Nepalīdzēja."},
			{"Outlook", "Thanks!\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Sunday\r\nSubject: x\r\n\r\nOld text", "Thanks!"},
		} {
			tk := f.ticketOf(f.deliver(f.msg("anna@client.example", c.name, c.body)))
			cm := f.comments(tk.ID)[0]
			if cm.BodyVisible != c.own || !strings.Contains(cm.Body, "10:00") && c.name != "Outlook" || !strings.HasPrefix(cm.Body, c.own) {
				t.Errorf("%s: visible %q, body %q", c.name, cm.BodyVisible, cm.Body)
			}
		}
	})
}

func TestReplyToMergedTicketGoesToTheSurvivor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		src := f.ticketOf(f.deliver(f.msg("anna@client.example", "Printer jammed", "a")))
		dst := f.ticketOf(f.deliver(f.msg("anna@client.example", "Printer still jammed", "b")))
		if _, err := f.tickets.Merge(ctx, systemPrincipal(), src.ID, dst.ID); err != nil {
			t.Fatal(err)
		}
		// The subject names the merged ticket's number; nothing else ties
		// the message to a conversation.
		id := f.deliver(f.msg("anna@client.example", "Re: ["+ticket.Number(src.Number)+"] Printer jammed", "Any news?"))
		_, _, got := f.inboundState(id)
		if got != dst.ID {
			t.Fatalf("reply to merged %s went to ticket %d, want the survivor %d", ticket.Number(src.Number), got, dst.ID)
		}
		cs := f.comments(dst.ID)
		last := cs[len(cs)-1]
		if !strings.Contains(last.Reason, "merged into "+ticket.Number(dst.Number)) {
			t.Errorf("reason %q does not say the ticket was merged", last.Reason)
		}
	})
}
