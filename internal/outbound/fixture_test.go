package outbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// fakeMailboxes stands in for the mailbox package: SMTP settings and own
// addresses come from the test.
type fakeMailboxes struct {
	mu   sync.Mutex
	smtp map[int64]SMTP
	own  []string
}

func (f *fakeMailboxes) SMTPSettings(_ context.Context, id int64) (SMTP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.smtp[id]
	if !ok {
		return SMTP{}, apperr.NotFoundf("mailbox %d not found", id)
	}
	return s, nil
}

func (f *fakeMailboxes) Addresses(context.Context) ([]string, error) { return f.own, nil }

func (f *fakeMailboxes) set(id int64, s SMTP) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.smtp[id] = s
}

// event is one SystemEvent call.
type event struct {
	ticketID                     int64
	kind, field, from, to, cause string
}

type fakeEvents struct {
	mu  sync.Mutex
	got []event
}

func (f *fakeEvents) SystemEvent(_ context.Context, ticketID int64, kind, field, from, to, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, event{ticketID, kind, field, from, to, reason})
	return nil
}

func (f *fakeEvents) events() []event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event(nil), f.got...)
}

const (
	mailboxAddr = "support@desk.example"
	otherOwn    = "help@desk.example" // another mailbox of the same Linedesk
)

// fixture is a database with a mailbox and an agent, a recording SMTP
// server behind the mailbox, and the service under test.
type fixture struct {
	t       *testing.T
	d       *db.DB
	svc     *Service
	sink    *sink
	mb      *fakeMailboxes
	ev      *fakeEvents
	dataDir string
	mailbox int64
	agent   int64
	jobSeq  int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	s, _ := startSink(t, "none")
	f := &fixture{t: t, d: d, sink: s, ev: &fakeEvents{}, dataDir: t.TempDir(), jobSeq: 1000}
	now := db.Now()
	f.mailbox = f.insert(`INSERT INTO mailboxes (address, name, default_language, created_at, updated_at)
		VALUES ($1, 'Support', 'en', $2, $2) RETURNING id`, mailboxAddr, now)
	f.agent = f.insert(`INSERT INTO agents (name, email, role, created_at, updated_at)
		VALUES ('Anna Bērziņa', 'anna@desk.example', 'agent', $1, $1) RETURNING id`, now)
	f.mb = &fakeMailboxes{
		smtp: map[int64]SMTP{f.mailbox: f.smtpFor(s, "none")},
		own:  []string{mailboxAddr, strings.ToUpper(otherOwn)},
	}
	f.svc = NewService(d, job.NewQueue(d, nil), f.mb, f.ev, nil, Config{
		BaseURL: "https://desk.example/", DataDir: f.dataDir,
	})
	return f
}

func (f *fixture) smtpFor(s *sink, tlsMode string) SMTP {
	return SMTP{Host: s.host, Port: s.port, Username: sinkUser, Password: sinkPass, TLS: tlsMode,
		From: mailboxAddr, FromName: "Support"}
}

