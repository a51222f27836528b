package kb_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// fixture is the knowledge base on a real database, wired to tickets as
// the application wires it, with an administrator and an agent.
type fixture struct {
	ctx     context.Context
	d       *db.DB
	kb      *kb.Service
	tickets *ticket.Service
	dir     *directory.Service
	files   *attachment.Service
	admin   auth.Principal
	anna    auth.Principal // an agent of group desk
	desk    int64
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir(), 1<<20)
	tickets := ticket.NewService(d, log, dir, files, job.NewQueue(d, log))
	f := &fixture{ctx: ctx, d: d, dir: dir, files: files, tickets: tickets}
	f.kb = kb.NewService(d, log, files, tickets, kb.Config{BaseURL: "https://help.example/"})
	tickets.AddHook(f.kb)
	g, err := dir.CreateGroup(ctx, directory.GroupInput{Name: "Service desk"})
	if err != nil {
		t.Fatal(err)
	}
	f.desk = g.ID
	f.admin = f.agent(t, "Ada Admin", "ada@support.example", auth.RoleAdmin)
	f.anna = f.agent(t, "Anna Bērziņa", "anna@support.example", auth.RoleAgent, g.ID)
	return f
}

func (f *fixture) agent(t testing.TB, name, email string, role auth.Role, groups ...int64) auth.Principal {
	t.Helper()
	a, err := f.dir.CreateAgent(f.ctx, directory.AgentInput{Name: name, Email: email, Role: role, GroupIDs: groups})
	if err != nil {
		t.Fatal(err)
	}
	return auth.Principal{AgentID: a.ID, Name: a.Name, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
}

// article creates an article with one translation and publishes it.
func (f *fixture) article(t *testing.T, st kb.Settings, d kb.Draft) kb.Article {
	t.Helper()
	a, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{Settings: st, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	a, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, d.Language)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) plan(t testing.TB, name string) int64 {
	t.Helper()
	p, err := f.dir.CreatePlan(f.ctx, directory.PlanInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got error %v, want code %s field %q", err, code, field)
	}
}

func ptr[T any](v T) *T { return &v }

// count runs a count query.
func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.d.R.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func titles(list []kb.Found) string {
	var out []string
	for _, f := range list {
		out = append(out, f.Translation.Title)
	}
	return strings.Join(out, ", ")
}
