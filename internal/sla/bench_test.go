package sla_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// benchCalendar is an office with a lunch break and the year's holidays.
func benchCalendar(b *testing.B) *sla.Calendar {
	days, err := sla.PublicHolidays("lv", 2025)
	if err != nil {
		b.Fatal(err)
	}
	return mustCalendar(b, riga(append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...), days...))
}

// BenchmarkCalendarAdd computes an 8-working-hour deadline set on a
// Friday afternoon, over a weekend: the work of every new deadline.
func BenchmarkCalendarAdd(b *testing.B) {
	cal := benchCalendar(b)
	from := time.Date(2025, 6, 20, 16, 30, 0, 0, cal.Location())
	for b.Loop() {
		cal.Add(from, 8*time.Hour)
	}
}

// BenchmarkCalendarBetween counts the working time of a month.
func BenchmarkCalendarBetween(b *testing.B) {
	cal := benchCalendar(b)
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, cal.Location())
	for b.Loop() {
		cal.Between(from, from.AddDate(0, 1, 0))
	}
}

// BenchmarkSweep is one scheduler run over 1,000 tickets whose first
// response is past its warning share: each gets its warning recorded.
func BenchmarkSweep(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		c := &clock{t: friday16}
		n := newNode(b, d, c, sla.Config{})
		ctx := context.Background()
		cal, err := n.svc.CreateCalendar(ctx, sla.Calendar{Name: "Office", TimeZone: "Europe/Riga", Windows: weekdays("09:00", "17:00")})
		must(b, err)
		in := sla.NewPlanInput()
		in.Name, in.CalendarID, in.IsDefault = "Premium", &cal.ID, true
		in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityNormal: {FirstResponse: ptr(60), Resolution: ptr(480)}}
		_, err = n.svc.CreatePlan(ctx, in)
		must(b, err)
		const tickets = 1000
		for b.Loop() {
			b.StopTimer()
			c.Set(friday16)
			for i := range tickets {
				_, err := n.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "VPN is down",
					Requester: ticket.RequesterRef{Email: "caller" + string(rune('a'+i%26)) + "@client.example"}})
				must(b, err)
			}
			c.Set(local(13, 16, 50))
			b.StartTimer()
			seen, err := n.svc.Sweep(ctx)
			if err != nil || seen != tickets {
				b.Fatalf("swept %d tickets: %v", seen, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*tickets)/1000, "ms/ticket")
	})
}
