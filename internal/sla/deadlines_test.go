package sla_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// The deadlines of tickets as they are created, answered, paused and
// moved, on the Riga office calendar (09:00–17:00 on weekdays) of the
// Premium plan: normal priority answers in 1 h, then 2 h after each
// customer reply, and solves in 8 h; urgent in 15 min, 30 min and 4 h.
func TestDeadlines(t *testing.T) {
	ctx := context.Background()
	run := func(name string, fn func(t *testing.T, f *fixture)) {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, newFixture(t, d)) })
		})
	}
	{

		run("computed at creation from plan, priority and calendar", func(t *testing.T, f *fixture) {
			created, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "VPN is down",
				Requester: ticket.RequesterRef{ID: &f.contact.ID}})
			must(t, err)
			// CreateTicket returns the deadlines the hook wrote, without reading the ticket back.
			wantTime(t, "first response as created", created.SLA.FirstResponseDueAt, local(13, 17, 0))
			if created.SLA.Resolution == nil || created.SLA.Resolution.State != ticket.SLARunning {
				t.Errorf("resolution as created: %+v", created.SLA.Resolution)
			}
			tk := f.open(t, ticket.PriorityNormal) // Friday 16:00
			wantTime(t, "first response", tk.SLA.FirstResponseDueAt, local(13, 17, 0))
			wantTime(t, "resolution", tk.SLA.ResolutionDueAt, local(16, 16, 0))
			if tk.SLA.NextResponseDueAt != nil || tk.SLA.NextResponse != nil {
				t.Errorf("a next-response clock before any reply: %+v", tk.SLA.NextResponse)
			}
			wantTime(t, "nearest deadline", tk.SLA.NextDueAt, local(13, 17, 0))
			if tk.SLA.FirstResponse.State != ticket.SLARunning || tk.SLA.Resolution.State != ticket.SLARunning {
				t.Errorf("states %+v %+v", tk.SLA.FirstResponse, tk.SLA.Resolution)
			}
		})

		run("a priority change mid-way counts the working time used", func(t *testing.T, f *fixture) {
			tk := f.open(t, ticket.PriorityNormal)
			f.clock.Set(local(13, 16, 30))
			tk = f.update(t, tk.ID, ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
			// 30 min used: the 15-minute first response is due at once, the
			// 4-hour resolution has 3 h 30 left: 30 min on Friday, 3 h on Monday.
			wantTime(t, "first response", tk.SLA.FirstResponseDueAt, local(13, 16, 30))
			wantTime(t, "resolution", tk.SLA.ResolutionDueAt, local(16, 12, 0))
			if st := f.status(t, tk.ID, sla.FirstResponse); st.State != ticket.SLABreached {
				t.Errorf("first response after the raise: %s, want breached", st.State)
			}
			f.clock.Set(local(16, 10, 0))
			tk = f.update(t, tk.ID, ticket.Update{Priority: ptr(ticket.PriorityNormal)})
			// Back to 8 h: 2 h used by Monday 10:00 (an hour on Friday, one on
			// Monday), 6 h left.
			wantTime(t, "resolution back at normal", tk.SLA.ResolutionDueAt, local(16, 16, 0))
		})

		run("the first public reply meets the first response; a note does not", func(t *testing.T, f *fixture) {
			tk := f.open(t, ticket.PriorityNormal)
			f.clock.Set(local(13, 16, 20))
			f.reply(t, tk.ID, false)
			if st := f.status(t, tk.ID, sla.FirstResponse); st.State != ticket.SLARunning {
				t.Fatalf("an internal note changed the first response to %s", st.State)
			}
			f.clock.Set(local(13, 16, 40))
			f.reply(t, tk.ID, true)
			st := f.status(t, tk.ID, sla.FirstResponse)
			if st.State != ticket.SLAMet || st.Counting || st.Remaining != 20*time.Minute {
				t.Errorf("after the reply: %+v, want met with 20 min to spare", st)
			}
			tk = f.reload(t, tk.ID)
			if tk.SLA.FirstResponse.State != ticket.SLAMet {
				t.Errorf("the ticket's row says %s", tk.SLA.FirstResponse.State)
			}
			wantTime(t, "nearest deadline is now the resolution", tk.SLA.NextDueAt, local(16, 16, 0))
		})

		run("each customer reply starts a next-response clock the next public reply meets", func(t *testing.T, f *fixture) {
			tk := f.open(t, ticket.PriorityNormal)
			f.customerReply(t, tk.ID) // before any answer: the first response covers it
			if tk = f.reload(t, tk.ID); tk.SLA.NextResponse != nil {
				t.Fatalf("a next response before the first: %+v", tk.SLA.NextResponse)
			}
			f.clock.Set(local(13, 16, 30))
			f.reply(t, tk.ID, true)
			f.clock.Set(local(16, 9, 30))
			f.customerReply(t, tk.ID)
			tk = f.reload(t, tk.ID)
			wantTime(t, "next response", tk.SLA.NextResponseDueAt, local(16, 11, 30))
			f.clock.Set(local(16, 10, 0))
			f.customerReply(t, tk.ID) // a second message does not move the deadline
			wantTime(t, "next response after a second message", f.reload(t, tk.ID).SLA.NextResponseDueAt, local(16, 11, 30))
			f.clock.Set(local(16, 11, 0))
			f.reply(t, tk.ID, true)
			if st := f.status(t, tk.ID, sla.NextResponse); st.State != ticket.SLAMet || st.Cycle != 1 {
				t.Errorf("after the answer: %+v", st)
			}
			f.clock.Set(local(16, 15, 30))
			f.customerReply(t, tk.ID)
			st := f.status(t, tk.ID, sla.NextResponse)
			if st.State != ticket.SLARunning || st.Cycle != 2 {
				t.Errorf("a new customer reply: %+v, want cycle 2 running", st)
			}
			wantTime(t, "second next response, over the evening", st.DueAt, local(17, 9, 30))
		})

		run("automatic mail starts no next-response clock", func(t *testing.T, f *fixture) {
			tk := f.open(t, ticket.PriorityNormal)
			f.reply(t, tk.ID, true)
			_, err := f.tickets.AddComment(ctx, auth.System(), tk.ID, ticket.NewComment{Body: "I am out of office",
				Public: true, AuthorContactID: &f.contact.ID, KeepStatus: true})
			must(t, err)
			if tk = f.reload(t, tk.ID); tk.SLA.NextResponse != nil {
				t.Errorf("an auto-reply started %+v", tk.SLA.NextResponse)
			}
		})

		run("pending pauses the resolution clock; it resumes with the time left", func(t *testing.T, f *fixture) {
			f.clock.Set(local(16, 9, 0))
			tk := f.open(t, ticket.PriorityNormal)
			wantTime(t, "resolution", tk.SLA.ResolutionDueAt, local(16, 17, 0))
			f.clock.Set(local(16, 11, 0))
			f.reply(t, tk.ID, true)
			tk = f.update(t, tk.ID, ticket.Update{Status: ptr(ticket.StatusPending)})
			if tk.SLA.Resolution.State != ticket.SLAPaused || tk.SLA.ResolutionDueAt != nil || tk.SLA.NextDueAt != nil {
				t.Fatalf("pending: %+v, next due %v", tk.SLA.Resolution, showTime(tk.SLA.NextDueAt))
			}
			f.clock.Set(local(18, 10, 0)) // two days later the customer answers, which wakes the ticket
			if st := f.status(t, tk.ID, sla.Resolution); st.Remaining != 6*time.Hour || st.State != ticket.SLAPaused {
				t.Errorf("while pending: %+v, want 6 h left, paused", st)
			}
			f.customerReply(t, tk.ID)
			tk = f.reload(t, tk.ID)
			if tk.Status != ticket.StatusOpen || tk.SLA.Resolution.State != ticket.SLARunning {
				t.Fatalf("after the customer's reply: %s %+v", tk.Status, tk.SLA.Resolution)
			}
			wantTime(t, "resolution resumed with 6 h left", tk.SLA.ResolutionDueAt, local(18, 16, 0))
		})

		run("on hold pauses only when the plan says so", func(t *testing.T, f *fixture) {
			f.clock.Set(local(16, 9, 0))
			tk := f.open(t, ticket.PriorityNormal)
			f.clock.Set(local(16, 10, 0))
			tk = f.update(t, tk.ID, ticket.Update{Status: ptr(ticket.StatusOnHold)})
			if tk.SLA.Resolution.State != ticket.SLARunning {
				t.Fatalf("on hold without pause_on_hold: %+v", tk.SLA.Resolution)
			}
			in := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
			in.PauseOnHold = true
			_, err := f.svc.UpdatePlan(ctx, f.plan.ID, in)
			must(t, err)
			f.clock.Set(local(16, 11, 0))
			must(t, f.svc.Resync(ctx, tk.ID)) // what the plan's resync job does for each open ticket
			if st := f.status(t, tk.ID, sla.Resolution); st.State != ticket.SLAPaused || st.Remaining != 6*time.Hour {
				t.Errorf("on hold with pause_on_hold: %+v", st)
			}
		})

		run("solving stops the resolution clock; reopening resumes it", func(t *testing.T, f *fixture) {
			f.clock.Set(local(16, 9, 0))
			tk := f.open(t, ticket.PriorityNormal)
			f.clock.Set(local(16, 10, 0))
			f.reply(t, tk.ID, true)
			tk = f.update(t, tk.ID, ticket.Update{Status: ptr(ticket.StatusSolved)})
			if tk.SLA.Resolution.State != ticket.SLAMet || tk.SLA.NextDueAt != nil {
				t.Fatalf("solved in time: %+v", tk.SLA.Resolution)
			}
			f.clock.Set(local(17, 9, 0))
			f.customerReply(t, tk.ID) // "it is broken again" reopens the ticket
			tk = f.reload(t, tk.ID)
			if tk.Status != ticket.StatusOpen || tk.SLA.Resolution.State != ticket.SLARunning {
				t.Fatalf("reopened: %s %+v", tk.Status, tk.SLA.Resolution)
			}
			wantTime(t, "resolution with the 7 h left", tk.SLA.ResolutionDueAt, local(17, 16, 0))
			wantTime(t, "and a next response for the reply", tk.SLA.NextResponseDueAt, local(17, 11, 0))
		})

		run("a ticket moved to another company gets that company's plan", func(t *testing.T, f *fixture) {
			f.clock.Set(local(16, 9, 0))
			tk := f.open(t, ticket.PriorityNormal)
			in := sla.NewPlanInput()
			in.Name = "Basic around the clock"
			in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityNormal: {Resolution: ptr(24 * 60)}}
			basic, err := f.svc.CreatePlan(ctx, in)
			must(t, err)
			other, err := f.dir.CreateCompany(ctx, directory.CompanyInput{Name: "Other", PlanID: &basic.ID})
			must(t, err)
			f.clock.Set(local(16, 11, 0))
			tk = f.update(t, tk.ID, ticket.Update{CompanyID: ticket.IDChange{Set: true, ID: &other.ID}})
			// 2 h of the office calendar used; 22 h left around the clock.
			wantTime(t, "resolution on the new plan", tk.SLA.ResolutionDueAt, local(17, 9, 0))
			if tk.SLA.FirstResponse != nil {
				t.Errorf("the new plan has no first-response target, yet %+v", tk.SLA.FirstResponse)
			}
			st, err := f.svc.Status(ctx, auth.System(), tk.ID)
			must(t, err)
			if st.PlanName != basic.Name || st.CalendarName != "" {
				t.Errorf("status plan %q calendar %q", st.PlanName, st.CalendarName)
			}
		})

		run("contacts without a company get the default plan", func(t *testing.T, f *fixture) {
			loner, err := f.dir.CreateContact(ctx, directory.ContactInput{Name: "Pēteris", Email: "peteris@gmail.com"})
			must(t, err)
			open := func() ticket.Ticket {
				tk, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Hello",
					Requester: ticket.RequesterRef{ID: &loner.ID}})
				must(t, err)
				return f.reload(t, tk.ID)
			}
			if tk := open(); tk.SLA.FirstResponse != nil {
				t.Fatalf("no default plan yet, but %+v", tk.SLA.FirstResponse)
			}
			in := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
			in.IsDefault = true
			_, err = f.svc.UpdatePlan(ctx, f.plan.ID, in)
			must(t, err)
			tk := open()
			wantTime(t, "first response on the default plan", tk.SLA.FirstResponseDueAt, local(13, 17, 0))
			p, ok, err := f.svc.PlanForContact(ctx, loner.ID)
			if err != nil || !ok || p.ID != f.plan.ID {
				t.Errorf("plan for the contact: %v %v %v", p.Name, ok, err)
			}
		})

		run("a client moved to another plan: its open tickets keep the new plan's deadlines", func(t *testing.T, f *fixture) {
			f.clock.Set(local(16, 9, 0))
			open, solved := f.open(t, ticket.PriorityNormal), f.open(t, ticket.PriorityNormal)
			f.update(t, solved.ID, ticket.Update{Status: ptr(ticket.StatusSolved)})
			wantTime(t, "resolution on Premium", open.SLA.ResolutionDueAt, local(16, 17, 0))
			resyncs := func() int {
				var n int
				must(t, f.d.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, sla.JobResync).Scan(&n))
				return n
			}
			before := resyncs()
			name := "SIA Klients (Rīga)"
			_, err := f.dir.UpdateCompany(ctx, f.company.ID, directory.CompanyUpdate{Name: &name})
			must(t, err)
			if n := resyncs(); n != before {
				t.Errorf("renaming the client queued %d resyncs", n-before)
			}
			in := sla.NewPlanInput()
			in.Name = "Basic around the clock"
			in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityNormal: {Resolution: ptr(24 * 60)}}
			basic, err := f.svc.CreatePlan(ctx, in)
			must(t, err)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { f.jobs.Run(runCtx, 2); close(done) }()
			defer func() { stop(); <-done }()
			f.clock.Set(local(16, 11, 0))
			_, err = f.dir.UpdateCompany(ctx, f.company.ID, directory.CompanyUpdate{PlanID: directory.Ref{Set: true, ID: &basic.ID}})
			must(t, err)
			// 2 h of the office calendar used; 22 h left around the clock.
			waitFor(t, "the open ticket's resolution on the new plan", func() bool {
				due := f.reload(t, open.ID).SLA.ResolutionDueAt
				return due != nil && due.Equal(local(17, 9, 0))
			})
			st, err := f.svc.Status(ctx, auth.System(), open.ID)
			must(t, err)
			if st.PlanName != basic.Name {
				t.Errorf("the open ticket is kept under %q", st.PlanName)
			}
			if st, _ := f.svc.Status(ctx, auth.System(), solved.ID); st.PlanName != f.plan.Name {
				t.Errorf("the solved ticket moved to %q", st.PlanName)
			}
		})

		run("the first default plan reaches open tickets without a plan", func(t *testing.T, f *fixture) {
			loner, err := f.dir.CreateContact(ctx, directory.ContactInput{Name: "Pēteris", Email: "peteris@gmail.com"})
			must(t, err)
			tk, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Hello",
				Requester: ticket.RequesterRef{ID: &loner.ID}})
			must(t, err)
			if tk := f.reload(t, tk.ID); tk.SLA.FirstResponseDueAt != nil {
				t.Fatalf("no default plan yet, but %+v", tk.SLA)
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { f.jobs.Run(runCtx, 2); close(done) }()
			defer func() { stop(); <-done }()
			f.clock.Set(local(16, 9, 0))
			in := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
			in.IsDefault = true
			_, err = f.svc.UpdatePlan(ctx, f.plan.ID, in)
			must(t, err)
			// The promise starts when the plan comes: one working hour from
			// Monday 9:00, not from Friday's opening, which no plan covered.
			waitFor(t, "the first response on the default plan", func() bool {
				due := f.reload(t, tk.ID).SLA.FirstResponseDueAt
				return due != nil && due.Equal(local(16, 10, 0))
			})
		})

		run("a holiday added to the calendar moves open deadlines", func(t *testing.T, f *fixture) {
			tk := f.open(t, ticket.PriorityNormal) // resolution Monday 16:00
			_, err := f.svc.SetDay(ctx, f.office.ID, sla.Day{Date: "2025-06-16", Kind: sla.DayHoliday, Name: "Bridge day"})
			must(t, err)
			must(t, f.svc.Resync(ctx, tk.ID))
			wantTime(t, "resolution after the holiday", f.reload(t, tk.ID).SLA.ResolutionDueAt, local(17, 16, 0))
		})
	}
}

