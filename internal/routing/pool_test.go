package routing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// TestColdRulesUnderLoad: the first tickets after the rules changed
// arrive more at once than the database pool has connections (PostgreSQL:
// one pool of 20). Each create waits for the ticket counter, which the
// first holds while its hook loads the rules and looks up the ticket's
// plan; neither takes a second connection, so every ticket is created.
func TestColdRulesUnderLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := f.svc.CreateRule(ctx, routing.Input{Name: "Printers", Conditions: []routing.Condition{
			{Kind: routing.CondSubject, Values: []string{"printer"}}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"printer"}}}}); err != nil {
			t.Fatal(err)
		}
		// A working-hours condition looks up each ticket's plan and
		// calendar, in the creation's transaction too.
		if _, err := f.svc.CreateRule(ctx, routing.Input{Name: "Office hours", Conditions: []routing.Condition{
			{Kind: routing.CondWorkingHours}},
			Actions: []routing.Action{{Kind: routing.ActAddTags, Values: []string{"office-hours"}}}}); err != nil {
			t.Fatal(err)
		}
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, err := f.tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Printer does not print",
					Requester: ticket.RequesterRef{Email: fmt.Sprintf("caller%d@klients.lv", i)}})
				errs <- err
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("creating a ticket: %v", err)
			}
		}
		var tagged int
		if err := d.R.QueryRow(`SELECT count(*) FROM ticket_tags WHERE tag = 'printer'`).Scan(&tagged); err != nil {
			t.Fatal(err)
		}
		if tagged != n {
			t.Errorf("%d of %d tickets tagged by the rule", tagged, n)
		}
	})
}
