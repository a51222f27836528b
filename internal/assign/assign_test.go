package assign_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
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
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// node is one Linedesk's ticket and assignment services on a database.
type node struct {
	d       *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	svc     *assign.Service
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newNode(t *testing.T, d *db.DB, c *clock) *node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := &node{d: d, dir: directory.NewService(d)}
	n.jobs = job.NewQueue(d, log)
	n.tickets = ticket.NewService(d, log, n.dir, attachment.NewService(d, t.TempDir(), 1<<20), n.jobs)
	n.svc = assign.NewService(d, log, n.dir, n.tickets, n.jobs, assign.Config{})
	n.svc.SetClock(c.Now)
	n.svc.Attach()
	return n
}

// fixture is a group with three agents, in id order Anna, Boris, Chris.
type fixture struct {
	*node
	clock              *clock
	group              directory.Group
	anna, boris, chris directory.Agent
	requester          directory.Contact
}

var riga = func() *time.Location { l, _ := time.LoadLocation("Europe/Riga"); return l }()

// monday10 is Monday 16 June 2025, 10:00 in Riga.
var monday10 = time.Date(2025, 6, 16, 10, 0, 0, 0, riga)

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	c := &clock{t: monday10}
	f := &fixture{node: newNode(t, d, c), clock: c}
	ctx := context.Background()
	var err error
	f.group, err = f.dir.CreateGroup(ctx, directory.GroupInput{Name: "Service desk"})
	must(t, err)
	for _, a := range []struct {
		p    *directory.Agent
		name string
	}{{&f.anna, "Anna"}, {&f.boris, "Boris"}, {&f.chris, "Chris"}} {
		*a.p, err = f.dir.CreateAgent(ctx, directory.AgentInput{Name: a.name, Email: strings.ToLower(a.name) + "@desk.example",
			TimeZone: "Europe/Riga", GroupIDs: []int64{f.group.ID}})
		must(t, err)
	}
	f.requester, err = f.dir.CreateContact(ctx, directory.ContactInput{Name: "Jānis", Email: "janis@klients.lv"})
	must(t, err)
	return f
}

func (f *fixture) mode(t *testing.T, g assign.Group) {
	t.Helper()
	g.GroupID = f.group.ID
	_, err := f.svc.SetGroup(context.Background(), g)
	must(t, err)
}

// open creates a ticket in the group and answers who got it (0: nobody).
func (f *fixture) open(t *testing.T) (ticket.Ticket, int64) {
	t.Helper()
	tk, err := f.tickets.CreateTicket(context.Background(), auth.System(), ticket.NewTicket{Subject: "Help",
		Requester: ticket.RequesterRef{ID: &f.requester.ID}, GroupID: &f.group.ID})
	must(t, err)
	tk, err = f.tickets.FindTicket(context.Background(), auth.System(), tk.ID)
	must(t, err)
	if tk.AssigneeID == nil {
		return tk, 0
	}
	return tk, *tk.AssigneeID
}

func (f *fixture) name(id int64) string {
	switch id {
	case f.anna.ID:
		return "Anna"
	case f.boris.ID:
		return "Boris"
	case f.chris.ID:
		return "Chris"
	}
	return "nobody"
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

func tod(s string) sla.TimeOfDay {
	v, err := sla.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return v
}

// TestRoundRobin: agents take turns in id order, skipping the away one
// and the one at their limit, and the history says how it was assigned.
func TestRoundRobin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.mode(t, assign.Group{Mode: assign.ModeRoundRobin})
		var got []string
		for range 4 {
			_, who := f.open(t)
			got = append(got, f.name(who))
		}
		if strings.Join(got, ",") != "Anna,Boris,Chris,Anna" {
			t.Errorf("round-robin order %v", got)
		}
		_, err := f.svc.SetAway(ctx, f.boris.ID, true)
		must(t, err)
		_, err = f.svc.SetLimit(ctx, f.chris.ID, ptr(1)) // Chris has one open ticket already
		must(t, err)
		tk, who := f.open(t)
		if who != f.anna.ID {
			t.Errorf("with Boris away and Chris full: %s got it, want Anna", f.name(who))
		}
		ev, err := f.tickets.Events(ctx, auth.System(), tk.ID)
		must(t, err)
		found := false
		for _, e := range ev {
			if e.Field == "assignee_id" && e.Reason == assign.ReasonRoundRobin && e.ActorType == "system" {
				found = true
			}
		}
		if !found {
			t.Errorf("no history entry %q: %+v", assign.ReasonRoundRobin, ev)
		}
		_, err = f.svc.SetAway(ctx, f.anna.ID, true)
		must(t, err)
		if _, who := f.open(t); who != 0 {
			t.Errorf("everyone away or full: %s got it, want the queue", f.name(who))
		}
	})
}

