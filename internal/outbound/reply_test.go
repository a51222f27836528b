package outbound

import (
	"context"
	"database/sql"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
)

const (
	ivan = "ivan@client.example"
	liga = "liga@client.example"
)

// replyTicket is ticket #1042 from Ivan (Russian) with Līga copied, a
// thread of two inbound messages and an earlier reply, and a new public
// reply with an attachment.
func replyTicket(f *fixture) (ticketID, commentID int64) {
	req := f.contact("Иван Петров", ivan, "ru")
	cc := f.contact("Līga Ozola", liga, "lv")
	ticketID = f.ticket(1042, "Printer is broken", req)
	f.participant(ticketID, cc)
	now := time.Now()
	f.messageID(ticketID, "first@client.example", "in", now.Add(-3*time.Hour))
	f.messageID(ticketID, "linedesk.1042.c900.reply@desk.example", "out", now.Add(-2*time.Hour))
	f.messageID(ticketID, "second@client.example", "in", now.Add(-time.Hour))
	commentID = f.comment(ticketID, "Please restart the printer.\nIt should print again.", true)
	f.attach(ticketID, commentID, "invoice.pdf", "application/pdf", "%PDF-1.4 test invoice")
	return ticketID, commentID
}

func TestReplyDelivered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ticketID, commentID := replyTicket(f)
		if err := f.reply(commentID); err != nil {
			t.Fatalf("reply: %v", err)
		}
		msgs := f.sink.messages()
		if len(msgs) != 1 {
			t.Fatalf("got %d messages, want one transaction for both recipients", len(msgs))
		}
		m := msgs[0]
		if m.from != mailboxAddr || !slices.Equal(m.to, []string{ivan, liga}) {
			t.Errorf("envelope from %q to %v, want %q to [%s %s]", m.from, m.to, mailboxAddr, ivan, liga)
		}
		p := parse(t, m.raw)
		wantID := fmt.Sprintf("linedesk.1042.c%d.reply@desk.example", commentID)
		checks := []struct{ header, want string }{
			{"Message-ID", "<" + wantID + ">"},
			{"In-Reply-To", "<second@client.example>"},
			{"References", "<first@client.example> <linedesk.1042.c900.reply@desk.example> <second@client.example>"},
			{"Auto-Submitted", ""},
		}
		for _, c := range checks {
			if got := unfold(p.header.Get(c.header)); got != c.want {
				t.Errorf("%s = %q, want %q", c.header, got, c.want)
			}
		}
		if p.subject != "[#1042] Printer is broken" {
			t.Errorf("subject %q", p.subject)
		}
		from, err := p.header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "Anna Bērziņa via Support" || from[0].Address != mailboxAddr {
			t.Errorf("From = %v (%v), want \"Anna Bērziņa via Support\" <%s>", from, err, mailboxAddr)
		}
		if to, _ := p.header.AddressList("To"); len(to) != 1 || to[0].Address != ivan || to[0].Name != "Иван Петров" {
			t.Errorf("To = %v, want Иван Петров <%s>", to, ivan)
		}
		if cc, _ := p.header.AddressList("Cc"); len(cc) != 1 || cc[0].Address != liga {
			t.Errorf("Cc = %v, want %s", cc, liga)
		}
		if !strings.Contains(p.text, "Please restart the printer.\r\nIt should print again.") &&
			!strings.Contains(p.text, "Please restart the printer.\nIt should print again.") {
			t.Errorf("body lacks the comment:\n%s", p.text)
		}
		if !strings.Contains(p.text, "Обращение #1042") {
			t.Errorf("body lacks the footer in the requester's language:\n%s", p.text)
		}
		if got := p.files["invoice.pdf"]; got != "%PDF-1.4 test invoice" {
			t.Errorf("attachment invoice.pdf = %q", got)
		}
		var dir string
		var cid int64
		err = d.R.QueryRowContext(context.Background(),
			`SELECT direction, comment_id FROM message_ids WHERE message_id = $1 AND ticket_id = $2`, wantID, ticketID).Scan(&dir, &cid)
		if err != nil || dir != "out" || cid != commentID {
			t.Errorf("message_ids row: direction %q comment %d (%v), want out %d", dir, cid, err, commentID)
		}
		if st := f.emailState(wantID); st != stateSent {
			t.Errorf("mail state %q, want sent", st)
		}
	})
}

