package inbound_test

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// serveWorkers is how many job workers `linedesk serve` runs unless
// LINEDESK_WORKERS says otherwise.
const serveWorkers = 4

// indexedIntake is the intake with the search index wired as `linedesk
// serve` wires it (internal/app/search.go): every ticket and comment the
// intake commits, and every contact it creates, queues an index job in
// the same transaction. Requester notifications, which the outbound
// service sends, are taken off the queue without being sent: they are
// not part of "committed and indexed".
func indexedIntake(d *db.DB, dataDir string) (intake, *search.Service) {
	w := wireIntake(d, dataDir, job.Config{})
	s := search.NewService(d, w.log, w.jobs, w.dir, search.Config{})
	s.Register(search.NewTicketSource(w.tickets))
	s.Register(search.NewContactSource(w.dir))
	s.Register(search.NewCompanySource(w.dir))
	s.RegisterJobs()
	w.tickets.AddHook(s)
	w.dir.AddHook(s)
	w.jobs.Register(ticket.JobEmailNotify, func(context.Context, job.Job) error { return nil })
	return w, s
}

// BenchmarkIntakeIndexed is BenchmarkIntake with the search index wired.
// "enqueue" times what BenchmarkIntake times, now with the index jobs
// queued; then four workers drain those jobs (index-jobs/s, the
// documents read, analyzed and written). "workers" is the whole of it
// as `linedesk serve` runs it: eight deliveries at once store the
// messages while four job workers file and index them; the clock stops
// when the last message is filed and its ticket indexed.
func BenchmarkIntakeIndexed(b *testing.B) {
	attachment := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("log line: service restarted\n", 730)))
	b.Run("enqueue", func(b *testing.B) {
		dbtest.EachB(b, func(b *testing.B, d *db.DB) {
			w, _ := indexedIntake(d, b.TempDir())
			box := benchMailbox(b, d)
			ctx := context.Background()
			var rec benchutil.Recorder
			var seq atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					raw := intakeMessage(int(seq.Add(1)), attachment)
					rec.Time(func() {
						id, _, err := w.mail.Store(ctx, mailbox.Raw{MailboxID: box, Source: "smtp", Data: []byte(raw)})
						if err == nil {
							err = w.proc.Process(ctx, id, false)
						}
						if err != nil {
							b.Error(err)
						}
					})
				}
			})
			b.StopTimer()
			rec.Report(b)
			drainIndex(b, d, w.jobs)
		})
	})
	b.Run("workers", func(b *testing.B) {
		dbtest.EachB(b, func(b *testing.B, d *db.DB) {
			w, _ := indexedIntake(d, b.TempDir())
			box := benchMailbox(b, d)
			ctx, stop := context.WithCancel(context.Background())
			var workers sync.WaitGroup
			workers.Go(func() { w.jobs.Run(ctx, serveWorkers) })
			defer func() { stop(); workers.Wait() }()
			var seq atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					raw := intakeMessage(int(seq.Add(1)), attachment)
					if _, _, err := w.mail.Store(ctx, mailbox.Raw{MailboxID: box, Source: "smtp", Data: []byte(raw)}); err != nil {
						b.Error(err)
					}
				}
			})
			stored := b.Elapsed()
			waitJobs(b, d, mailbox.JobProcess, search.JobIndex)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/stored.Seconds(), "stored-msg/s")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			checkIndexed(b, d)
		})
	})
}

func benchMailbox(b *testing.B, d *db.DB) int64 {
	var box int64
	if err := d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('support@help.example', $1, $1)
		RETURNING id`, db.Now()).Scan(&box); err != nil {
		b.Fatal(err)
	}
	return box
}

// drainIndex runs the index jobs the timed loop queued with serve's
// workers and reports their rate. The loop filed every message itself,
// as BenchmarkIntake does, so the other jobs it left are marked done
// first: run, they would find their messages filed already.
func drainIndex(b *testing.B, d *db.DB, jobs *job.Queue) {
	if _, err := d.W.Exec(`UPDATE jobs SET state = 'done' WHERE state = 'pending' AND kind <> $1`, search.JobIndex); err != nil {
		b.Fatal(err)
	}
	var queued int
	if err := d.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1`, search.JobIndex).Scan(&queued); err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	start := time.Now()
	workers.Go(func() { jobs.Run(ctx, serveWorkers) })
	waitJobs(b, d, search.JobIndex)
	took := time.Since(start)
	stop()
	workers.Wait()
	b.ReportMetric(float64(queued)/took.Seconds(), "index-jobs/s")
	b.ReportMetric(float64(queued)/float64(b.N), "index-jobs/msg")
	checkIndexed(b, d)
}

// waitJobs waits until no job of the kinds is waiting or running, and
// fails the benchmark if one of them failed.
func waitJobs(b *testing.B, d *db.DB, kinds ...string) {
	const waiting = `SELECT count(*) FROM jobs WHERE state IN ('pending', 'running') AND kind IN ($1, $2)`
	kinds = append(kinds, kinds[0])
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var n int
		if err := d.R.QueryRow(waiting, kinds[0], kinds[1]).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d jobs of %v still waiting after 10 minutes", n, kinds)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var failed int
	if err := d.R.QueryRow(`SELECT count(*) FROM jobs WHERE COALESCE(last_error, '') <> '' AND kind IN ($1, $2)`,
		kinds[0], kinds[1]).Scan(&failed); err != nil {
		b.Fatal(err)
	}
	if failed > 0 {
		var last string
		d.R.QueryRow(`SELECT last_error FROM jobs WHERE COALESCE(last_error, '') <> '' AND kind IN ($1, $2)`, kinds[0], kinds[1]).Scan(&last)
		b.Fatalf("%d jobs of %v failed, one with: %s", failed, kinds[:2], last)
	}
}

// checkIndexed fails the benchmark unless every ticket and contact has
// its document in the index.
func checkIndexed(b *testing.B, d *db.DB) {
	for _, c := range []struct{ kind, table string }{{search.KindTicket, "tickets"}, {search.KindContact, "contacts"}} {
		var rows, docs int
		if err := d.R.QueryRow(`SELECT count(*) FROM ` + c.table).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		if err := d.R.QueryRow(`SELECT count(*) FROM search_docs WHERE kind = $1`, c.kind).Scan(&docs); err != nil {
			b.Fatal(err)
		}
		if rows != docs {
			b.Fatalf("%d %s but %d of them indexed", rows, c.table, docs)
		}
	}
}
