package sla_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// clock is a settable time shared by the services of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// node is one Linedesk's services on a database: what `linedesk serve`
// wires, without HTTP.
type node struct {
	d       *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	svc     *sla.Service
}

func newNode(t testing.TB, d *db.DB, c *clock, cfg sla.Config) *node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := &node{d: d, dir: directory.NewService(d)}
	n.jobs = job.NewQueueWith(d, log, job.Config{PollInterval: 20 * time.Millisecond})
	n.tickets = ticket.NewService(d, log, n.dir, attachment.NewService(d, t.TempDir(), 1<<20), n.jobs)
	n.svc = sla.NewService(d, log, n.dir, n.tickets, n.jobs, cfg)
	n.svc.SetClock(c.Now)
	n.svc.Attach()
	return n
}

// fixture is a help desk in Riga: an office calendar (09:00–17:00 on
// weekdays), a plan on it for a client company, two groups mapped to
// lines 1 and 2, an agent in each, a supervisor.
type fixture struct {
	*node
	clock   *clock
	office  *sla.Calendar
	plan    sla.Plan
	company directory.Company
	contact directory.Contact
	line1   directory.Group
	line2   directory.Group
	anna    auth.Principal // line 1
	ivan    auth.Principal // line 2
	boss    auth.Principal // supervisor
}

// friday16 is Friday 13 June 2025, 16:00 in Riga.
var friday16 = time.Date(2025, 6, 13, 16, 0, 0, 0, riga1())

func riga1() *time.Location {
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		panic(err)
	}
	return loc
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	c := &clock{t: friday16}
	return newFixtureOn(t, newNode(t, d, c, sla.Config{}), c)
}

// newFixtureOn sets the help desk up through one node.
func newFixtureOn(t *testing.T, n *node, c *clock) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{node: n, clock: c}
	var err error
	f.office, err = f.svc.CreateCalendar(ctx, sla.Calendar{Name: "Riga office", TimeZone: "Europe/Riga",
		Windows: weekdays("09:00", "17:00")})
	must(t, err)
	f.line1, err = f.dir.CreateGroup(ctx, directory.GroupInput{Name: "Service desk"})
	must(t, err)
	f.line2, err = f.dir.CreateGroup(ctx, directory.GroupInput{Name: "Network"})
	must(t, err)
	_, err = f.svc.SetLineGroups(ctx, 1, []int64{f.line1.ID})
	must(t, err)
	_, err = f.svc.SetLineGroups(ctx, 2, []int64{f.line2.ID})
	must(t, err)
	f.anna = f.agent(t, "Anna Bērziņa", "anna@desk.example", auth.RoleAgent, 1, f.line1.ID)
	f.ivan = f.agent(t, "Иван Петров", "ivan@desk.example", auth.RoleAgent, 2, f.line2.ID)
	f.boss = f.agent(t, "Sandra Supervisor", "sandra@desk.example", auth.RoleSupervisor, 1)
	in := sla.NewPlanInput()
	in.Name, in.CalendarID = "Premium", &f.office.ID
	in.Targets = map[ticket.Priority]sla.Targets{
		ticket.PriorityNormal: {FirstResponse: ptr(60), NextResponse: ptr(120), Resolution: ptr(480)},
		ticket.PriorityHigh:   {FirstResponse: ptr(30), NextResponse: ptr(60), Resolution: ptr(360)},
		ticket.PriorityUrgent: {FirstResponse: ptr(15), NextResponse: ptr(30), Resolution: ptr(240)},
	}
	in.Escalation = sla.Escalation{On: []sla.Target{sla.FirstResponse, sla.Resolution}, NextLine: true, RaisePriority: true,
		NotifyAgentID: &f.boss.AgentID}
	f.plan, err = f.svc.CreatePlan(ctx, in)
	must(t, err)
	f.company, err = f.dir.CreateCompany(ctx, directory.CompanyInput{Name: "SIA Klients", Domains: []string{"klients.lv"},
		PlanID: &f.plan.ID})
	must(t, err)
	f.contact, err = f.dir.CreateContact(ctx, directory.ContactInput{Name: "Jānis Kalniņš", Email: "janis@klients.lv",
		CompanyID: &f.company.ID})
	must(t, err)
	return f
}

func (f *fixture) agent(t *testing.T, name, email string, role auth.Role, line int, groups ...int64) auth.Principal {
	t.Helper()
	a, err := f.dir.CreateAgent(context.Background(), directory.AgentInput{Name: name, Email: email, Role: role, Line: line,
		GroupIDs: groups})
	must(t, err)
	return auth.Principal{AgentID: a.ID, Name: a.Name, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
}

// open creates a ticket of the client's contact in the line-1 group.
func (f *fixture) open(t *testing.T, p ticket.Priority) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.CreateTicket(context.Background(), auth.System(), ticket.NewTicket{Subject: "VPN is down",
		Requester: ticket.RequesterRef{ID: &f.contact.ID}, Priority: p, GroupID: &f.line1.ID, AssigneeID: &f.anna.AgentID})
	must(t, err)
	return f.reload(t, tk.ID)
}

func (f *fixture) reload(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.FindTicket(context.Background(), auth.System(), id)
	must(t, err)
	return tk
}

func (f *fixture) update(t *testing.T, id int64, u ticket.Update) ticket.Ticket {
	t.Helper()
	u.Version = f.reload(t, id).Version
	_, err := f.tickets.UpdateTicket(context.Background(), f.anna, id, u)
	must(t, err)
	return f.reload(t, id)
}

func (f *fixture) reply(t *testing.T, id int64, public bool) {
	t.Helper()
	_, err := f.tickets.AddComment(context.Background(), f.anna, id, ticket.NewComment{Body: "Looking into it", Public: public})
	must(t, err)
}

func (f *fixture) customerReply(t *testing.T, id int64) {
	t.Helper()
	_, err := f.tickets.AddComment(context.Background(), f.anna, id, ticket.NewComment{Body: "Still broken",
		Public: true, AuthorContactID: &f.contact.ID})
	must(t, err)
}

// status returns one target of a ticket as the ticket page shows it.
func (f *fixture) status(t *testing.T, id int64, target sla.Target) sla.TargetStatus {
	t.Helper()
	st, err := f.svc.Status(context.Background(), auth.System(), id)
	must(t, err)
	for _, ts := range st.Targets {
		if ts.Target == target {
			return ts
		}
	}
	t.Fatalf("ticket %d has no %s target: %+v", id, target, st.Targets)
	return sla.TargetStatus{}
}

// local is a Riga wall time in June 2025: local(16, 9, 30) is Monday the
// 16th, 09:30.
func local(day, hour, min int) time.Time {
	return time.Date(2025, 6, day, hour, min, 0, 0, riga1())
}

func wantTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Errorf("%s: %v, want %s", what, showTime(got), want.Format("Mon 2006-01-02 15:04 MST"))
	}
}

func showTime(p *time.Time) string {
	if p == nil {
		return "none"
	}
	return p.In(riga1()).Format("Mon 2006-01-02 15:04 MST")
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid || e.Field != field {
		t.Fatalf("error %v, want invalid %s", err, field)
	}
}

func ptr[T any](v T) *T { return &v }

// events returns the kinds of a ticket's history entries of the given kinds.
func (f *fixture) events(t *testing.T, id int64, kinds ...string) []ticket.Event {
	t.Helper()
	list, err := f.tickets.Events(context.Background(), auth.System(), id)
	must(t, err)
	var out []ticket.Event
	for _, e := range list {
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, e)
			}
		}
	}
	return out
}

// waitFor waits until ok holds, for what the job workers do after a
// change commits.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
