package ticket_test

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
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

const crashHelperEnv = "LINEDESK_CRASH_HELPER_DB"

// runCrashHelper runs in a child process: it starts creating a ticket,
// says so once the row is written inside the open transaction, and waits
// to be killed.
func runCrashHelper() {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(crashHelperEnv))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := ticket.NewService(d, log, directory.NewService(d), attachment.NewService(d, os.TempDir(), 1<<20), job.NewQueue(d, log))
	ticket.SetAfterInsert(svc, func() {
		fmt.Println("inserted")
		time.Sleep(time.Minute)
	})
	_, err = svc.CreateTicket(ctx, auth.Principal{}, ticket.NewTicket{Subject: "half-written",
		Requester: ticket.RequesterRef{Email: "crash@client.example"}})
	fmt.Println("error: create returned", err)
	os.Exit(2)
}

// TestCrashMidTransaction kills a process with SIGKILL while its ticket
// transaction is open: afterwards there is no trace of that ticket, and
// the next ticket takes the next number.
func TestCrashMidTransaction(t *testing.T) {
	run := func(t *testing.T, d *db.DB, url string) {
		f := newFixture(t, d)
		before := f.open(t, ticket.NewTicket{})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+url)
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if strings.TrimSpace(line) != "inserted" {
			cmd.Process.Kill()
			t.Fatalf("helper said %q", line)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		var n int
		d.R.QueryRow(`SELECT count(*) FROM tickets WHERE subject = 'half-written'`).Scan(&n)
		var contacts int
		d.R.QueryRow(`SELECT count(*) FROM contact_emails WHERE email = 'crash@client.example'`).Scan(&contacts)
		if n != 0 || contacts != 0 {
			t.Errorf("after the crash: %d half-written tickets, %d contacts", n, contacts)
		}
		after := f.open(t, ticket.NewTicket{}) // waits out PostgreSQL's cleanup of the dead session
		if after.Number != before.Number+1 {
			t.Errorf("numbers %d then %d", before.Number, after.Number)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := t.TempDir() + "/crash.db"
		d, err := db.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		run(t, d, "sqlite:"+path)
	})
	t.Run("postgres", func(t *testing.T) {
		d, url := dbtest.PostgresURL(t)
		run(t, d, url)
	})
}