// TestLeastOpen: the agent with the fewest open tickets gets the next
// one; solved tickets do not count; a limit from the group holds.
func TestLeastOpen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		give := func(agent int64, n int, status ticket.Status) {
			for range n {
				_, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "x", Status: status,
					Requester: ticket.RequesterRef{ID: &f.requester.ID}, AssigneeID: &agent})
				must(t, err)
			}
		}
		give(f.anna.ID, 3, "")
		give(f.boris.ID, 1, "")
		give(f.chris.ID, 2, "")
		give(f.boris.ID, 5, ticket.StatusSolved)
		f.mode(t, assign.Group{Mode: assign.ModeLeastOpen, MaxOpen: 3})
		var got []string
		for range 3 {
			_, who := f.open(t)
			got = append(got, f.name(who))
		}
		// Boris 1→2; then Boris and Chris at 2, and Chris comes after
		// Boris in turn (2→3); then Boris 2→3. Anna is at the limit.
		if strings.Join(got, ",") != "Boris,Chris,Boris" {
			t.Errorf("least-open choices %v", got)
		}
		if _, who := f.open(t); who != 0 {
			t.Errorf("everyone at the limit of 3: %s got it", f.name(who))
		}
	})
}

// TestConcurrentAssignment: many tickets created at once into a group
// whose one agent has room for one: exactly one goes to the agent, on
// both databases.
func TestConcurrentAssignment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for _, a := range []int64{f.boris.ID, f.chris.ID} {
			_, err := f.svc.SetAway(ctx, a, true)
			must(t, err)
		}
		f.mode(t, assign.Group{Mode: assign.ModeLeastOpen, MaxOpen: 1})
		other := newNode(t, d, f.clock) // a second node on the same database
		const n = 12
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tickets := f.tickets
				if i%2 == 1 {
					tickets = other.tickets
				}
				_, err := tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Same moment",
					Requester: ticket.RequesterRef{ID: &f.requester.ID}, GroupID: &f.group.ID})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		var got int
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE assignee_id = $1`, f.anna.ID).Scan(&got))
		if got != 1 {
			t.Errorf("Anna has %d tickets, want exactly 1 (her limit)", got)
		}
	})
}

// TestConcurrentMoves: tickets moved into the group at the same moment
// (escalations, rules) — transactions that share no row but the group's
// assignment state — still give the agent only what she has room for.
// Creations also wait for each other on the ticket number; moves do not.
func TestConcurrentMoves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for _, a := range []int64{f.boris.ID, f.chris.ID} {
			_, err := f.svc.SetAway(ctx, a, true)
			must(t, err)
		}
		f.mode(t, assign.Group{Mode: assign.ModeRoundRobin, MaxOpen: 2})
		other := newNode(t, d, f.clock)
		const n = 12
		var ids []int64
		for range n {
			tk, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Waiting",
				Requester: ticket.RequesterRef{ID: &f.requester.ID}})
			must(t, err)
			ids = append(ids, tk.ID)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tickets := f.tickets
				if i%2 == 1 {
					tickets = other.tickets
				}
				<-start
				_, err := tickets.UpdateTicket(ctx, auth.System(), id, ticket.Update{Version: 1,
					GroupID: ticket.IDChange{Set: true, ID: &f.group.ID}})
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		var got int
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE assignee_id = $1`, f.anna.ID).Scan(&got))
		if got != 2 {
			t.Errorf("Anna has %d tickets, want exactly 2 (her limit)", got)
		}
	})
}

