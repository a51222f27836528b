package imappoll_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/imappoll"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
)

// killEnv carries a killChild to the test binary re-run as a child.
const killEnv = "LINEDESK_IMAPPOLL_KILL"

// killChild is what the child process polls and where it stops to be
// killed.
type killChild struct {
	URL       string // the database shared with the parent
	DataDir   string // the raw message store shared with the parent
	MailboxID int64
	Port      int    // Dovecot's
	Stage     string // "fetched" or "stored": the line printed before waiting to be killed
	UID       uint32 // the message the child stops at
}

// mailStore is the durable intake the application stores IMAP mail in.
func mailStore(d *db.DB, dataDir string) *mailbox.Service {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, _ := mailbox.NewCipher(strings.Repeat("k", 32))
	return mailbox.NewService(d, log, job.NewQueue(d, log), mailbox.Config{Cipher: c, MaxBytes: 10 << 20})
}

// storeSink stores polled messages through the mailbox service.
type storeSink struct{ mail *mailbox.Service }

func (s storeSink) Store(ctx context.Context, mailboxID int64, uidValidity, uid uint32, raw []byte) error {
	_, _, err := s.mail.Store(ctx, mailbox.Raw{MailboxID: mailboxID, Source: mailbox.SourceIMAP,
		UIDValidity: uidValidity, UID: uid, Data: raw})
	return err
}

// stopSink is storeSink that, at one message, says where it is and waits
// to be killed: before storing it ("fetched") or once it is committed but
// not yet acknowledged to the server ("stored").
type stopSink struct {
	storeSink
	stage string
	uid   uint32
}

func (s stopSink) Store(ctx context.Context, mailboxID int64, uidValidity, uid uint32, raw []byte) error {
	if uid != s.uid {
		return s.storeSink.Store(ctx, mailboxID, uidValidity, uid, raw)
	}
	if s.stage == "stored" {
		if err := s.storeSink.Store(ctx, mailboxID, uidValidity, uid, raw); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	}
	fmt.Println(s.stage)
	time.Sleep(time.Minute)
	fmt.Println("error: not killed")
	os.Exit(2)
	return nil
}

// runKillChild runs in the child process: it polls the mailbox into the
// shared database until its sink stops at the chosen message.
func runKillChild() {
	var k killChild
	if err := json.Unmarshal([]byte(os.Getenv(killEnv)), &k); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, k.URL)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	sink := stopSink{storeSink: storeSink{mailStore(d, k.DataDir)}, stage: k.Stage, uid: k.UID}
	mb := imappoll.Mailbox{ID: k.MailboxID, Host: "127.0.0.1", Port: k.Port, TLS: imappoll.TLSNone,
		Username: "u1", Password: "secret", Folder: "INBOX", After: imappoll.AfterSeen}
	opt := fast
	opt.FetchBatch = 1 // the messages before the kill are taken whole, the ones after untouched
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	imappoll.NewManager(&source{list: []imappoll.Mailbox{mb}}, sink, imappoll.NewDBState(d), log, opt).Run(ctx)
	fmt.Println("error: the manager returned")
	os.Exit(2)
}

// TestKillNineDuringIntake kills (SIGKILL) a process taking mail in while
// it holds the second of three messages, either fetched but not stored or
// stored but not yet flagged \Seen. A process started afterwards takes
// the mailbox over: each message is stored exactly once, with one
// processing job, and flagged.
func TestKillNineDuringIntake(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage string
		rows  int // rows of the second message when the child dies
	}{
		{"after fetch, before store", "fetched", 0},
		{"after commit, before the flag", "stored", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDBURL(t, func(t *testing.T, d *db.DB, url string) {
				dc := startDovecot(t, dovecotConfig{})
				msgs := deliver(t, dc, "u1", 1, 3)
				mb := newMailbox(t, d, "u1", dc.port)
				dataDir := t.TempDir()
				killAt(t, killChild{URL: url, DataDir: dataDir, MailboxID: mb.ID, Port: dc.port, Stage: tc.stage, UID: 2})

				f := dc.look(t, "u1", "INBOX")
				if !f.seen(1) || f.seen(2) || f.seen(3) {
					t.Errorf("when killed, \\Seen: uid 1 %v, 2 %v, 3 %v; want true, false, false", f.seen(1), f.seen(2), f.seen(3))
				}
				if n := rowsOf(t, d, mb.ID, 2); n != tc.rows {
					t.Errorf("when killed, %d rows for uid 2, want %d", n, tc.rows)
				}
				if n := rowsOf(t, d, mb.ID, 3); n != 0 {
					t.Errorf("when killed, %d rows for uid 3, want 0", n)
				}
				st := imappoll.NewDBState(d)
				if got := state(t, st, mb.ID).LastUID; got != 1 {
					t.Errorf("when killed, last_uid %d, want 1", got)
				}

				mail := mailStore(d, dataDir)
				stop := run(t, newManager(t, &source{list: []imappoll.Mailbox{mb}}, storeSink{mail}, st, fast))
				eventually(t, "every message flagged \\Seen after the restart", func() bool {
					return dc.look(t, "u1", "INBOX").allSeen(uidsOf(msgs))
				})
				eventually(t, "last_uid 3 recorded", func() bool { return state(t, st, mb.ID).LastUID == 3 })
				stop()
				wantTakenOnce(t, d, mail, mb.ID, msgs)
			})
		})
	}
}

