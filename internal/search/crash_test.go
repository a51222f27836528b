package search_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

const crashHelperEnv = "LINEDESK_SEARCH_CRASH_DB"

// runCrashHelper runs in a child process: it creates a ticket (the
// change and its index job commit together), says so, and waits to be
// killed before any worker runs the job.
func runCrashHelper() {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(crashHelperEnv))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	e := wire(&testing.T{}, d)
	_, err = e.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Сервер 10.20.30.40 не отвечает",
		Requester: ticket.RequesterRef{Email: "crash@client.example"}})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("committed")
	time.Sleep(time.Minute)
	os.Exit(2)
}

// TestCrashAfterCommit kills a process with SIGKILL after a change
// committed and before its index job ran: the job is in the database, and
// the next start's workers index the ticket.
func TestCrashAfterCommit(t *testing.T) {
	run := func(t *testing.T, d *db.DB, url string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+url)
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if strings.TrimSpace(line) != "committed" {
			cmd.Process.Kill()
			t.Fatalf("helper said %q", line)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		e := wire(t, d) // the next start
		e.team(t)
		v := search.AgentViewer(e.admin)
		if hits := e.find(t, v, "сервер", search.KindTicket); len(hits) != 0 {
			t.Fatalf("indexed before any worker ran: %+v", hits)
		}
		var pending int
		d.R.QueryRow(`SELECT count(*) FROM jobs WHERE kind = $1 AND state = 'pending'`, search.JobIndex).Scan(&pending)
		if pending == 0 {
			t.Fatal("no index job survived the crash")
		}
		e.run(t)
		e.settle(t)
		hits := e.find(t, v, "10.20.30.40", search.KindTicket)
		if len(hits) != 1 || hits[0].Title != "Сервер 10.20.30.40 не отвечает" {
			t.Fatalf("after the restart: %+v", hits)
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
