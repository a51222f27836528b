package sla_test

import (
	"context"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Each node keeps plans and calendars cached; a change made through
// another node is seen by the next ticket, because the cache is checked
// against the rows' change times in the statement every ticket change
// runs anyway.
func TestCachesFollowChangesFromOtherNodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		other := newNode(t, d, f.clock, sla.Config{}) // a second node: caches of its own
		f.clock.Set(local(16, 9, 0))
		wantTime(t, "first ticket", f.open(t, ticket.PriorityNormal).SLA.FirstResponseDueAt, local(16, 10, 0))

		in := sla.PlanInput{Name: f.plan.Name, Terms: f.plan.Terms}
		in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityNormal: {FirstResponse: ptr(30)}}
		_, err := other.svc.UpdatePlan(ctx, f.plan.ID, in)
		must(t, err)
		wantTime(t, "after the plan changed elsewhere", f.open(t, ticket.PriorityNormal).SLA.FirstResponseDueAt, local(16, 9, 30))

		_, err = other.svc.SetDay(ctx, f.office.ID, sla.Day{Date: "2025-06-16", Kind: sla.DayHoliday})
		must(t, err)
		wantTime(t, "after a holiday was added elsewhere", f.open(t, ticket.PriorityNormal).SLA.FirstResponseDueAt, local(17, 9, 30))

		_, err = other.svc.UpdateCalendar(ctx, f.office.ID, sla.CalendarUpdate{AlwaysOpen: ptr(true)})
		must(t, err)
		wantTime(t, "after the calendar went 24/7 elsewhere", f.open(t, ticket.PriorityNormal).SLA.FirstResponseDueAt, local(16, 9, 30))
	})
}
