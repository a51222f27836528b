package benchutil

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"linedesk/internal/db"
)

// Seed describes a generated store.
type Seed struct {
	Tickets  int
	Groups   []int64
	Agents   []int64
	Contacts []int64
}

var (
	statuses   = []string{"new", "open", "open", "pending", "on_hold", "solved", "closed", "closed", "closed", "closed"}
	priorities = []string{"low", "normal", "normal", "normal", "high", "urgent"}
	subjects   = []string{"Printer does not print", "VPN drops every hour", "Cannot log in to the portal",
		"Принтер не печатает", "Не работает почта", "Nedarbojas e-pasts", "Aizmirsu paroli", "Laptop is slow"}
)

// SeedTickets fills an empty, migrated database with n tickets spread over
// 10 groups, 20 agents and 1,000 contacts, written in large batches. It
// is deterministic: the same n gives the same store.
func SeedTickets(ctx context.Context, d *db.DB, n int) (Seed, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := Seed{Tickets: n}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if s.Groups, err = insertNamed(ctx, tx, "groups", "Group", 10, now); err != nil {
			return err
		}
		if s.Agents, err = insertAgents(ctx, tx, s.Groups, now); err != nil {
			return err
		}
		if s.Contacts, err = insertNamed(ctx, tx, "contacts", "Contact", 1000, now); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	for start := 0; start < n; start += 5000 {
		end := min(start+5000, n)
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return insertTickets(ctx, tx, s, rng, start, end, now) }); err != nil {
			return s, err
		}
	}
	if _, err = d.W.ExecContext(ctx, `UPDATE counters SET value = $1 WHERE name = 'ticket_number'`, 1000+n); err != nil {
		return s, err
	}
	// A running PostgreSQL's autovacuum gathers planner statistics soon
	// after a bulk load; gather them now as it would.
	if d.Dialect == db.Postgres {
		_, err = d.W.ExecContext(ctx, `ANALYZE`)
	}
	return s, err
}

func insertNamed(ctx context.Context, tx *sql.Tx, table, prefix string, n int, now time.Time) ([]int64, error) {
	ids := make([]int64, 0, n)
	for i := range n {
		name := fmt.Sprintf("%s %d", prefix, i)
		q := `INSERT INTO groups (name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`
		args := []any{name, strings.ToLower(name), now}
		if table == "contacts" {
			q = `INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`
			args = []any{name, now}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, q, args...).Scan(&id); err != nil {
			return nil, fmt.Errorf("seed %s: %w", table, err)
		}
		if table == "contacts" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)`,
				fmt.Sprintf("contact%d@client%d.example", i, i%50), id); err != nil {
				return nil, fmt.Errorf("seed contact e-mail: %w", err)
			}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func insertAgents(ctx context.Context, tx *sql.Tx, groups []int64, now time.Time) ([]int64, error) {
	var ids []int64
	for i := range 20 {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO agents (name, email, role, line, created_at, updated_at)
			VALUES ($1, $2, 'agent', $3, $4, $4) RETURNING id`, fmt.Sprintf("Agent %d", i),
			fmt.Sprintf("agent%d@support.example", i), 1+i%4, now).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("seed agents: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2)`, id, groups[i%len(groups)]); err != nil {
			return nil, fmt.Errorf("seed agent groups: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// insertTickets writes tickets [start, end) as multi-row inserts.
func insertTickets(ctx context.Context, tx *sql.Tx, s Seed, rng *rand.Rand, start, end int, now time.Time) error {
	const perStmt = 200
	for i := start; i < end; i += perStmt {
		var b strings.Builder
		b.WriteString(`INSERT INTO tickets (number, subject, description, status, priority, type, line, group_id,
			assignee_id, requester_id, channel, custom_fields, version, created_at, updated_at) VALUES `)
		var args []any
		for j := i; j < min(i+perStmt, end); j++ {
			if j > i {
				b.WriteByte(',')
			}
			g := rng.IntN(len(s.Groups))
			var assignee any
			if rng.IntN(3) > 0 {
				assignee = s.Agents[g+10*rng.IntN(2)]
			}
			at := now.Add(-time.Duration(end-j) * time.Minute)
			row := []any{1001 + j, subjects[j%len(subjects)] + fmt.Sprintf(" (%d)", j), "Seeded ticket",
				statuses[rng.IntN(len(statuses))], priorities[rng.IntN(len(priorities))], "incident", 1 + rng.IntN(4),
				s.Groups[g], assignee, s.Contacts[rng.IntN(len(s.Contacts))], "email", "{}", 1, at, at}
			b.WriteByte('(')
			for k, v := range row {
				if k > 0 {
					b.WriteByte(',')
				}
				args = append(args, v)
				fmt.Fprintf(&b, "$%d", len(args))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("seed tickets: %w", err)
		}
	}
	return nil
}
