package assign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// EventAssignFailed is the history entry of an assignment that could not
// be made: To says why. The ticket stays in its group's queue.
const EventAssignFailed = "assign_failed"

// TicketChanged keeps track of who holds each ticket and, when a ticket
// enters a group without an assignee (created there, escalated, moved by
// a rule), assigns it if the group says so.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	if err := s.track(ctx, tx, c); err != nil {
		return err
	}
	if c.Source == Source || !entersQueue(c) {
		return nil
	}
	// Most groups do not assign: one read says so before anything is
	// locked.
	on, err := exists(ctx, tx, `SELECT 1 FROM assign_groups WHERE group_id = $1 AND mode <> $2`, *c.After.GroupID, ModeNone)
	if err != nil || !on {
		return err
	}
	_, err = s.assignTx(ctx, tx, c.After.ID)
	return err
}

// entersQueue reports whether the change put a ticket into a group with
// no one assigned.
func entersQueue(c ticket.Change) bool {
	t := c.After
	if t.GroupID == nil || t.AssigneeID != nil || t.Status == ticket.StatusSolved || t.Status == ticket.StatusClosed {
		return false
	}
	if c.Kind == ticket.ChangeCreated {
		return true
	}
	return c.Before.GroupID == nil || *c.Before.GroupID != *t.GroupID
}

// track records the current assignee of a ticket and since when.
func (s *Service) track(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	before, after := c.Before.AssigneeID, c.After.AssigneeID
	if c.Kind != ticket.ChangeCreated && sameID(before, after) && sameID(c.Before.GroupID, c.After.GroupID) {
		return nil
	}
	if c.Kind == ticket.ChangeCreated && after == nil {
		return nil
	}
	var err error
	if after == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM assign_tickets WHERE ticket_id = $1`, c.After.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO assign_tickets (ticket_id, agent_id, group_id, assigned_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (ticket_id) DO UPDATE SET agent_id = excluded.agent_id,
			group_id = excluded.group_id, assigned_at = CASE WHEN assign_tickets.agent_id = excluded.agent_id
			THEN assign_tickets.assigned_at ELSE excluded.assigned_at END`, c.After.ID, *after, c.After.GroupID, s.stamp())
	}
	if err != nil {
		return fmt.Errorf("track assignment of ticket %d: %w", c.After.ID, err)
	}
	return nil
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// assignTx assigns a ticket in its group's queue to the next available
// agent, under the group's lock; it answers the agent, 0 when none was
// available or the group does not assign. A failure is recorded on the
// ticket, which stays in the queue.
func (s *Service) assignTx(ctx context.Context, tx *sql.Tx, ticketID int64) (int64, error) {
	var agentID int64
	err := db.Savepoint(ctx, tx, "assign_ticket", func() error {
		var err error
		agentID, err = s.pickAndAssign(ctx, tx, ticketID)
		return err
	})
	if err == nil || errors.Is(err, db.ErrSavepoint) {
		return agentID, err
	}
	msg := "internal error"
	if e := apperr.As(err); e != nil {
		msg = e.Message
	} else {
		s.log.ErrorContext(ctx, "assignment failed", "ticket", ticketID, "err", err)
	}
	return 0, s.tickets.RecordTx(ctx, tx, auth.System(), ticketID, ticket.AutoEvent{Kind: EventAssignFailed, To: msg})
}

func (s *Service) pickAndAssign(ctx context.Context, tx *sql.Tx, ticketID int64) (int64, error) {
	t, _, err := s.tickets.LockTx(ctx, tx, ticketID, false)
	if err != nil {
		return 0, err
	}
	if t.GroupID == nil || t.AssigneeID != nil {
		return 0, nil // someone (a rule, a hook deeper down) placed it meanwhile
	}
	g, ok, err := s.lockGroup(ctx, tx, *t.GroupID)
	if err != nil || !ok || g.Mode == ModeNone {
		return 0, err
	}
	cands, err := s.candidates(ctx, tx, g, s.now())
	if err != nil || len(cands) == 0 {
		return 0, err
	}
	chosen := choose(g, cands)
	if _, err := tx.ExecContext(ctx, `UPDATE assign_groups SET last_agent_id = $2 WHERE group_id = $1`, g.GroupID,
		chosen); err != nil {
		return 0, fmt.Errorf("round-robin position of group %d: %w", g.GroupID, err)
	}
	reason := ReasonRoundRobin
	if g.Mode == ModeLeastOpen {
		reason = ReasonLeastOpen
	}
	_, err = s.tickets.ApplyTx(ctx, tx, ticketID, ticket.Update{AssigneeID: ticket.IDChange{Set: true, ID: &chosen}},
		Source, reason)
	return chosen, err
}

type lockedGroup struct {
	Group
	lastAgentID *int64
}

