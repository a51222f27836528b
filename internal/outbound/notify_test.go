package outbound

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestNotificationsInTheContactsLanguage(t *testing.T) {
	cases := []struct {
		contactLang, mailboxLang string
		received, solved         []string // phrases each mail must contain
	}{
		{"en", "en",
			[]string{"Hello Kate,", "registered it as ticket #%d", "https://desk.example/portal"},
			[]string{"ticket #%d", "marked as solved", "reply to this e-mail and the ticket will be reopened"}},
		{"ru", "en",
			[]string{"Здравствуйте, Kate!", "зарегистрировали его под номером #%d", "клиентском портале"},
			[]string{"обращение #%d", "отмечено как решённое", "ответьте на это письмо — обращение будет открыто снова"}},
		{"lv", "en",
			[]string{"Labdien, Kate!", "reģistrējuši to ar numuru #%d", "klientu portālā"},
			[]string{"pieteikums #%d", "atzīmēts kā atrisināts", "atbildiet uz šo e-pastu, un pieteikums tiks atvērts atkārtoti"}},
		{"de", "lv", // no German: the mailbox's language
			[]string{"Labdien, Kate!", "#%d"}, []string{"atzīmēts kā atrisināts"}},
		{"", "fr", // neither: English
			[]string{"Hello Kate,", "#%d"}, []string{"marked as solved"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i, c := range cases {
			number := int64(2000 + i)
			f.exec(`UPDATE mailboxes SET default_language = $1 WHERE id = $2`, c.mailboxLang, f.mailbox)
			addr := fmt.Sprintf("kate%d@client.example", i)
			tk := f.ticket(number, "VPN does not connect", f.contact("Kate", addr, c.contactLang))
			if err := f.notify(int64(100+i), NotifyPayload{TicketID: tk, Kind: NotifyReceived}); err != nil {
				t.Fatalf("%s: received: %v", c.contactLang, err)
			}
			f.exec(`UPDATE tickets SET status = 'solved' WHERE id = $1`, tk)
			if err := f.notify(int64(200+i), NotifyPayload{TicketID: tk, Kind: NotifySolved}); err != nil {
				t.Fatalf("%s: solved: %v", c.contactLang, err)
			}
			msgs := f.sink.messages()
			if len(msgs) != 2*(i+1) {
				t.Fatalf("%s: %d messages so far, want %d", c.contactLang, len(msgs), 2*(i+1))
			}
			for k, want := range [][]string{c.received, c.solved} {
				p := parse(t, msgs[len(msgs)-2+k].raw)
				if got := p.header.Get("Auto-Submitted"); got != "auto-generated" {
					t.Errorf("%s: Auto-Submitted = %q", c.contactLang, got)
				}
				if got := p.header.Get("X-Auto-Response-Suppress"); got != "All" {
					t.Errorf("%s: X-Auto-Response-Suppress = %q", c.contactLang, got)
				}
				if wantSubj := fmt.Sprintf("[#%d] VPN does not connect", number); p.subject != wantSubj {
					t.Errorf("%s: subject %q, want %q", c.contactLang, p.subject, wantSubj)
				}
				for _, phrase := range want {
					if strings.Contains(phrase, "%d") {
						phrase = fmt.Sprintf(phrase, number)
					}
					if !strings.Contains(strings.ReplaceAll(p.text, "\r\n", "\n"), phrase) {
						t.Errorf("%s: mail lacks %q:\n%s", c.contactLang, phrase, p.text)
					}
				}
			}
		}
	})
}

func TestNotificationThreadsAndIsSentOncePerInboundMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticket(3000, "Broken", f.contact("Ivan", ivan, "en"))
		inbound := f.insert(`INSERT INTO inbound_messages (mailbox_id, source, message_id, content_key, raw_sha256, size, state, ticket_id, received_at)
			VALUES ($1, 'imap', '<orig@client.example>', 'k1', 'sha', 10, 'done', $2, $3) RETURNING id`, f.mailbox, tk, db.Now())
		f.messageID(tk, "orig@client.example", "in", time.Now())
		for _, jobID := range []int64{1, 2, 2} { // a duplicate job, and a rerun of it
			if err := f.notify(jobID, NotifyPayload{TicketID: tk, Kind: NotifyReceived, InboundID: inbound}); err != nil {
				t.Fatal(err)
			}
		}
		msgs := f.sink.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		p := parse(t, msgs[0].raw)
		if got := p.header.Get("In-Reply-To"); got != "<orig@client.example>" {
			t.Errorf("In-Reply-To = %q", got)
		}
		wantID := fmt.Sprintf("<linedesk.3000.i%d.received@desk.example>", inbound)
		if got := p.header.Get("Message-ID"); got != wantID {
			t.Errorf("Message-ID = %q, want %q", got, wantID)
		}
	})
}

