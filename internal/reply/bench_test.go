package reply_test

import (
	"fmt"
	"testing"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/reply"
	"linedesk/internal/ticket"
)

// BenchmarkMacroApply measures applying a macro — a filled-in reply and
// four field changes in one transaction — to one ticket after another.
func BenchmarkMacroApply(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f := newFixture(b, d)
		m, err := f.replies.Create(f.ctx, f.admin, reply.Macro, reply.Input{Name: "Waiting", GroupID: &f.desk, Public: true,
			Texts:   map[string]string{"en": "Hello {{requester.first_name}}, we wait for your answer on {{ticket.number}}."},
			Actions: reply.Actions{Status: ticket.StatusPending, Priority: ticket.PriorityHigh, AssignMe: true, TagsAdd: []string{"waiting"}}})
		if err != nil {
			b.Fatal(err)
		}
		tickets := make([]ticket.Ticket, 0, 4096)
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if i >= len(tickets) {
				tickets = append(tickets, f.ticketFor(b, "Mary Smith", fmt.Sprintf("m%d@client.example", i), "en"))
			}
			tk := tickets[i]
			b.StartTimer()
			rec.Time(func() {
				if _, err := f.replies.ApplyMacro(f.ctx, f.anna, m.ID, tk.ID, reply.Apply{Version: tk.Version}); err != nil {
					b.Fatal(err)
				}
			})
		}
		rec.Report(b)
	})
}
