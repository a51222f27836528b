package routing_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/assign"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// fixture is a help desk whose tickets go through routing and then
// assignment, as `linedesk serve` wires them: a Riga office calendar on
// a plan for one client company, groups, agents, a canned response and a
// custom field.
type fixture struct {
	d       *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	plans   *sla.Service
	replies *reply.Service
	mail    *mailbox.Service
	svc     *routing.Service
	assign  *assign.Service

	now      time.Time
	admin    auth.Principal
	office   *sla.Calendar
	plan     sla.Plan
	company  directory.Company
	contact  directory.Contact
	desk     directory.Group
	network  directory.Group
	vip      directory.Group
	anna     directory.Agent
	mbox     mailbox.Mailbox
	greeting reply.Reply
}

var riga = mustZone("Europe/Riga")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// monday10 is Monday 16 June 2025, 10:00 in Riga: inside office hours.
var monday10 = time.Date(2025, 6, 16, 10, 0, 0, 0, riga)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := wire(t, d)
	f.seed(t)
	return f
}

// newFixture2 is a second node on the fixture's database: its own
// services and caches, the same data.
func newFixture2(t *testing.T, f *fixture) *fixture {
	t.Helper()
	n := wire(t, f.d)
	n.admin, n.office, n.plan, n.company, n.contact = f.admin, f.office, f.plan, f.company, f.contact
	n.desk, n.network, n.vip, n.anna, n.mbox, n.greeting = f.desk, f.network, f.vip, f.anna, f.mbox, f.greeting
	return n
}

// wire builds one node's services on d.
func wire(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{d: d, dir: directory.NewService(d), now: monday10}
	f.jobs = job.NewQueueWith(d, log, job.Config{PollInterval: 10 * time.Millisecond})
	f.tickets = ticket.NewService(d, log, f.dir, attachment.NewService(d, t.TempDir(), 1<<20), f.jobs)
	f.plans = sla.NewService(d, log, f.dir, f.tickets, f.jobs, sla.Config{})
	f.plans.Attach()
	f.replies = reply.NewService(d, log, f.tickets, f.dir)
	f.svc = routing.NewService(routing.Deps{DB: d, Log: log, Dir: f.dir, Tickets: f.tickets, Plans: f.plans,
		Replies: f.replies, Jobs: f.jobs})
	f.svc.SetClock(func() time.Time { return f.now })
	f.svc.Attach()
	f.assign = assign.NewService(d, log, f.dir, f.tickets, f.jobs, assign.Config{})
	f.assign.Attach()
	cipher, err := mailbox.NewCipher("the routing tests' secret key, long enough")
	must(t, err)
	f.mail = mailbox.NewService(d, log, f.jobs, mailbox.Config{Cipher: cipher, MaxBytes: 1 << 20})
	return f
}

// seed adds the desk's data.
func (f *fixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	f.desk = f.group(t, "Service desk")
	f.network = f.group(t, "Network")
	f.vip = f.group(t, "VIP")
	admin, err := f.dir.CreateAgent(ctx, directory.AgentInput{Name: "Ada Admin", Email: "ada@desk.example",
		Role: auth.RoleAdmin})
	must(t, err)
	f.admin = auth.Principal{AgentID: admin.ID, Name: admin.Name, Role: admin.Role}
	f.anna, err = f.dir.CreateAgent(ctx, directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@desk.example",
		GroupIDs: []int64{f.desk.ID, f.network.ID}})
	must(t, err)
	f.office, err = f.plans.CreateCalendar(ctx, sla.Calendar{Name: "Riga office", TimeZone: "Europe/Riga",
		Windows: weekdays("09:00", "17:00")})
	must(t, err)
	in := sla.NewPlanInput()
	in.Name, in.CalendarID = "Premium", &f.office.ID
	f.plan, err = f.plans.CreatePlan(ctx, in)
	must(t, err)
	f.company, err = f.dir.CreateCompany(ctx, directory.CompanyInput{Name: "SIA Klients", Domains: []string{"klients.lv"},
		PlanID: &f.plan.ID})
	must(t, err)
	f.contact, err = f.dir.CreateContact(ctx, directory.ContactInput{Name: "Jānis Kalniņš", Email: "janis@klients.lv",
		CompanyID: &f.company.ID})
	must(t, err)
	f.mbox, err = f.mail.CreateMailbox(ctx, mailbox.MailboxInput{Address: "support@desk.example", Name: "Support"})
	must(t, err)
	f.greeting, err = f.replies.Create(ctx, f.admin, reply.Response, reply.Input{Name: "We got it",
		Texts: map[string]string{"en": "Hello {{requester.first_name}}, we are on {{ticket.number}}."}})
	must(t, err)
	_, err = f.tickets.CreateField(ctx, f.admin, ticket.FieldInput{Key: "asset", Label: "Asset", Type: ticket.FieldText})
	must(t, err)
}

func groupRR(groupID int64) assign.Group {
	return assign.Group{GroupID: groupID, Mode: assign.ModeRoundRobin}
}

func ticketRef(f *fixture) ticket.RequesterRef { return ticket.RequesterRef{ID: &f.contact.ID} }

func (f *fixture) group(t testing.TB, name string) directory.Group {
	t.Helper()
	g, err := f.dir.CreateGroup(context.Background(), directory.GroupInput{Name: name})
	must(t, err)
	return g
}

func weekdays(from, to string) []sla.Window {
	var out []sla.Window
	for d := 1; d <= 5; d++ {
		out = append(out, sla.Window{Weekday: d, From: tod(from), To: tod(to)})
	}
	return out
}

func tod(s string) sla.TimeOfDay {
	v, err := sla.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return v
}

// rule creates an enabled rule.
func (f *fixture) rule(t *testing.T, in routing.Input) routing.Rule {
	t.Helper()
	r, err := f.svc.CreateRule(context.Background(), in)
	must(t, err)
	return r
}

// open creates a ticket of the client's contact with a subject and body.
func (f *fixture) open(t *testing.T, nt ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if nt.Requester.ID == nil && nt.Requester.Email == "" {
		nt.Requester.ID = &f.contact.ID
	}
	if nt.Subject == "" {
		nt.Subject = "Question"
	}
	tk, err := f.tickets.CreateTicket(context.Background(), auth.System(), nt)
	must(t, err)
	return f.reload(t, tk.ID)
}

func (f *fixture) reload(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.FindTicket(context.Background(), auth.System(), id)
	must(t, err)
	return tk
}

// history returns the ticket's entries of the given kinds.
func (f *fixture) history(t *testing.T, id int64, kinds ...string) []ticket.Event {
	t.Helper()
	list, err := f.tickets.Events(context.Background(), auth.System(), id)
	must(t, err)
	var out []ticket.Event
	for _, e := range list {
		if len(kinds) == 0 || slices.Contains(kinds, e.Kind) {
			out = append(out, e)
		}
	}
	return out
}

// reasons lists "field=to (reason)" of the ticket's changes made by rules.
func (f *fixture) ruleChanges(t *testing.T, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range f.history(t, id, ticket.EventChanged) {
		if _, ok := routing.RuleOfReason(e.Reason); ok {
			out = append(out, e.Field+"="+e.To+" ("+e.Reason+")")
		}
	}
	return out
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

func id(v int64) string { return strconv.FormatInt(v, 10) }

func ptr[T any](v T) *T { return &v }