// lockGroup reads a group's settings and locks its row: assignments to
// one group happen one at a time (PostgreSQL; SQLite has one writer).
func (s *Service) lockGroup(ctx context.Context, tx *sql.Tx, groupID int64) (lockedGroup, bool, error) {
	g := lockedGroup{Group: Group{GroupID: groupID}}
	err := tx.QueryRowContext(ctx, `SELECT mode, max_open, return_after_minutes, last_agent_id FROM assign_groups
		WHERE group_id = $1`+s.db.ForUpdate(), groupID).Scan(&g.Mode, &g.MaxOpen, &g.ReturnAfterMinutes, &g.lastAgentID)
	if errors.Is(err, sql.ErrNoRows) {
		return g, false, nil
	}
	if err != nil {
		return g, false, fmt.Errorf("assignment of group %d: %w", groupID, err)
	}
	return g, true, nil
}

// candidate is an available agent of the group with room for a ticket.
type candidate struct {
	id   int64
	open int
}

// candidates are the group's agents who are active, not away, on shift
// and below their limit, in id order. Their rows are locked before their
// open tickets are counted, so a ticket of another group being given to
// one of them meanwhile is counted (an agent works in several groups).
func (s *Service) candidates(ctx context.Context, tx *sql.Tx, g lockedGroup, now time.Time) ([]candidate, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT a.id, a.time_zone, st.max_open, COALESCE(st.away, FALSE), COALESCE(st.shift_zone, ''),
			COALESCE(st.shift_always, FALSE), COALESCE(st.shift_windows, ''), st.updated_at
		FROM agent_groups ag JOIN agents a ON a.id = ag.agent_id
		LEFT JOIN assign_agents st ON st.agent_id = a.id
		WHERE ag.group_id = $1 AND a.active ORDER BY a.id`, g.GroupID)
	if err != nil {
		return nil, fmt.Errorf("agents of group %d: %w", g.GroupID, err)
	}
	type avail struct {
		id    int64
		limit int
	}
	var ok []avail
	for rows.Next() {
		var r availRow
		if err := rows.Scan(&r.id, &r.agentZone, &r.maxOpen, &r.away, &r.zone, &r.always, &r.windows, &r.at); err != nil {
			rows.Close()
			return nil, err
		}
		if r.away || !s.onShift(r, now) {
			continue
		}
		limit := g.MaxOpen
		if r.maxOpen != nil {
			limit = *r.maxOpen
		}
		ok = append(ok, avail{r.id, limit})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ok) == 0 {
		return nil, err
	}
	ids := make([]string, len(ok))
	for i, a := range ok {
		ids[i] = strconv.FormatInt(a.id, 10)
	}
	in := strings.Join(ids, ",")
	if s.db.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM agents WHERE id IN (`+in+`) ORDER BY id FOR UPDATE`); err != nil {
			return nil, fmt.Errorf("lock agents: %w", err)
		}
	}
	open, err := openCounts(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, a := range ok {
		if a.limit == 0 || open[a.id] < a.limit {
			out = append(out, candidate{a.id, open[a.id]})
		}
	}
	return out, nil
}

type availRow struct {
	id                    int64
	name, agentZone, zone string
	maxOpen               *int
	away, always          bool
	windows               string
	at                    *time.Time
}

func openCounts(ctx context.Context, tx *sql.Tx, in string) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT assignee_id, count(*) FROM tickets WHERE assignee_id IN (`+in+`)
		AND status IN `+openStatuses+` GROUP BY assignee_id`)
	if err != nil {
		return nil, fmt.Errorf("open tickets of agents: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// onShift reports whether an agent's schedule has them working at now;
// no schedule means always. A schedule that cannot be read counts as off
// shift (and is logged): better no ticket than one to an absent agent.
func (s *Service) onShift(r availRow, now time.Time) bool {
	cal, err := s.shiftCalendar(r)
	if err != nil {
		s.log.Warn("unreadable shift schedule", "agent", r.id, "err", err)
		return false
	}
	return cal.IsOpen(now)
}

func (s *Service) shiftCalendar(r availRow) (*sla.Calendar, error) {
	if r.at == nil {
		return nil, nil
	}
	s.mu.Lock()
	c, ok := s.shifts[r.id]
	s.mu.Unlock()
	if ok && c.at.Equal(*r.at) {
		return c.cal, nil
	}
	windows, err := decodeWindows(r.windows)
	if err != nil {
		return nil, err
	}
	zone := r.zone
	if zone == "" {
		zone = r.agentZone
	}
	cal, err := Shift{TimeZone: zone, Always: r.always, Windows: windows}.calendar()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.shifts[r.id] = cachedShift{at: *r.at, cal: cal}
	s.mu.Unlock()
	return cal, nil
}

// choose picks among the candidates: for round-robin the first after the
// one chosen last (in id order, wrapping round); for least-open the one
// with the fewest open tickets, ties in round-robin order.
func choose(g lockedGroup, cands []candidate) int64 {
	start := 0
	if g.lastAgentID != nil {
		start = len(cands) // nobody after the last one: round again from the first
		for i, c := range cands {
			if c.id > *g.lastAgentID {
				start = i
				break
			}
		}
		start %= len(cands)
	}
	if g.Mode == ModeRoundRobin {
		return cands[start].id
	}
	best := cands[start]
	for i := 1; i < len(cands); i++ {
		c := cands[(start+i)%len(cands)]
		if c.open < best.open {
			best = c
		}
	}
	return best.id
}
