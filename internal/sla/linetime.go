package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// Stay is a stretch of time a ticket spent at one line and group, until
// it moved on or was solved. Working time counts in the plan's calendar.
type Stay struct {
	Line      int           `json:"line"`
	GroupID   *int64        `json:"group_id"`
	StartedAt time.Time     `json:"started_at"`
	EndedAt   *time.Time    `json:"ended_at"` // null while the ticket is there
	Working   time.Duration `json:"-"`
	Wall      time.Duration `json:"-"`
	// The durations in whole seconds, for the API.
	WorkingSeconds int64 `json:"working_seconds"`
	WallSeconds    int64 `json:"wall_seconds"`
}

// LineTotal is the time a ticket spent at one line in all.
type LineTotal struct {
	Line           int           `json:"line"`
	Working        time.Duration `json:"-"`
	Wall           time.Duration `json:"-"`
	WorkingSeconds int64         `json:"working_seconds"`
	WallSeconds    int64         `json:"wall_seconds"`
	Current        bool          `json:"current"` // the ticket is at this line now
}

// LineTimes is a ticket's time at each line: the stays in order and the
// totals per line.
type LineTimes struct {
	Stays  []Stay      `json:"stays"`
	Totals []LineTotal `json:"totals"`
}

// trackLine records the line a change left and the one it entered: a
// stay ends when the line or group changes or the ticket is solved or
// closed, and a new one begins while the ticket is being worked on. A
// ticket's first stay is written when it ends: until then the record's
// opening time and the ticket's line and group tell it, which spares
// every new ticket a statement.
func (s *Service) trackLine(ctx context.Context, tx *sql.Tx, r *record, c ticket.Change, cal *Calendar, now time.Time) error {
	b, t := c.Before, c.After
	if c.Kind == ticket.ChangeCreated || (b.Line == t.Line && sameID(b.GroupID, t.GroupID) && done(b.Status) == done(t.Status)) {
		return nil
	}
	var id int64
	var line int
	var group *int64
	var started time.Time
	var ended *time.Time
	err := tx.QueryRowContext(ctx, `SELECT id, line, group_id, started_at, ended_at FROM sla_line_spans
		WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1`, t.ID).Scan(&id, &line, &group, &started, &ended)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if !done(b.Status) { // the first stay ends
			end := now
			if err := insertStay(ctx, tx, t.ID, b.Line, b.GroupID, r.opened(b), &end, cal); err != nil {
				return err
			}
		}
	case err != nil:
		return fmt.Errorf("line of ticket %d: %w", t.ID, err)
	case ended == nil:
		if !done(t.Status) && line == t.Line && sameID(group, t.GroupID) {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sla_line_spans SET ended_at = $2, working_us = $3, wall_us = $4 WHERE id = $1`,
			id, now, cal.Between(started, now).Microseconds(), now.Sub(started).Microseconds())
		if err != nil {
			return fmt.Errorf("line of ticket %d: %w", t.ID, err)
		}
	}
	if done(t.Status) {
		return nil
	}
	return insertStay(ctx, tx, t.ID, t.Line, t.GroupID, now, nil, cal)
}

// insertStay writes a stay; one with an end has its times counted.
func insertStay(ctx context.Context, tx *sql.Tx, ticketID int64, line int, group *int64, from time.Time, to *time.Time,
	cal *Calendar) error {
	var working, wall int64
	if to != nil {
		working, wall = cal.Between(from, *to).Microseconds(), max(to.Sub(from), 0).Microseconds()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sla_line_spans (ticket_id, line, group_id, started_at, ended_at, working_us, wall_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ticketID, line, group, from, to, working, wall)
	if err != nil {
		return fmt.Errorf("line of ticket %d: %w", ticketID, err)
	}
	return nil
}

// LineTimes returns the time a ticket p may see spent at each line, the
// stay it is in now counted up to now.
func (s *Service) LineTimes(ctx context.Context, p auth.Principal, ticketID int64) (LineTimes, error) {
	t, err := s.tickets.FindTicket(ctx, p, ticketID)
	if err != nil {
		return LineTimes{}, err
	}
	r, err := loadRecord(ctx, s.db.R, ticketID)
	if err != nil {
		return LineTimes{}, err
	}
	cal, err := s.calendar(ctx, s.db.R, r.CalendarID)
	if err != nil {
		return LineTimes{}, err
	}
	now := s.now()
	stays, err := loadStays(ctx, s.db.R, ticketID, cal, now)
	if err != nil {
		return LineTimes{}, err
	}
	if len(stays) == 0 && !done(t.Status) { // never moved: the first stay is still on
		st := Stay{Line: t.Line, GroupID: t.GroupID, StartedAt: r.opened(t)}
		st.Working, st.Wall = cal.Between(st.StartedAt, now), max(now.Sub(st.StartedAt), 0)
		st.WorkingSeconds, st.WallSeconds = int64(st.Working/time.Second), int64(st.Wall/time.Second)
		stays = append(stays, st)
	}
	return LineTimes{Stays: stays, Totals: totals(stays)}, nil
}

func loadStays(ctx context.Context, q db.Queryer, ticketID int64, cal *Calendar, now time.Time) ([]Stay, error) {
	rows, err := q.QueryContext(ctx, `SELECT line, group_id, started_at, ended_at, working_us, wall_us FROM sla_line_spans
		WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("lines of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Stay{}
	for rows.Next() {
		var st Stay
		var working, wall int64
		if err := rows.Scan(&st.Line, &st.GroupID, &st.StartedAt, &st.EndedAt, &working, &wall); err != nil {
			return nil, fmt.Errorf("lines of ticket %d: %w", ticketID, err)
		}
		st.Working, st.Wall = time.Duration(working)*time.Microsecond, time.Duration(wall)*time.Microsecond
		if st.EndedAt == nil {
			st.Working, st.Wall = cal.Between(st.StartedAt, now), max(now.Sub(st.StartedAt), 0)
		}
		st.WorkingSeconds, st.WallSeconds = int64(st.Working/time.Second), int64(st.Wall/time.Second)
		out = append(out, st)
	}
	return out, rows.Err()
}

// totals adds the stays up per line, in line order.
func totals(stays []Stay) []LineTotal {
	var out []LineTotal
	for _, n := range LineNumbers {
		lt := LineTotal{Line: n}
		seen := false
		for _, st := range stays {
			if st.Line == n {
				seen = true
				lt.Working += st.Working
				lt.Wall += st.Wall
				lt.Current = lt.Current || st.EndedAt == nil
			}
		}
		if seen {
			lt.WorkingSeconds, lt.WallSeconds = int64(lt.Working/time.Second), int64(lt.Wall/time.Second)
			out = append(out, lt)
		}
	}
	if out == nil {
		out = []LineTotal{}
	}
	return out
}
