package agent_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"linedesk/internal/db"
)

// withDeadlines gives a fifth of the seeded tickets a running deadline
// of their own, spread evenly from three hours overdue to three hours
// ahead, with a 45-minute warning share: about 45 % of those are at risk
// now, 9 % of all tickets, which is a help desk on a very bad day.
func withDeadlines(b *testing.B, d *benchDesk) {
	ctx := context.Background()
	now := db.Now()
	err := d.app.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE id % 5 = 0 ORDER BY id`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		span := 6 * time.Hour
		for i, id := range ids {
			due := now.Add(-3*time.Hour + span*time.Duration(i)/time.Duration(len(ids))).Truncate(time.Microsecond)
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET sla_next_due_at = $1, sla_warn_at = $2,
				sla_first_response_state = 'running', sla_first_response_due_at = $1 WHERE id = $3`, due, due.Add(-45*time.Minute), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if d.app.DB.Dialect == db.Postgres {
		d.app.DB.W.ExecContext(ctx, `ANALYZE tickets`)
	}
}

// BenchmarkAtRiskQueuePage renders "SLA at risk / breached" for an agent
// of one group, from 100,000 tickets of which a fifth have deadlines.
func BenchmarkAtRiskQueuePage(b *testing.B) {
	benchPageWith(b, withDeadlines, func(*benchDesk) string { return "/queues/at_risk" })
}