// unfold joins a folded header's lines as a reader does.
func unfold(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestReplyOnlyForAgentsPublicComments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		req := f.contact("Ivan", ivan, "en")
		tk := f.ticket(1050, "Question", req)
		note := f.comment(tk, "internal note", false)
		customer := f.insert(`INSERT INTO comments (ticket_id, author_type, author_contact_id, body, public, channel, created_at)
			VALUES ($1, 'contact', $2, 'hello', TRUE, 'email', $3) RETURNING id`, tk, req, db.Now())
		for _, id := range []int64{note, customer, 999999} {
			if err := f.reply(id); err != nil {
				t.Errorf("reply %d: %v", id, err)
			}
		}
		if n := len(f.sink.messages()); n != 0 {
			t.Errorf("%d messages sent for an internal note, a customer's comment and a missing comment", n)
		}
	})
}

func TestTemporaryFailureRetried(t *testing.T) {
	cases := []struct {
		name   string
		refuse func(s *sink)
		first  map[string]int // copies after the failed attempt
	}{
		{"421 to one RCPT", func(s *sink) { s.refuseRcpt(liga, 421, "try again later") }, map[string]int{ivan: 1, liga: 0}},
		{"421 after DATA", func(s *sink) { s.refuseData(421, "closing, try again later") }, map[string]int{ivan: 0, liga: 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				f := newFixture(t, d)
				_, commentID := replyTicket(f)
				mid := fmt.Sprintf("linedesk.1042.c%d.reply@desk.example", commentID)
				c.refuse(f.sink)
				if err := f.reply(commentID); err == nil {
					t.Fatal("first attempt succeeded; want an error so the job is retried")
				}
				for addr, want := range c.first {
					if got := f.sink.copies(addr); got != want {
						t.Errorf("after the failed attempt %s has %d copies, want %d", addr, got, want)
					}
				}
				if st := f.emailState(mid); st != statePending {
					t.Errorf("mail state %q after a temporary failure, want pending", st)
				}
				for range 2 { // the retry, then a duplicate run of the job
					if err := f.reply(commentID); err != nil {
						t.Fatalf("retry: %v", err)
					}
				}
				for _, addr := range []string{ivan, liga} {
					if got := f.sink.copies(addr); got != 1 {
						t.Errorf("%s has %d copies, want exactly 1", addr, got)
					}
				}
				if st := f.emailState(mid); st != stateSent {
					t.Errorf("mail state %q, want sent", st)
				}
				if ev := f.ev.events(); len(ev) != 0 {
					t.Errorf("temporary failure wrote events %v", ev)
				}
			})
		})
	}
}

func TestPermanentFailureOfOneRecipient(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ticketID, commentID := replyTicket(f)
		mid := fmt.Sprintf("linedesk.1042.c%d.reply@desk.example", commentID)
		f.sink.refuseRcpt(liga, 550, "no such user")
		if err := f.reply(commentID); err != nil {
			t.Fatalf("reply: %v; a refused recipient must not fail the job", err)
		}
		if got := f.sink.copies(ivan); got != 1 {
			t.Errorf("%s has %d copies, want 1", ivan, got)
		}
		if got := f.sink.copies(liga); got != 0 {
			t.Errorf("%s has %d copies, want 0", liga, got)
		}
		if st, text := f.recipientState(mid, liga); st != stateFailed || !strings.Contains(text, "550") || !strings.Contains(text, "no such user") {
			t.Errorf("%s recorded as %q %q, want failed with the server's reply", liga, st, text)
		}
		if st, _ := f.recipientState(mid, ivan); st != stateSent {
			t.Errorf("%s recorded as %q, want sent", ivan, st)
		}
		if st := f.emailState(mid); st != statePartial {
			t.Errorf("mail state %q, want partial", st)
		}
		want := []event{{ticketID, EventEmailFailed, "recipient", "", liga, "550 5.0.0 no such user"}}
		if got := f.ev.events(); !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		if err := f.reply(commentID); err != nil {
			t.Fatal(err)
		}
		if len(f.sink.messages()) != 1 || len(f.ev.events()) != 1 {
			t.Errorf("a second run sent or recorded more: %d messages, %d events", len(f.sink.messages()), len(f.ev.events()))
		}
	})
}

func TestRefusedData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, commentID := replyTicket(f)
		mid := fmt.Sprintf("linedesk.1042.c%d.reply@desk.example", commentID)
		f.sink.refuseData(554, "message rejected as spam")
		if err := f.reply(commentID); err != nil {
			t.Fatalf("reply: %v", err)
		}
		if st := f.emailState(mid); st != stateFailed {
			t.Errorf("mail state %q, want failed", st)
		}
		if n := len(f.ev.events()); n != 2 {
			t.Errorf("%d events, want one per recipient", n)
		}
	})
}

