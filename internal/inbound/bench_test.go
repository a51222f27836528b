package inbound_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/mailbox"
)

// BenchmarkIntake takes raw messages through the whole intake: stored
// durably (as the SMTP listener or IMAP poller does), parsed, threaded
// and committed as a ticket or a comment, eight deliveries at a time. Half
// are new tickets, half are replies to earlier ones; every fifth carries a
// 20 KB attachment.
func BenchmarkIntake(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		mail, proc, _ := pipeline(d, b.TempDir())
		var box int64
		d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('support@help.example', $1, $1) RETURNING id`, db.Now()).Scan(&box)
		attachment := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("log line: service restarted\n", 730)))
		ctx := context.Background()
		var rec benchutil.Recorder
		var seq atomic.Int64
		b.SetParallelism(4) // 8 deliveries at once on 2 cores, as from several SMTP sessions and pollers
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				raw := intakeMessage(int(seq.Add(1)), attachment)
				rec.Time(func() {
					id, _, err := mail.Store(ctx, mailbox.Raw{MailboxID: box, Source: "smtp", Data: []byte(raw)})
					if err == nil {
						err = proc.Process(ctx, id, false)
					}
					if err != nil {
						b.Error(err)
					}
				})
			}
		})
		b.StopTimer()
		rec.Report(b)
	})
}

func intakeMessage(i int, attachment string) string {
	h := fmt.Sprintf("From: Customer %d <customer%d@client%d.example>\r\nTo: support@help.example\r\nDate: Sun, 22 Nov 2026 10:00:00 +0200\r\n"+
		"Message-ID: <m%d@client.example>\r\nMIME-Version: 1.0\r\n", i%200, i%200, i%20, i)
	subject := fmt.Sprintf("Subject: Printer %d does not print\r\n", i)
	if i%2 == 0 && i > 100 {
		// A reply to a message delivered a while ago.
		subject = fmt.Sprintf("Subject: Re: Printer %d does not print\r\nIn-Reply-To: <m%d@client.example>\r\n", i-99, i-99)
	}
	body := "Hello,\r\n\r\nthe printer shows error E-203 since this morning. We restarted it twice.\r\n\r\nRegards\r\n"
	if i%5 != 0 {
		return h + subject + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
	}
	return h + subject + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		body + "\r\n--b\r\nContent-Type: text/plain; name=\"printer.log\"\r\nContent-Disposition: attachment; filename=\"printer.log\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + attachment + "\r\n--b--\r\n"
}
