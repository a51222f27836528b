package mailbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/mailbox"
)

func message(id, body string) []byte {
	return []byte("From: Ann <ann@client.lv>\r\nTo: it@example.com\r\nMessage-ID: <" + id + ">\r\nSubject: VPN\r\n\r\n" + body + "\r\n")
}

func jobs(t testing.TB, d *db.DB) int {
	return count(t, d, `SELECT count(*) FROM jobs WHERE kind = 'email.process'`)
}

func TestStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 64<<10)
		m := f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
		data := message("m1@client.lv", "VPN is down")

		var first int64
		t.Run("stores the file, the row and one job", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "imap", UIDValidity: 7, UID: 1,
				EnvelopeFrom: "ann@client.lv", EnvelopeTo: []string{"it@example.com"}, Data: data})
			if err != nil || dup || id == 0 {
				t.Fatalf("Store = %d, %v, %v", id, dup, err)
			}
			first = id
			in, err := f.svc.FindInbound(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if in.State != mailbox.StateReceived || in.MessageID != "m1@client.lv" || in.Size != int64(len(data)) ||
				in.RawSHA256 != hex.EncodeToString(sum[:]) || *in.MailboxID != m.ID || *in.UID != 1 ||
				in.EnvelopeTo[0] != "it@example.com" {
				t.Errorf("stored %+v", in)
			}
			rc, got, err := f.svc.OpenRaw(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(rc)
			rc.Close()
			if string(raw) != string(data) || got.ID != id {
				t.Errorf("raw file holds %q", raw)
			}
			if kept := f.rawStored(t); len(kept) != 1 || kept[0] != in.RawSHA256 {
				t.Errorf("raw messages kept %v, want %s", kept, in.RawSHA256)
			}
			var payload string
			d.W.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE kind = 'email.process'`).Scan(&payload)
			if jobs(t, d) != 1 || payload != fmt.Sprintf(`{"inbound_id":%d}`, id) {
				t.Errorf("%d jobs, payload %s", jobs(t, d), payload)
			}
		})
		t.Run("idempotent on mailbox, UIDVALIDITY and UID", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "imap", UIDValidity: 7, UID: 1,
				Data: message("other@client.lv", "fetched again, changed")})
			if err != nil || !dup || id != first {
				t.Errorf("Store = %d, %v, %v; want %d, duplicate", id, dup, err, first)
			}
		})
		t.Run("idempotent on content key, whatever the source", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "smtp", Data: data})
			if err != nil || !dup || id != first {
				t.Errorf("Store = %d, %v, %v; want %d, duplicate", id, dup, err, first)
			}
			if n := count(t, d, `SELECT count(*) FROM inbound_messages`); n != 1 || jobs(t, d) != 1 {
				t.Errorf("%d rows, %d jobs after duplicates", n, jobs(t, d))
			}
		})
		t.Run("a reused Message-ID with another body is another message", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, mailbox.Raw{Source: "smtp", Data: message("m1@client.lv", "a different body")})
			if err != nil || dup || id == first {
				t.Errorf("Store = %d, %v, %v", id, dup, err)
			}
			in, _ := f.svc.FindInbound(ctx, id)
			if in.MailboxID != nil || in.UID != nil {
				t.Errorf("smtp message without mailbox stored as %+v", in)
			}
			if n := count(t, d, `SELECT count(*) FROM inbound_messages WHERE message_id = 'm1@client.lv'`); n != 2 {
				t.Errorf("%d rows with the Message-ID", n)
			}
		})
		t.Run("over the limit nothing is stored", func(t *testing.T) {
			rowsBefore, jobsBefore, filesBefore := count(t, d, `SELECT count(*) FROM inbound_messages`), jobs(t, d), len(f.rawStored(t))
			big := message("big@client.lv", strings.Repeat("x", 64<<10))
			_, _, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "smtp", Data: big})
			if !apperr.Is(err, apperr.TooLarge) {
				t.Errorf("Store of %d bytes: %v", len(big), err)
			}
			if count(t, d, `SELECT count(*) FROM inbound_messages`) != rowsBefore || jobs(t, d) != jobsBefore ||
				len(f.rawStored(t)) != filesBefore {
				t.Error("a refused message left a trace")
			}
		})
		t.Run("an IMAP message needs its UID", func(t *testing.T) {
			_, _, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "imap", Data: data})
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Store: %v", err)
			}
		})
	})
}

func TestStoreConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		m := f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
		data := message("race@client.lv", "sent twenty times at once")
		ids := make([]int64, 20)
		dups := make([]bool, 20)
		errs := make([]error, 20)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				// Half arrive over IMAP with the same UID, half over SMTP.
				r := mailbox.Raw{MailboxID: m.ID, Source: "smtp", Data: data}
				if i%2 == 0 {
					r.Source, r.UIDValidity, r.UID = "imap", 1, 5
				}
				ids[i], dups[i], errs[i] = f.svc.Store(ctx, r)
			})
		}
		wg.Wait()
		fresh := 0
		for i := range 20 {
			if errs[i] != nil {
				t.Fatalf("Store %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Errorf("Store %d returned id %d, Store 0 id %d", i, ids[i], ids[0])
			}
			if !dups[i] {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d Stores reported a new message, want 1", fresh)
		}
		if n := count(t, d, `SELECT count(*) FROM inbound_messages`); n != 1 || jobs(t, d) != 1 {
			t.Errorf("%d rows and %d jobs, want 1 and 1", n, jobs(t, d))
		}
	})
}

func TestInboundLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		m := f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
		a, _, _ := f.svc.Store(ctx, mailbox.Raw{MailboxID: m.ID, Source: "smtp", Data: message("a@x", "a")})
		b, _, _ := f.svc.Store(ctx, mailbox.Raw{Source: "smtp", Data: message("b@x", "b")})

		if err := f.svc.Quarantine(ctx, d.W, b, "sender's domain x is blocked"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.MarkProcessed(ctx, d.W, a, nil, nil, "auto-reply ignored"); err != nil {
			t.Fatal(err)
		}
		t.Run("lists filter by state and mailbox, newest first", func(t *testing.T) {
			q, total, err := f.svc.FindInbounds(ctx, mailbox.InboundFilter{State: mailbox.StateQuarantined})
			if err != nil || total != 1 || q[0].ID != b || q[0].Reason != "sender's domain x is blocked" || q[0].ProcessedAt == nil {
				t.Errorf("quarantined = %+v (%d), %v", q, total, err)
			}
			all, total, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{})
			if total != 2 || all[0].ID != b {
				t.Errorf("all = %d, first %d", total, all[0].ID)
			}
			mine, total, _ := f.svc.FindInbounds(ctx, mailbox.InboundFilter{MailboxID: &m.ID})
			if total != 1 || mine[0].ID != a || mine[0].State != mailbox.StateProcessed {
				t.Errorf("mailbox's = %+v", mine)
			}
			if _, _, err := f.svc.FindInbounds(ctx, mailbox.InboundFilter{State: "lost"}); apperr.As(err) == nil ||
				apperr.As(err).Field != "state" {
				t.Errorf("bad state: %v", err)
			}
		})
		t.Run("release re-queues a quarantined message with release set", func(t *testing.T) {
			before := jobs(t, d)
			if err := f.svc.Release(ctx, b); err != nil {
				t.Fatal(err)
			}
			in, _ := f.svc.FindInbound(ctx, b)
			var payload string
			d.W.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE kind = 'email.process' ORDER BY id DESC LIMIT 1`).Scan(&payload)
			if in.State != mailbox.StateReceived || in.Reason != "" || jobs(t, d) != before+1 ||
				payload != fmt.Sprintf(`{"inbound_id":%d,"release":true}`, b) {
				t.Errorf("after release: %+v, payload %s", in, payload)
			}
			if err := f.svc.Retry(ctx, b); err != nil {
				t.Fatal(err)
			}
			d.W.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE kind = 'email.process' ORDER BY id DESC LIMIT 1`).Scan(&payload)
			if payload != fmt.Sprintf(`{"inbound_id":%d}`, b) {
				t.Errorf("retry payload %s", payload)
			}
		})
		t.Run("a processed message is not processed again", func(t *testing.T) {
			before := jobs(t, d)
			if err := f.svc.Retry(ctx, a); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("retry processed: %v", err)
			}
			if err := f.svc.Release(ctx, 999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("release unknown: %v", err)
			}
			if jobs(t, d) != before {
				t.Error("a refused retry enqueued a job")
			}
			if err := f.svc.MarkProcessed(ctx, d.W, 999, nil, nil, ""); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("mark unknown: %v", err)
			}
		})
	})
}

func TestBlockedDomains(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		b, err := f.svc.BlockDomain(ctx, " @Spam.Example ", "sends spam")
		if err != nil || b.Domain != "spam.example" {
			t.Fatalf("BlockDomain = %+v, %v", b, err)
		}
		if _, err := f.svc.BlockDomain(ctx, "spam.example", ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("second block: %v", err)
		}
		if _, err := f.svc.BlockDomain(ctx, "not a domain", ""); apperr.As(err) == nil || apperr.As(err).Field != "domain" {
			t.Errorf("bad domain: %v", err)
		}
		for domain, want := range map[string]bool{"spam.example": true, "SPAM.example": true, "mx.spam.example": true,
			"bob@Mail.Spam.Example": true, "example": false, "notspam.example": false, "": false} {
			if got, err := f.svc.IsBlockedDomain(ctx, domain); got != want || err != nil {
				t.Errorf("IsBlockedDomain(%q) = %v, %v", domain, got, err)
			}
		}
		list, total, err := f.svc.FindBlockedDomains(ctx, mailbox.BlockedDomainFilter{})
		if err != nil || total != 1 || list[0].Reason != "sends spam" {
			t.Errorf("FindBlockedDomains = %+v, %v", list, err)
		}
		if err := f.svc.UnblockDomain(ctx, "Spam.Example"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.UnblockDomain(ctx, "spam.example"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second unblock: %v", err)
		}
		if got, _ := f.svc.IsBlockedDomain(ctx, "spam.example"); got {
			t.Error("still blocked")
		}
	})
}
