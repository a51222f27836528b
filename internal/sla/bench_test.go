package sla_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
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

// BenchmarkCreateTicketWithDeadlines is ticket's BenchmarkCreateTicket
// with the SLA hook at work: the default plan's first-response and
// resolution targets on an office calendar, set for every new ticket
// (plan, calendar, two clocks, the line's stay).
func BenchmarkCreateTicketWithDeadlines(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		c := &clock{t: friday16}
		n := newNode(b, d, c, sla.Config{})
		ctx := context.Background()
		days, err := sla.PublicHolidays("lv", 2025)
		must(b, err)
		cal, err := n.svc.CreateCalendar(ctx, sla.Calendar{Name: "Office", TimeZone: "Europe/Riga",
			Windows: append(weekdays("09:00", "13:00"), weekdays("14:00", "18:00")...), Days: days})
		must(b, err)
		in := sla.NewPlanInput()
		in.Name, in.CalendarID, in.IsDefault = "Premium", &cal.ID, true
		in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityHigh: {FirstResponse: ptr(30), Resolution: ptr(480)}}
		_, err = n.svc.CreatePlan(ctx, in)
		must(b, err)
		var rec benchutil.Recorder
		i := 0
		for b.Loop() {
			i++
			rec.Time(func() {
				_, err := n.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Printer does not print",
					Description: "Since this morning the office printer shows an error.", Priority: ticket.PriorityHigh,
					Requester: ticket.RequesterRef{Email: fmt.Sprintf("caller%d@client.example", i%100)}, Tags: []string{"printer"}})
				if err != nil {
					b.Fatal(err)
				}
			})
		}
		rec.Report(b)
	})
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