// TestChannelOutsidePlan: a plan promises deadlines only for the channels
// it includes; a ticket that came by another has none, and its status
// says which channel.
func TestChannelOutsidePlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		in := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
		in.Channels = []ticket.Channel{ticket.ChannelEmail}
		_, err := f.svc.UpdatePlan(ctx, f.plan.ID, in)
		must(t, err)
		open := func(ch ticket.Channel) ticket.Ticket {
			tk, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "VPN is down", Channel: ch,
				Requester: ticket.RequesterRef{ID: &f.contact.ID}, GroupID: &f.line1.ID})
			must(t, err)
			return f.reload(t, tk.ID)
		}
		phone, mail := open(ticket.ChannelPhone), open(ticket.ChannelEmail)
		if phone.SLA.FirstResponseDueAt != nil || phone.SLA.ResolutionDueAt != nil {
			t.Errorf("a phone ticket has deadlines: %+v", phone.SLA)
		}
		wantTime(t, "the e-mail ticket's first response", mail.SLA.FirstResponseDueAt, local(13, 17, 0))
		st, err := f.svc.Status(ctx, auth.System(), phone.ID)
		must(t, err)
		if st.OutsidePlan != ticket.ChannelPhone || st.PlanName != "Premium" || len(st.Targets) != 0 {
			t.Errorf("phone ticket's status %+v", st)
		}
		if st, _ := f.svc.Status(ctx, auth.System(), mail.ID); st.OutsidePlan != "" || len(st.Targets) == 0 {
			t.Errorf("e-mail ticket's status %+v", st)
		}

		// Taking the phone into the plan gives the open phone ticket its
		// deadlines, through the plan's resync job.
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { f.jobs.Run(runCtx, 2); close(done) }()
		defer func() { stop(); <-done }()
		in.Channels = append(in.Channels, ticket.ChannelPhone)
		_, err = f.svc.UpdatePlan(ctx, f.plan.ID, in)
		must(t, err)
		waitFor(t, "the phone ticket's deadline once the plan includes the phone", func() bool {
			return f.reload(t, phone.ID).SLA.FirstResponseDueAt != nil
		})
		wantTime(t, "the phone ticket's first response", f.reload(t, phone.ID).SLA.FirstResponseDueAt, local(13, 17, 0))
	})
}
