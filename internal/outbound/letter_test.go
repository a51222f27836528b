package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// letterJob runs one attempt of an email.letter job.
func (f *fixture) letterJob(id int64, writer, key string, ref any) error {
	raw, _ := json.Marshal(ref)
	return f.svc.handleLetter(context.Background(), f.job(KindLetter, id, LetterPayload{Writer: writer, Key: key, Ref: raw}))
}

func TestLetters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var calls atomic.Int32
		send := true
		f.svc.RegisterLetter("test.link", func(_ context.Context, ref json.RawMessage) (Letter, bool, error) {
			calls.Add(1)
			var r struct{ N int }
			json.Unmarshal(ref, &r)
			return Letter{MailboxID: f.mailbox, To: "Ilze@Client.example", Name: "Ilze Ozola", Subject: "Your sign-in link",
				Body: fmt.Sprintf("Open https://desk.example/portal/link/%d-secret\n", r.N)}, send, nil
		})

		t.Run("a letter goes out once, marked as automatic", func(t *testing.T) {
			for range 2 {
				if err := f.letterJob(1, "test.link", "k1", map[string]int{"N": 7}); err != nil {
					t.Fatal(err)
				}
			}
			msgs := f.sink.messages()
			if len(msgs) != 1 {
				t.Fatalf("%d copies sent, want 1", len(msgs))
			}
			p := parse(t, msgs[0].raw)
			if p.subject != "Your sign-in link" || !strings.Contains(p.text, "/portal/link/7-secret") ||
				p.header.Get("Auto-Submitted") != "auto-generated" || msgs[0].to[0] != "ilze@client.example" {
				t.Errorf("letter %q to %v: %s", p.subject, msgs[0].to, p.text)
			}
			if !strings.Contains(p.header.Get("Message-Id"), "linedesk.letter.k1@") {
				t.Errorf("Message-ID %q", p.header.Get("Message-Id"))
			}
		})
		t.Run("a letter with nothing to send any more is skipped", func(t *testing.T) {
			send = false
			defer func() { send = true }()
			if err := f.letterJob(2, "test.link", "k2", map[string]int{"N": 8}); err != nil {
				t.Fatal(err)
			}
			if n := len(f.sink.messages()); n != 1 {
				t.Errorf("%d messages, want still 1", n)
			}
		})
		t.Run("a refused recipient is recorded and not retried", func(t *testing.T) {
			f.sink.refuseRcpt("ilze@client.example", 550, "no such user")
			if err := f.letterJob(3, "test.link", "k3", map[string]int{"N": 9}); err != nil {
				t.Fatalf("a permanent refusal is no retry: %v", err)
			}
			var state, reason string
			if err := d.R.QueryRow(`SELECT state, error FROM letters WHERE message_id LIKE $1`, "%letter.k3@%").Scan(&state, &reason); err != nil {
				t.Fatal(err)
			}
			if state != stateFailed || !strings.Contains(reason, "no such user") {
				t.Errorf("letter state %s %q", state, reason)
			}
			before := calls.Load()
			if err := f.letterJob(3, "test.link", "k3", map[string]int{"N": 9}); err != nil || calls.Load() != before {
				t.Errorf("a settled letter was written again: %v", err)
			}
		})
	})
}

func TestSolvedMailCarriesTheRatingLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.svc.cfg.RateURL = func(_ context.Context, id int64) (string, error) {
			return fmt.Sprintf("https://desk.example/portal/rate/%d-signed", id), nil
		}
		for i, lang := range []string{"en", "ru", "lv"} {
			tk := f.ticket(int64(3000+i), "Printer", f.contact("Kate", fmt.Sprintf("kate%d@client.example", i), lang))
			f.exec(`UPDATE tickets SET status = 'solved' WHERE id = $1`, tk)
			if err := f.notify(int64(300+i), NotifyPayload{TicketID: tk, Kind: NotifySolved}); err != nil {
				t.Fatal(err)
			}
			msgs := f.sink.messages()
			p := parse(t, msgs[len(msgs)-1].raw)
			if !strings.Contains(p.text, fmt.Sprintf("https://desk.example/portal/rate/%d-signed", tk)) ||
				!strings.Contains(p.text, " 1 ") || !strings.Contains(p.text, " 5") {
				t.Errorf("%s: the solved mail lacks the rating link:\n%s", lang, p.text)
			}
		}
	})
}