// TestShiftsAtMidnight: an evening shift ending at 00:00 and a night
// shift starting at 22:00 and running into the next day decide who is
// on shift on each side of midnight.
func TestShiftsAtMidnight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.mode(t, assign.Group{Mode: assign.ModeRoundRobin})
		// Anna: Monday 16:00–00:00. Boris: Monday 22:00 – Tuesday 06:00.
		// Chris: around the clock, but away.
		_, err := f.svc.SetShift(ctx, f.anna.ID, assign.Shift{Windows: []sla.Window{{Weekday: 1, From: tod("16:00"), To: tod("00:00")}}})
		must(t, err)
		_, err = f.svc.SetShift(ctx, f.boris.ID, assign.Shift{Windows: []sla.Window{{Weekday: 1, From: tod("22:00"), To: tod("06:00")}}})
		must(t, err)
		_, err = f.svc.SetShift(ctx, f.chris.ID, assign.Shift{Always: true})
		must(t, err)
		_, err = f.svc.SetAway(ctx, f.chris.ID, true)
		must(t, err)
		cases := []struct {
			at   time.Time
			want []string // who may get a ticket, in turn
		}{
			{time.Date(2025, 6, 16, 21, 59, 0, 0, riga), []string{"Anna"}},
			{time.Date(2025, 6, 16, 23, 59, 0, 0, riga), []string{"Anna", "Boris"}},
			{time.Date(2025, 6, 17, 0, 0, 0, 0, riga), []string{"Boris"}},
			{time.Date(2025, 6, 17, 5, 59, 0, 0, riga), []string{"Boris"}},
			{time.Date(2025, 6, 17, 6, 0, 0, 0, riga), nil},
			{time.Date(2025, 6, 23, 23, 0, 0, 0, riga), []string{"Anna", "Boris"}}, // the next Monday
		}
		for _, c := range cases {
			f.clock.Set(c.at)
			seen := map[string]bool{}
			for range 2 {
				_, who := f.open(t)
				seen[f.name(who)] = true
			}
			var got []string
			for _, n := range []string{"Anna", "Boris", "Chris", "nobody"} {
				if seen[n] {
					got = append(got, n)
				}
			}
			want := c.want
			if want == nil {
				want = []string{"nobody"}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: given to %v, want %v", c.at.Format("Mon 15:04"), got, want)
			}
		}
		f.clock.Set(time.Date(2025, 6, 17, 7, 0, 0, 0, riga))
		a, err := f.svc.FindAgent(ctx, f.boris.ID)
		must(t, err)
		if a.OnShift || a.Shift.TimeZone != "Europe/Riga" {
			t.Errorf("Boris at Tuesday 06:00+: on shift %v, zone %s", a.OnShift, a.Shift.TimeZone)
		}
	})
}

// TestBadShifts: a window at 25:00, an unknown zone, a bad weekday and a
// bad mode are refused naming the field, and nothing changes.
func TestBadShifts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		ok := []sla.Window{{Weekday: 1, From: tod("09:00"), To: tod("17:00")}}
		_, err := f.svc.SetShift(ctx, f.anna.ID, assign.Shift{Windows: ok})
		must(t, err)
		_, err = assign.ParseWindow(1, "2", "22:00", "25:00")
		wantField(t, err, "windows[1].to")
		_, err = assign.ParseWindow(0, "8", "09:00", "10:00")
		wantField(t, err, "windows[0].weekday")
		_, err = f.svc.SetShift(ctx, f.anna.ID, assign.Shift{Windows: []sla.Window{{Weekday: 2, From: tod("10:00"),
			To: sla.TimeOfDay(25 * 60)}}})
		wantField(t, err, "windows[0].to")
		_, err = f.svc.SetShift(ctx, f.anna.ID, assign.Shift{TimeZone: "Mars/Olympus", Windows: ok})
		wantField(t, err, "time_zone")
		_, err = f.svc.SetGroup(ctx, assign.Group{GroupID: f.group.ID, Mode: "random"})
		wantField(t, err, "mode")
		_, err = f.svc.SetGroup(ctx, assign.Group{GroupID: f.group.ID, Mode: assign.ModeNone, ReturnAfterMinutes: -5})
		wantField(t, err, "return_after_minutes")
		_, err = f.svc.SetLimit(ctx, f.anna.ID, ptr(-1))
		wantField(t, err, "max_open")
		a, err := f.svc.FindAgent(ctx, f.anna.ID)
		must(t, err)
		if len(a.Shift.Windows) != 1 || a.Shift.Windows[0].To != tod("17:00") || a.MaxOpen != nil {
			t.Errorf("after bad input: %+v", a)
		}
		g, err := f.svc.FindGroup(ctx, f.group.ID)
		must(t, err)
		if g.Mode != assign.ModeNone || g.ReturnAfterMinutes != 0 {
			t.Errorf("group after bad input: %+v", g)
		}
	})
}
