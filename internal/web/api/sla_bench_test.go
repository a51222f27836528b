package api_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// withDefaultPlan gives every new ticket deadlines: a default plan with
// first-response and resolution targets on an office calendar with a
// lunch break and the year's holidays, so each create runs the SLA hook
// in full (plan, calendar, two clocks, the line's stay).
func withDefaultPlan(b *testing.B, e *env) {
	ctx := context.Background()
	days, err := sla.PublicHolidays("lv", 2026)
	if err != nil {
		b.Fatal(err)
	}
	var week []sla.Window
	for wd := 1; wd <= 5; wd++ {
		week = append(week, sla.Window{Weekday: wd, From: 9 * 60, To: 13 * 60}, sla.Window{Weekday: wd, From: 14 * 60, To: 18 * 60})
	}
	cal, err := e.api.SLA.CreateCalendar(ctx, sla.Calendar{Name: "Office", TimeZone: "Europe/Riga", Windows: week, Days: days})
	if err != nil {
		b.Fatal(err)
	}
	in := sla.NewPlanInput()
	in.Name, in.CalendarID, in.IsDefault = "Premium", &cal.ID, true
	fr, res := 30, 480
	in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityHigh: {FirstResponse: &fr, Resolution: &res}}
	if _, err := e.api.SLA.CreatePlan(ctx, in); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkHTTPCreateTicketSLAPaced is BenchmarkHTTPCreateTicketPaced
// with deadlines computed for every ticket.
func BenchmarkHTTPCreateTicketSLAPaced(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d)
		withDefaultPlan(b, e)
		createPaced(b, e, 2000)
	})
}

// BenchmarkHTTPCreateTicketSLA is BenchmarkHTTPCreateTicket with
// deadlines computed for every ticket.
func BenchmarkHTTPCreateTicketSLA(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d)
		withDefaultPlan(b, e)
		url := e.srv.URL + "/api/v1/tickets"
		var n atomic.Int64
		var rec benchutil.Recorder
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				body := fmt.Appendf(nil, `{"subject":"Printer does not print","description":"Since this morning the office printer shows an error.","priority":"high","channel":"api","requester":{"email":"caller%d@client.example","name":"Caller %d"},"tags":["printer"]}`, i%500, i%500)
				rec.Time(func() { post(b, url, e.admin, body) })
			}
		})
		b.StopTimer()
		rec.Report(b)
	})
}
