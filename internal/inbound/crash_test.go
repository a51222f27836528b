package inbound_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/email"
	"linedesk/internal/inbound"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/ticket"
)

const crashEnv = "LINEDESK_INBOUND_CRASH_DB"

// pipeline builds the intake's services on d the way the application
// does, with a job queue whose leases are short.
func pipeline(d *db.DB, dataDir string) (*mailbox.Service, *inbound.Processor, *job.Queue) {
	w := wireIntake(d, dataDir, job.Config{Lease: time.Second, PollInterval: 50 * time.Millisecond})
	return w.mail, w.proc, w.jobs
}

// intake is the intake's services, wired on one database.
type intake struct {
	log     *slog.Logger
	jobs    *job.Queue
	dir     *directory.Service
	tickets *ticket.Service
	mail    *mailbox.Service
	proc    *inbound.Processor
}

func wireIntake(d *db.DB, dataDir string, cfg job.Config) intake {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	jobs := job.NewQueueWith(d, log, cfg)
	dir := directory.NewService(d)
	files := attachment.NewService(d, dataDir+"/attachments", 10<<20)
	tickets := ticket.NewService(d, log, dir, files, jobs)
	cipher, _ := mailbox.NewCipher(strings.Repeat("k", 32))
	mail := mailbox.NewService(d, log, jobs, mailbox.Config{Cipher: cipher, MaxBytes: 10 << 20})
	proc := inbound.New(d, log, mail, tickets, dir, files, jobs, email.DefaultLimits())
	proc.Register()
	return intake{log: log, jobs: jobs, dir: dir, tickets: tickets, mail: mail, proc: proc}
}

// runCrashChild works the job queue until the processor is inside its
// transaction, says so, and waits to be killed.
func runCrashChild() {
	ctx := context.Background()
	url, dataDir, _ := strings.Cut(os.Getenv(crashEnv), "|")
	d, err := db.Open(ctx, url)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	_, proc, jobs := pipeline(d, dataDir)
	inbound.SetBeforeCommit(proc, func() {
		fmt.Println("inside")
		time.Sleep(time.Minute)
	})
	jobs.Run(ctx, 1)
}

// TestCrashWhileProcessing kills (SIGKILL) a worker inside the
// transaction that files a message; once its job's lease runs out another
// worker processes the message: one ticket, one comment, nothing lost.
func TestCrashWhileProcessing(t *testing.T) {
	run := func(t *testing.T, d *db.DB, url string) {
		dataDir := t.TempDir()
		mail, _, jobs := pipeline(d, dataDir)
		var box int64
		d.W.QueryRow(`INSERT INTO mailboxes (address, created_at, updated_at) VALUES ('support@help.example', $1, $1) RETURNING id`, db.Now()).Scan(&box)
		raw := "From: anna@client.example\r\nTo: support@help.example\r\nSubject: Crash\r\nMessage-ID: <crash@client.example>\r\n\r\nbody\r\n"
		id, _, err := mail.Store(context.Background(), mailbox.Raw{MailboxID: box, Source: "smtp", Data: []byte(raw)})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+url+"|"+dataDir)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if strings.TrimSpace(line) != "inside" {
			cmd.Process.Kill()
			t.Fatalf("child said %q", line)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- jobs.Run(ctx, 1) }()
		deadline := time.Now().Add(30 * time.Second)
		for state := ""; state != "processed"; {
			d.R.QueryRow(`SELECT state FROM inbound_messages WHERE id = $1`, id).Scan(&state)
			if time.Now().After(deadline) {
				t.Fatalf("message still %q after the crash", state)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		<-done
		var tickets, comments int
		d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets)
		d.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&comments)
		if tickets != 1 || comments != 1 {
			t.Errorf("after the crash and the retry: %d tickets, %d comments; want 1 and 1", tickets, comments)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := t.TempDir() + "/l.db"
		d, err := db.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		d.Migrate(context.Background())
		run(t, d, "sqlite:"+path)
	})
	t.Run("postgres", func(t *testing.T) {
		d, url := dbtest.PostgresURL(t)
		run(t, d, url)
	})
}
