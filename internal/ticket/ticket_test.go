package ticket_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashHelperEnv) != "" {
		runCrashHelper()
		return
	}
	os.Exit(dbtest.Main(m))
}

// fixture is a ticket service on a real database with a small team:
// an administrator, and two agents in two groups.
type fixture struct {
	svc    *ticket.Service
	db     *db.DB
	admin  auth.Principal
	alice  auth.Principal // line 1, group "Service desk"
	bob    auth.Principal // line 2, group "Network"
	desk   int64          // group ids
	netwrk int64
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	files := attachment.NewService(d, t.TempDir(), 1<<20)
	f := &fixture{svc: ticket.NewService(d, log, dir, files, job.NewQueue(d, log)), db: d}
	f.desk = insertGroup(t, d, "Service desk")
	f.netwrk = insertGroup(t, d, "Network")
	mk := func(name, email string, role auth.Role, line int, groups ...int64) auth.Principal {
		a, err := dir.CreateAgent(ctx, directory.AgentInput{Name: name, Email: email, Role: role, Line: line, GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{AgentID: a.ID, Name: a.Name, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
	}
	f.admin = mk("Ada Admin", "ada@support.example", auth.RoleAdmin, 1)
	f.alice = mk("Alice First", "alice@support.example", auth.RoleAgent, 1, f.desk)
	f.bob = mk("Bob Second", "bob@support.example", auth.RoleAgent, 2, f.netwrk)
	return f
}

func insertGroup(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	var id int64
	err := d.W.QueryRowContext(context.Background(), `INSERT INTO groups (name, name_key, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING id`, name, name, db.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// open creates a ticket as the administrator, failing the test on error.
func (f *fixture) open(t *testing.T, in ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if in.Subject == "" {
		in.Subject = "Printer does not print"
	}
	if in.Requester.Email == "" && in.Requester.ID == nil {
		in.Requester.Email = "anna@client.example"
	}
	tk, err := f.svc.CreateTicket(context.Background(), f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got error %v, want code %s field %q", err, code, field)
	}
}

func ptr[T any](v T) *T { return &v }
