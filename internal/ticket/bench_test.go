package ticket_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

func benchService(b *testing.B, d *db.DB) *ticket.Service {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return ticket.NewService(d, log, directory.NewService(d), attachment.NewService(d, b.TempDir(), 1<<20), job.NewQueue(d, log))
}

// BenchmarkCreateTicket opens tickets through the service, one at a time,
// for 100 different requesters.
func BenchmarkCreateTicket(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		svc := benchService(b, d)
		admin := auth.Principal{AgentID: 0, Role: auth.RoleAdmin}
		var rec benchutil.Recorder
		i := 0
		for b.Loop() {
			i++
			rec.Time(func() {
				_, err := svc.CreateTicket(context.Background(), admin, ticket.NewTicket{Subject: "Printer does not print",
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

// BenchmarkListTickets lists one 50-row page of an agent's group queue
// (open and pending, newest first) from a store of 100,000 tickets.
func BenchmarkListTickets(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		seed, err := benchutil.SeedTickets(context.Background(), d, 100_000)
		if err != nil {
			b.Fatal(err)
		}
		svc := benchService(b, d)
		agent := auth.Principal{AgentID: seed.Agents[0], Role: auth.RoleAgent, GroupIDs: seed.Groups[:1]}
		filter := ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen, ticket.StatusPending}, GroupID: &seed.Groups[0], PerPage: 50}
		var rec benchutil.Recorder
		for b.Loop() {
			rec.Time(func() {
				list, total, err := svc.FindTickets(context.Background(), agent, filter)
				if err != nil || len(list) != 50 || total < 50 {
					b.Fatalf("%d of %d, %v", len(list), total, err)
				}
			})
		}
		rec.Report(b)
	})
}