func TestRateLimitOfAutomaticMail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const addr = "robot@client.example"
		tk := f.ticket(4000, "Auto reply storm", f.contact("Robot", addr, "en"))
		for i := int64(1); i <= 6; i++ {
			if err := f.notify(i, NotifyPayload{TicketID: tk, Kind: NotifyReceived}); err != nil {
				t.Fatalf("notification %d: %v", i, err)
			}
		}
		if got := f.sink.copies(addr); got != 5 {
			t.Errorf("%d automatic mails in an hour, want 5", got)
		}
		mid := messageID(4000, "j6", NotifyReceived, "desk.example")
		if st, why := f.recipientState(mid, addr); st != stateSkipped || !strings.Contains(why, "rate limit") {
			t.Errorf("6th mail recorded as %q %q, want skipped by the rate limit", st, why)
		}
		if st := f.emailState(mid); st != stateSkipped {
			t.Errorf("6th mail state %q, want skipped", st)
		}
		if err := f.notify(6, NotifyPayload{TicketID: tk, Kind: NotifyReceived}); err != nil || f.sink.copies(addr) != 5 {
			t.Errorf("rerun of the 6th: %v, %d copies", err, f.sink.copies(addr))
		}

		// An agent's reply is not automatic and not limited.
		if err := f.reply(f.comment(tk, "A person answers", true)); err != nil {
			t.Fatal(err)
		}
		if got := f.sink.copies(addr); got != 6 {
			t.Errorf("agent's reply not delivered past the limit: %d copies", got)
		}

		// Mail older than an hour does not count.
		const quiet = "quiet@client.example"
		tk2 := f.ticket(4001, "Old", f.contact("Quiet", quiet, "en"))
		for range 5 {
			f.exec(`INSERT INTO auto_mail_log (address, sent_at) VALUES ($1, $2)`, quiet, db.Now().Add(-2*time.Hour))
		}
		if err := f.notify(7, NotifyPayload{TicketID: tk2, Kind: NotifyReceived}); err != nil {
			t.Fatal(err)
		}
		if got := f.sink.copies(quiet); got != 1 {
			t.Errorf("%d copies to an address quiet for an hour, want 1", got)
		}
	})
}

func TestNotificationsNeverToOwnOrBouncingAddresses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		own := f.ticket(5000, "From ourselves", f.contact("Us", mailboxAddr, "en"))
		other := f.ticket(5001, "From our other mailbox", f.contact("Help", otherOwn, "en"))
		b := f.contact("Gone", "gone@client.example", "en")
		f.exec(`UPDATE contacts SET bouncing = TRUE WHERE id = $1`, b)
		bounced := f.ticket(5002, "Bounces", b)
		for i, tk := range []int64{own, other, bounced} {
			if err := f.notify(int64(i+1), NotifyPayload{TicketID: tk, Kind: NotifyReceived}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(f.sink.messages()); n != 0 {
			t.Errorf("%d automatic mails sent to own or bouncing addresses", n)
		}
		var n int
		if err := d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM auto_mail_log`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rate limit counted %d unsent mails (%v)", n, err)
		}
	})
}

func TestSolvedNotificationSkippedWhenReopened(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticket(6000, "Back again", f.contact("Ivan", ivan, "en"))
		if err := f.notify(1, NotifyPayload{TicketID: tk, Kind: NotifySolved}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.sink.messages()); n != 0 {
			t.Errorf("told an open ticket's requester it is solved")
		}
		if err := f.notify(2, NotifyPayload{TicketID: tk, Kind: "bogus"}); err == nil {
			t.Errorf("unknown kind accepted")
		}
	})
}

func TestNoMailbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticket(7000, "Web form", f.contact("Ivan", ivan, "en"))
		f.exec(`UPDATE tickets SET mailbox_id = NULL WHERE id = $1`, tk)
		if err := f.reply(f.comment(tk, "Answer", true)); err != nil {
			t.Fatal(err)
		}
		if ev := f.ev.events(); len(ev) != 1 || ev[0].kind != EventEmailFailed || ev[0].field != "mailbox" {
			t.Errorf("events %v, want one email_failed about the mailbox", ev)
		}
		f.svc.cfg.DefaultMailboxID = f.mailbox
		if err := f.reply(f.comment(tk, "Second answer", true)); err != nil {
			t.Fatal(err)
		}
		if got := f.sink.copies(ivan); got != 1 {
			t.Errorf("%d copies through the default mailbox, want 1", got)
		}
	})
}
