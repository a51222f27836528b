package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"linedesk/internal/assign"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/portal"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/script"
	"linedesk/internal/search"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
	"linedesk/internal/web/api"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// env is the API served over real HTTP on a real database, with an
// administrator and their token.
type env struct {
	t     testing.TB
	db    *db.DB
	srv   *httptest.Server
	api   *api.Server
	dir   *directory.Service
	auth  *auth.Service
	admin string // administrator's API token
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir(), 1<<20)
	jobs := job.NewQueue(d, log)
	tickets := ticket.NewService(d, log, dir, files, jobs)
	deadlines := sla.NewService(d, log, dir, tickets, jobs, sla.Config{})
	deadlines.Attach()
	a := &api.Server{
		Log: log, Auth: auth.NewService(d), Directory: dir, Attachments: files, Jobs: jobs,
		Tickets: tickets, Mailboxes: newMailboxes(t, d, log, jobs), SLA: deadlines,
		Search: search.NewService(d, log, jobs, dir, search.Config{}),
	}
	a.Search.Register(search.NewTicketSource(a.Tickets))
	a.Search.Register(search.NewContactSource(dir))
	a.Search.Register(search.NewCompanySource(dir))
	a.Search.RegisterJobs()
	a.Tickets.AddHook(a.Search)
	dir.AddHook(a.Search)
	a.Routing = routing.NewService(routing.Deps{DB: d, Log: log, Dir: dir, Tickets: tickets, Plans: deadlines,
		Replies: a.Replies, Jobs: jobs})
	a.Routing.Attach()
	a.Assign = assign.NewService(d, log, dir, tickets, jobs, assign.Config{})
	a.Assign.Attach()
	a.KB = kb.NewService(d, log, files, a.Tickets, kb.Config{BaseURL: "https://help.example"})
	a.Tickets.AddHook(a.KB)
	a.Scripts = script.NewService(d, log, a.Tickets, dir, a.KB)
	a.Replies = reply.NewService(d, log, a.Tickets, dir)
	a.Portal = portal.NewService(portal.Deps{DB: d, Log: log, Directory: dir, Tickets: a.Tickets, Files: files, Auth: a.Auth,
		Jobs: jobs, Blocked: a.Mailboxes, Senders: a.Mailboxes}, portal.Config{Key: []byte("the API tests' portal key, 32 bytes")})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)

	e := &env{t: t, db: d, srv: srv, api: a, dir: dir, auth: a.Auth}
	e.admin = e.agentToken(directory.AgentInput{Name: "Ada Admin", Email: "admin@example.com", Role: auth.RoleAdmin})
	return e
}

// indexed brings the search index up to date, as the index jobs would
// (no job workers run here).
func (e *env) indexed() {
	e.t.Helper()
	if err := e.api.Search.Rebuild(context.Background(), nil); err != nil {
		e.t.Fatal(err)
	}
}

// agentToken creates an agent and returns a token for it.
func (e *env) agentToken(in directory.AgentInput) string {
	e.t.Helper()
	ag, err := e.dir.CreateAgent(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	secret, _, err := e.auth.CreateToken(context.Background(), ag.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// response is an API answer: its status and decoded JSON body.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// do sends body (a string is sent as is, anything else as JSON) with token.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	json.Unmarshal(raw, &out.Body)
	return out
}

// want fails the test unless the response has the status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Raw)
	}
	return r
}

// errorOf returns the error code and field of an error response.
func (r response) errorOf() (code, field string) {
	e, _ := r.Body["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

// id returns the response's "id" as an int64.
func (r response) id() int64 {
	f, _ := r.Body["id"].(float64)
	return int64(f)
}
