package search_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashHelperEnv) != "" {
		runCrashHelper()
		return
	}
	os.Exit(dbtest.Main(m))
}

// env is the search wired as the application wires it, on a real
// database, with job workers running: an administrator, Alice in the
// service desk, Bob in the network group.
type env struct {
	d       *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	search  *search.Service
	admin   auth.Principal
	alice   auth.Principal
	bob     auth.Principal
	desk    int64
	netwrk  int64
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// wire builds the services on d as app does.
func wire(t testing.TB, d *db.DB) *env {
	t.Helper()
	log := quietLog()
	e := &env{d: d, dir: directory.NewService(d)}
	e.jobs = job.NewQueueWith(d, log, job.Config{PollInterval: 5 * time.Millisecond})
	e.tickets = ticket.NewService(d, log, e.dir, attachment.NewService(d, t.TempDir(), 1<<20), e.jobs)
	e.search = search.NewService(d, log, e.jobs, e.dir, search.Config{})
	e.search.Register(search.NewTicketSource(e.tickets))
	e.search.Register(search.NewContactSource(e.dir))
	e.search.Register(search.NewCompanySource(e.dir))
	e.search.RegisterJobs()
	if err := e.search.Upgrade(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.tickets.AddHook(e.search)
	e.dir.AddHook(e.search)
	return e
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := wire(t, d)
	e.team(t)
	e.run(t)
	return e
}

// run starts the job workers until the test ends.
func (e *env) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.jobs.Run(ctx, 2); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func (e *env) team(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	e.desk = e.group(t, "Service desk")
	e.netwrk = e.group(t, "Network")
	mk := func(name, email string, role auth.Role, groups ...int64) auth.Principal {
		a, err := e.dir.CreateAgent(ctx, directory.AgentInput{Name: name, Email: email, Role: role, Line: 1, GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{AgentID: a.ID, Name: a.Name, Email: a.Email, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
	}
	e.admin = mk("Ada Admin", "ada@support.example", auth.RoleAdmin)
	e.alice = mk("Alice First", "alice@support.example", auth.RoleAgent, e.desk)
	e.bob = mk("Bob Second", "bob@support.example", auth.RoleAgent, e.netwrk)
}

func (e *env) group(t testing.TB, name string) int64 {
	t.Helper()
	g, err := e.dir.CreateGroup(context.Background(), directory.GroupInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return g.ID
}

// open creates a ticket as the administrator.
func (e *env) open(t testing.TB, in ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if in.Requester.Email == "" && in.Requester.ID == nil {
		in.Requester.Email = "anna@client.example"
	}
	tk, err := e.tickets.CreateTicket(context.Background(), e.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) comment(t testing.TB, id int64, body string, public bool) ticket.Comment {
	t.Helper()
	c, err := e.tickets.AddComment(context.Background(), e.admin, id, ticket.NewComment{Body: body, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// settle waits until no index job is waiting or running.
func (e *env) settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		err := e.d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM jobs
			WHERE kind LIKE 'search.%' AND state IN ('pending', 'running')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			var dead int
			e.d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM jobs WHERE kind LIKE 'search.%' AND state = 'dead'`).Scan(&dead)
			if dead > 0 {
				t.Fatalf("%d index jobs died", dead)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d index jobs still waiting", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// find searches as the viewer and returns the hits.
func (e *env) find(t testing.TB, v search.Viewer, q string, kinds ...string) []search.Hit {
	t.Helper()
	res, err := e.search.Search(context.Background(), v, search.Request{Query: q, Kinds: kinds, PerPage: 100})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res.Hits
}

// numbers are the ticket numbers of hits, in order.
func numbers(hits []search.Hit) []int64 {
	var out []int64
	for _, h := range hits {
		if h.Kind == search.KindTicket {
			out = append(out, h.Number)
		}
	}
	return out
}

func has(hits []search.Hit, number int64) bool {
	for _, h := range hits {
		if h.Kind == search.KindTicket && h.Number == number {
			return true
		}
	}
	return false
}

func snippets(hits []search.Hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString(h.TitleHTML + " | " + h.Snippet + "\n")
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
