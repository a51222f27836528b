package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"linedesk/internal/app"
	"linedesk/internal/config"
	"linedesk/internal/dbtest"
)

// TestMailRoundTrip runs the whole e-mail channel through real sockets:
// a customer's mail arrives over SMTP and becomes a ticket; the customer
// gets a receipt; an agent's reply goes out threaded; the customer's answer
// to it lands on the same ticket.
func TestMailRoundTrip(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { roundTrip(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db")) })
	t.Run("postgres", func(t *testing.T) { _, url := dbtest.PostgresURL(t); roundTrip(t, url) })
}

// mailApp starts Linedesk on url with its SMTP listener, a mailbox
// support@help.example that sends through a sink, and an API client.
func mailApp(t *testing.T, url string) (client, *sink, string) {
	sink := startSink(t)
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir, cfg.HTTPAddr, cfg.SMTPAddr = url, t.TempDir(), "127.0.0.1:0", freeAddr(t)
	cfg.BaseURL = "http://help.example"
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	if err := a.Bootstrap(ctx, &out); err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`API token: (\S+)`).FindStringSubmatch(out.String())[1]
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	// The SMTP listener binds once Run has started it: mail sent before
	// would find the port closed.
	eventually(t, "the SMTP listener", func() bool {
		c, err := net.Dial("tcp", cfg.SMTPAddr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	api := client{t: t, base: "http://" + a.Addr(), token: token}
	api.call("POST", "/api/v1/mailboxes", map[string]any{"address": "support@help.example", "name": "Support",
		"smtp": map[string]any{"host": sink.host, "port": sink.port, "tls": "none"}}, 201)
	return api, sink, cfg.SMTPAddr
}

func roundTrip(t *testing.T, url string) {
	api, sink, smtpAddr := mailApp(t, url)
	sendMail(t, smtpAddr, "anna@client.example", "Subject: Printer jammed\r\nMessage-ID: <first@client.example>\r\n\r\nPaper stuck in tray 2.\r\n")
	var id int64
	eventually(t, "the ticket", func() bool {
		list := api.call("GET", "/api/v1/tickets", nil, 200)
		items, _ := list["items"].([]any)
		if len(items) == 1 {
			id = int64(items[0].(map[string]any)["id"].(float64))
		}
		return id != 0
	})
	eventually(t, "the receipt", func() bool { return sink.find("[#1001]", "Auto-Submitted: auto-generated") != "" })

	api.call("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "Please open tray 2 and remove the sheet."}, 201)
	var reply string
	eventually(t, "the agent's reply", func() bool {
		reply = sink.find("Please open tray 2", "In-Reply-To: <first@client.example>")
		return reply != ""
	})
	replyID := regexp.MustCompile(`(?i)Message-ID: <([^>]+)>`).FindStringSubmatch(reply)[1]

	sendMail(t, smtpAddr, "anna@client.example", "Subject: Re: [#1001] Printer jammed\r\nMessage-ID: <answer@client.example>\r\n"+
		"In-Reply-To: <"+replyID+">\r\n\r\nDone, it prints again. Thanks!\r\n")
	eventually(t, "the customer's answer on the ticket", func() bool {
		cs := api.call("GET", fmt.Sprintf("/api/v1/tickets/%d/comments", id), nil, 200)
		items, _ := cs["items"].([]any)
		return len(items) == 3 && strings.Contains(items[2].(map[string]any)["thread_reason"].(string), "In-Reply-To")
	})
	if n := api.call("GET", "/api/v1/tickets", nil, 200)["total"]; n != 1.0 {
		t.Errorf("%v tickets, want the conversation on one", n)
	}
}

// TestHeaderlessMachineCannotLoop: a machine that strips every loop
// header sends 50 messages in a burst; each is kept as a ticket, but it
// gets at most the hourly allowance of automatic answers.
func TestHeaderlessMachineCannotLoop(t *testing.T) {
	api, sink, smtpAddr := mailApp(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db"))
	for i := range 50 {
		sendMail(t, smtpAddr, "robot@machine.example", fmt.Sprintf("Subject: Alert %d\r\nMessage-ID: <alert%d@machine.example>\r\n\r\nCPU high\r\n", i, i))
	}
	eventually(t, "50 tickets", func() bool { return api.call("GET", "/api/v1/tickets", nil, 200)["total"] == 50.0 })
	eventually(t, "the job queue to drain", func() bool {
		return api.call("GET", "/api/v1/jobs?state=pending", nil, 200)["total"] == 0.0 &&
			api.call("GET", "/api/v1/jobs?state=running", nil, 200)["total"] == 0.0
	})
	if n := sink.count("To: <robot@machine.example>", "robot@machine.example"); n == 0 || n > 5 {
		t.Errorf("%d automatic answers to one address in an hour, want 1 to 5", n)
	}
}

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) call(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

func sendMail(t *testing.T, addr, from, rest string) {
	t.Helper()
	msg := "From: " + from + "\r\nTo: support@help.example\r\nDate: Sun, 22 Nov 2026 10:00:00 +0200\r\n" + rest
	if err := smtp.SendMail(addr, nil, from, []string{"support@help.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond for up to 20 seconds.
func eventually(t *testing.T, what string, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// sink is a real SMTP server keeping every message it accepts.
type sink struct {
	host string
	port int
	mu   sync.Mutex
	msgs []string
}

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	srv := gosmtp.NewServer(s)
	srv.Domain = "sink.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.host = "127.0.0.1"
	s.port = l.Addr().(*net.TCPAddr).Port
	return s
}

// find returns the first message containing every part, or "".
func (s *sink) find(parts ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
next:
	for _, m := range s.msgs {
		for _, p := range parts {
			if !strings.Contains(m, p) {
				continue next
			}
		}
		return m
	}
	return ""
}

// count returns how many messages contain any of the parts.
func (s *sink) count(parts ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		for _, p := range parts {
			if strings.Contains(m, p) {
				n++
				break
			}
		}
	}
	return n
}

func (s *sink) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s}, nil }

type sinkSession struct{ s *sink }

func (ss *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (ss *sinkSession) Reset()                                 {}
func (ss *sinkSession) Logout() error                          { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, string(b))
	ss.s.mu.Unlock()
	return err
}

// TestReceiveOnlyMailbox: a mailbox with no outgoing server still takes
// mail in; its receipts are recorded on the ticket as undeliverable once,
// not retried until the job dies.
func TestReceiveOnlyMailbox(t *testing.T) {
	api, _, smtpAddr := mailApp(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db"))
	api.call("POST", "/api/v1/mailboxes", map[string]any{"address": "intake@help.example", "name": "Intake"}, 201)
	msg := "From: anna@client.example\r\nTo: intake@help.example\r\nSubject: Receive only\r\nMessage-ID: <ro@client.example>\r\n\r\nHi\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "anna@client.example", []string{"intake@help.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	var id float64
	eventually(t, "the ticket", func() bool {
		items, _ := api.call("GET", "/api/v1/tickets?q=Receive", nil, 200)["items"].([]any)
		if len(items) == 1 {
			id = items[0].(map[string]any)["id"].(float64)
		}
		return id != 0
	})
	eventually(t, "the undeliverable receipt on the ticket", func() bool {
		ev := api.call("GET", fmt.Sprintf("/api/v1/tickets/%d/events", int64(id)), nil, 200)
		b, _ := json.Marshal(ev)
		return strings.Contains(string(b), "no outgoing (SMTP) server")
	})
	eventually(t, "no job left to retry", func() bool {
		return api.call("GET", "/api/v1/jobs?state=pending", nil, 200)["total"] == 0.0 &&
			api.call("GET", "/api/v1/jobs?state=dead", nil, 200)["total"] == 0.0
	})
}