func (f *fixture) insert(query string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.d.W.QueryRowContext(context.Background(), query, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	dbtest.Exec(f.t, f.d.W, query, args...)
}

// contact adds a contact with one address.
func (f *fixture) contact(name, email, lang string) int64 {
	f.t.Helper()
	now := db.Now()
	id := f.insert(`INSERT INTO contacts (name, language, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		name, lang, now)
	f.exec(`INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)`, email, id)
	return id
}

// ticket adds an open e-mail ticket of the fixture's mailbox.
func (f *fixture) ticket(number int64, subject string, requester int64) int64 {
	f.t.Helper()
	now := db.Now()
	return f.insert(`INSERT INTO tickets (number, subject, status, priority, type, requester_id, channel, mailbox_id, created_at, updated_at)
		VALUES ($1, $2, 'open', 'normal', 'question', $3, 'email', $4, $5, $5) RETURNING id`,
		number, subject, requester, f.mailbox, now)
}

func (f *fixture) participant(ticketID, contactID int64) {
	f.t.Helper()
	f.exec(`INSERT INTO ticket_participants (ticket_id, contact_id, created_at) VALUES ($1, $2, $3)`, ticketID, contactID, db.Now())
}

// comment adds the fixture agent's comment.
func (f *fixture) comment(ticketID int64, body string, public bool) int64 {
	f.t.Helper()
	return f.insert(`INSERT INTO comments (ticket_id, author_type, author_agent_id, body, public, channel, created_at)
		VALUES ($1, 'agent', $2, $3, $4, 'web', $5) RETURNING id`, ticketID, f.agent, body, public, db.Now())
}

// attach stores a file where the attachment package keeps it and attaches
// it to the comment.
func (f *fixture) attach(ticketID, commentID int64, name, contentType, data string) {
	f.t.Helper()
	sum := sha256.Sum256([]byte(data))
	sha := hex.EncodeToString(sum[:])
	dir := filepath.Join(f.dataDir, "attachments", sha[0:2], sha[2:4])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sha), []byte(data), 0o640); err != nil {
		f.t.Fatal(err)
	}
	f.exec(`INSERT INTO attachments (sha256, filename, content_type, size, ticket_id, comment_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, sha, name, contentType, len(data), ticketID, commentID, db.Now())
}

func (f *fixture) messageID(ticketID int64, id, direction string, at time.Time) {
	f.t.Helper()
	f.exec(`INSERT INTO message_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, $3, $4)`,
		id, ticketID, direction, at.UTC().Truncate(time.Microsecond))
}

// reply runs one attempt of the email.reply job for a comment.
func (f *fixture) reply(commentID int64) error {
	f.jobSeq++
	return f.svc.handleReply(context.Background(), f.job(KindReply, f.jobSeq, ReplyPayload{CommentID: commentID}))
}

// notify runs one attempt of the email.notify job with the given id.
func (f *fixture) notify(jobID int64, p NotifyPayload) error {
	return f.svc.handleNotify(context.Background(), f.job(KindNotify, jobID, p))
}

func (f *fixture) job(kind string, id int64, payload any) job.Job {
	f.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	return job.Job{ID: id, Kind: kind, Payload: raw, State: job.Running, Attempts: 1, MaxAttempts: 10}
}

// recipientState is the recorded state and error of one recipient of the
// mail with the Message-ID.
func (f *fixture) recipientState(messageID, addr string) (string, string) {
	f.t.Helper()
	var state, errText string
	err := f.d.R.QueryRowContext(context.Background(), `
		SELECT r.state, r.error FROM outbound_recipients r JOIN outbound_emails e ON e.id = r.outbound_id
		WHERE e.message_id = $1 AND r.address = $2`, messageID, addr).Scan(&state, &errText)
	if err != nil {
		f.t.Fatalf("recipient %s of %s: %v", addr, messageID, err)
	}
	return state, errText
}

func (f *fixture) emailState(messageID string) string {
	f.t.Helper()
	var state string
	err := f.d.R.QueryRowContext(context.Background(), `SELECT state FROM outbound_emails WHERE message_id = $1`, messageID).Scan(&state)
	if err != nil {
		f.t.Fatalf("outbound mail %s: %v", messageID, err)
	}
	return state
}

// parsed is a received message as its reader sees it.
type parsed struct {
	header  netmail.Header
	subject string
	text    string            // the text/plain part, decoded
	files   map[string]string // attachments by file name, decoded
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	p := parsed{header: m.Header, files: map[string]string{}}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	p.walk(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return p
}

func (p *parsed) walk(t *testing.T, ctype, cte, disposition string, body io.Reader) {
	t.Helper()
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			p.walk(t, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part)
		}
	}
	if strings.EqualFold(cte, "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	} else if strings.EqualFold(cte, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read part: %v", err)
	}
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		p.files[dp["filename"]] = string(data)
		return
	}
	if media == "text/plain" {
		p.text = string(data)
	}
}