// eachDBURL runs fn on a migrated SQLite file and on a PostgreSQL
// database, with the URL another process opens them by.
func eachDBURL(t *testing.T, fn func(t *testing.T, d *db.DB, url string)) {
	t.Run("sqlite", func(t *testing.T) {
		url := "sqlite:" + t.TempDir() + "/kill.db"
		d, err := db.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, d, url)
	})
	t.Run("postgres", func(t *testing.T) {
		d, url := dbtest.PostgresURL(t)
		fn(t, d, url)
	})
}

// killAt re-runs the test binary as a child polling with k, waits for it
// to print k.Stage and kills it with SIGKILL.
func killAt(t *testing.T, k killChild) {
	t.Helper()
	arg, _ := json.Marshal(k)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killEnv+"="+string(arg))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var log bytes.Buffer
	cmd.Stderr = &log
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	said := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		said <- strings.TrimSpace(line)
	}()
	var line string
	select {
	case line = <-said:
	case <-time.After(deadline):
		line = "nothing in time"
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	t.Logf("child's log:\n%s", log.String())
	if line != k.Stage {
		t.Fatalf("child said %q, want %q", line, k.Stage)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}
}

// rowsOf counts the stored copies of a message.
func rowsOf(t *testing.T, d *db.DB, mailboxID int64, uid uint32) int {
	t.Helper()
	var n int
	err := d.R.QueryRowContext(context.Background(),
		`SELECT count(*) FROM inbound_messages WHERE mailbox_id = $1 AND uid = $2`, mailboxID, int64(uid)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantTakenOnce checks that each message is stored exactly once, byte for
// byte, with exactly one processing job, and that nothing else is.
func wantTakenOnce(t *testing.T, d *db.DB, mail *mailbox.Service, mailboxID int64, msgs map[uint32][]byte) {
	t.Helper()
	ctx := context.Background()
	jobs := map[int64]int{}
	rows, err := d.R.QueryContext(ctx, `SELECT payload FROM jobs WHERE kind = $1`, mailbox.JobProcess)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var payload string
		var p struct {
			InboundID int64 `json:"inbound_id"`
		}
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatalf("job payload %q: %v", payload, err)
		}
		jobs[p.InboundID]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	var total int
	d.R.QueryRowContext(ctx, `SELECT count(*) FROM inbound_messages`).Scan(&total)
	if total != len(msgs) {
		t.Errorf("%d messages stored, want %d", total, len(msgs))
	}
	if len(jobs) != len(msgs) {
		t.Errorf("%d messages have %s jobs, want %d", len(jobs), mailbox.JobProcess, len(msgs))
	}
	for uid, want := range msgs {
		if n := rowsOf(t, d, mailboxID, uid); n != 1 {
			t.Errorf("uid %d stored %d times, want once", uid, n)
			continue
		}
		var id int64
		d.R.QueryRowContext(ctx, `SELECT id FROM inbound_messages WHERE mailbox_id = $1 AND uid = $2`,
			mailboxID, int64(uid)).Scan(&id)
		if n := jobs[id]; n != 1 {
			t.Errorf("uid %d (inbound %d) has %d %s jobs, want 1", uid, id, n, mailbox.JobProcess)
		}
		r, _, err := mail.OpenRaw(ctx, id)
		if err != nil {
			t.Errorf("uid %d: open raw: %v", uid, err)
			continue
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("uid %d: raw file holds %d bytes (%v), want the %d delivered", uid, len(got), err, len(want))
		}
	}
}
