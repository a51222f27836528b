package mailbox_test

import (
	"context"
	"fmt"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/mailbox"
)

// oversize returns a well-formed message with a body of n bytes, in one
// buffer: the header, then lines of 76 x's.
func oversize(n int) []byte {
	head := "From: Ann <ann@client.lv>\r\nTo: it@example.com\r\nMessage-ID: <huge@client.lv>\r\nSubject: scans\r\n\r\n"
	data := make([]byte, len(head)+n)
	body := data[copy(data, head):]
	for i := range body {
		body[i] = 'x'
		if i%78 >= 76 {
			body[i] = "\r\n"[i%78-76]
		}
	}
	return data
}

func TestStoreOversize(t *testing.T) {
	// One 60 MB buffer for every subtest on both databases.
	data := oversize(60 << 20)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, mailbox.DefaultMaxBytes)
		m := f.mailbox(t, mailbox.MailboxInput{Address: "it@example.com"})
		rows := func() int { return count(t, d, `SELECT count(*) FROM inbound_messages`) }

		t.Run("over SMTP it is refused and nothing is stored", func(t *testing.T) {
			_, _, err := f.svc.Store(ctx, mailbox.Raw{Source: mailbox.SourceSMTP, EnvelopeFrom: "ann@client.lv", Data: data})
			if !apperr.Is(err, apperr.TooLarge) {
				t.Errorf("Store of %d bytes over SMTP: %v, want TooLarge", len(data), err)
			}
			if rows() != 0 || jobs(t, d) != 0 || len(f.rawStored(t)) != 0 {
				t.Errorf("a refused message left %d rows, %d jobs, files %v", rows(), jobs(t, d), f.rawStored(t))
			}
		})
		imap := mailbox.Raw{MailboxID: m.ID, Source: mailbox.SourceIMAP, UIDValidity: 3, UID: 42, Data: data}
		var first int64
		t.Run("over IMAP it is stored raw and quarantined, not processed", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, imap)
			if err != nil || dup || id == 0 {
				t.Fatalf("Store = %d, %v, %v; want a new message", id, dup, err)
			}
			first = id
			q, total, err := f.svc.FindInbounds(ctx, mailbox.InboundFilter{State: mailbox.StateQuarantined})
			if err != nil || total != 1 || q[0].ID != id {
				t.Fatalf("quarantined = %+v (%d), %v", q, total, err)
			}
			in := q[0]
			want := fmt.Sprintf("message is over the size limit of %d bytes (%d bytes)", mailbox.DefaultMaxBytes, len(data))
			if in.Reason != want || in.Size != int64(len(data)) || in.MessageID != "huge@client.lv" ||
				*in.UID != 42 || in.ProcessedAt == nil {
				t.Errorf("stored %+v, want reason %q", in, want)
			}
			if rows() != 1 || jobs(t, d) != 0 {
				t.Errorf("%d rows and %d email.process jobs, want 1 and 0", rows(), jobs(t, d))
			}
			var size int64
			d.R.QueryRow(`SELECT length(data) FROM raw_messages WHERE sha256 = $1`, in.RawSHA256).Scan(&size)
			if size != int64(len(data)) {
				t.Errorf("raw message kept with %d bytes, want %d", size, len(data))
			}
		})
		t.Run("fetched again it is a duplicate", func(t *testing.T) {
			id, dup, err := f.svc.Store(ctx, imap)
			if err != nil || !dup || id != first {
				t.Errorf("Store = %d, %v, %v; want %d, duplicate", id, dup, err, first)
			}
			if rows() != 1 || jobs(t, d) != 0 || len(f.rawStored(t)) != 1 {
				t.Errorf("%d rows, %d jobs, files %v after the duplicate", rows(), jobs(t, d), f.rawStored(t))
			}
		})
	})
}