func TestRepliesNeverGoToOwnOrBouncingAddresses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		own := f.contact("Another mailbox", otherOwn, "en")
		cc := f.contact("Līga", liga, "lv")
		bouncing := f.contact("Gone", "gone@client.example", "en")
		f.exec(`UPDATE contacts SET bouncing = TRUE WHERE id = $1`, bouncing)
		tk := f.ticket(1060, "Loop?", own)
		f.participant(tk, cc)
		f.participant(tk, bouncing)
		cm := f.comment(tk, "Answer", true)
		if err := f.reply(cm); err != nil {
			t.Fatal(err)
		}
		msgs := f.sink.messages()
		if len(msgs) != 1 || !slices.Equal(msgs[0].to, []string{liga}) {
			t.Fatalf("sent %v, want one message to %s only", msgs, liga)
		}
		mid := MessageID(1060, cm, "reply", "desk.example")
		if st, why := f.recipientState(mid, otherOwn); st != stateSkipped || !strings.Contains(why, "own address") {
			t.Errorf("own address recorded as %q %q, want skipped", st, why)
		}
		if st, _ := f.recipientState(mid, "gone@client.example"); st != stateSkipped {
			t.Errorf("bouncing contact recorded as %q, want skipped", st)
		}
		if h := parse(t, msgs[0].raw).header; strings.Contains(h.Get("To")+h.Get("Cc"), otherOwn) {
			t.Errorf("own address in the headers: To %q Cc %q", h.Get("To"), h.Get("Cc"))
		}
	})
}

func TestTLS(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			f := newFixture(t, dbtest.SQLite(t))
			s, roots := startSink(t, mode)
			f.mb.set(f.mailbox, f.smtpFor(s, mode))
			_, commentID := replyTicket(f)
			if err := f.reply(commentID); err == nil {
				t.Fatal("sent to a server whose certificate is not trusted")
			}
			f.svc.tls.roots = roots
			if err := f.reply(commentID); err != nil {
				t.Fatalf("reply over %s: %v", mode, err)
			}
			if got := s.copies(ivan); got != 1 {
				t.Errorf("%d copies over %s, want 1", got, mode)
			}
		})
	}
}

// TestQueueRetries runs the handler through a real queue: a 421 fails
// the first attempt, the queue retries with backoff, and the requester
// gets one copy.
func TestQueueRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		q := job.NewQueueWith(d, nil, job.Config{PollInterval: 20 * time.Millisecond,
			BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
		svc := NewService(d, q, f.mb, f.ev, nil, Config{Hostname: "desk.example", DataDir: f.dataDir})
		svc.Register()
		_, commentID := replyTicket(f)
		f.sink.refuseRcpt(ivan, 421, "greylisted")
		ctx, cancel := context.WithCancel(context.Background())
		var jobID int64
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			jobID, err = q.Enqueue(ctx, tx, KindReply, ReplyPayload{CommentID: commentID})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- q.Run(ctx, 2) }()
		defer func() {
			cancel()
			<-done
		}()
		var j job.Job
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if j, err = q.Find(ctx, jobID); err != nil {
				t.Fatal(err)
			}
			if j.State == job.Done || j.State == job.Dead {
				break
			}
		}
		if j.State != job.Done || j.Attempts != 2 {
			t.Fatalf("job %s after %d attempts (%s), want done after 2", j.State, j.Attempts, j.LastError)
		}
		if got := f.sink.copies(ivan) + f.sink.copies(liga); got != 2 {
			t.Errorf("%d copies in all, want one each", got)
		}
	})
}

func TestSubject(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Printer is broken", "[#1042] Printer is broken"},
		{"[#1042] Printer is broken", "[#1042] Printer is broken"},
		{"Re: [#1042] Printer", "Re: [#1042] Printer"},
		{"  Spaces  ", "[#1042] Spaces"},
	}
	for _, c := range cases {
		if got := subject(1042, c.in); got != c.want {
			t.Errorf("subject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMessageID(t *testing.T) {
	if got, want := MessageID(1042, 77, "reply", "desk.example"), "linedesk.1042.c77.reply@desk.example"; got != want {
		t.Errorf("MessageID = %q, want %q", got, want)
	}
	if _, err := netmail.ParseAddress("<" + MessageID(1042, 77, "reply", "desk.example") + ">"); err != nil {
		t.Errorf("Message-ID is not a valid msg-id: %v", err)
	}
	for in, want := range map[string]string{"": "localhost", "https://desk.example:8443/x": "desk.example", "mail.example": "mail.example"} {
		if got := hostname(in, ""); got != want {
			t.Errorf("hostname(%q) = %q, want %q", in, got, want)
		}
	}
}
