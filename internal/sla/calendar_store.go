package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// CalendarUpdate changes the fields that are set; Windows replaces the
// whole week. Days are changed with SetDay, DeleteDay and SeedHolidays.
type CalendarUpdate struct {
	Name       *string
	TimeZone   *string
	AlwaysOpen *bool
	Overnight  *bool
	Windows    *[]Window
}

// CalendarFilter selects calendars: Q is a part of the name.
type CalendarFilter struct {
	Q      string
	Offset int
	Limit  int // 25 when 0, at most 500
}

const calendarColumns = `id, name, time_zone, always_open, overnight, created_at, updated_at`

func scanCalendar(row db.Scanner) (Calendar, error) {
	var c Calendar
	err := row.Scan(&c.ID, &c.Name, &c.TimeZone, &c.AlwaysOpen, &c.Overnight, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// CreateCalendar adds a calendar with its windows and days.
func (s *Service) CreateCalendar(ctx context.Context, in Calendar) (*Calendar, error) {
	c, err := NewCalendar(in)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO sla_calendars (name, name_key, time_zone, always_open, overnight, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			c.Name, nameKey(c.Name), c.TimeZone, c.AlwaysOpen, c.Overnight, now).Scan(&c.ID)
		if db.IsUniqueViolation(err) {
			return calendarNameTaken(c.Name)
		}
		if err != nil {
			return fmt.Errorf("create calendar: %w", err)
		}
		if err := writeWindows(ctx, tx, c.ID, c.Windows); err != nil {
			return err
		}
		for _, d := range c.Days {
			if err := writeDay(ctx, tx, c.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindCalendar(ctx, c.ID)
}

func calendarNameTaken(name string) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf("a calendar named %q exists already", name)}
}

func writeWindows(ctx context.Context, tx *sql.Tx, id int64, ws []Window) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sla_calendar_windows WHERE calendar_id = $1`, id); err != nil {
		return fmt.Errorf("set hours of calendar %d: %w", id, err)
	}
	for _, w := range ws {
		_, err := tx.ExecContext(ctx, `INSERT INTO sla_calendar_windows (calendar_id, weekday, from_min, to_min) VALUES ($1, $2, $3, $4)`,
			id, w.Weekday, int(w.From), int(w.To))
		if err != nil {
			return fmt.Errorf("set hours of calendar %d: %w", id, err)
		}
	}
	return nil
}

func writeDay(ctx context.Context, tx *sql.Tx, id int64, d Day) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sla_calendar_days (calendar_id, day, kind, name, as_weekday) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (calendar_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name, as_weekday = excluded.as_weekday`,
		id, d.Date, d.Kind, d.Name, d.AsWeekday)
	if err != nil {
		return fmt.Errorf("set day %s of calendar %d: %w", d.Date, id, err)
	}
	return nil
}

// FindCalendar returns one calendar with its windows and days, ready to
// compute with.
func (s *Service) FindCalendar(ctx context.Context, id int64) (*Calendar, error) {
	return s.loadCalendar(ctx, s.db.R, id)
}

// FindCalendarIn is FindCalendar read through q (a hook's transaction).
func (s *Service) FindCalendarIn(ctx context.Context, q db.Queryer, id int64) (*Calendar, error) {
	return s.loadCalendar(ctx, q, id)
}

func (s *Service) loadCalendar(ctx context.Context, q db.Queryer, id int64) (*Calendar, error) {
	c, err := scanCalendar(q.QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM sla_calendars WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("calendar %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find calendar %d: %w", id, err)
	}
	c.Windows, c.Days = []Window{}, []Day{}
	list := []*Calendar{&c}
	if err := loadWindows(ctx, q, list); err != nil {
		return nil, err
	}
	if err := loadDays(ctx, q, list); err != nil {
		return nil, err
	}
	return compiled(c)
}

// compiled readies a stored calendar for computation. A stored calendar
// was checked when written; one that no longer passes (a zone removed
// from the zone database) is an internal error, named.
func compiled(c Calendar) (*Calendar, error) {
	out, err := NewCalendar(c)
	if err != nil {
		return nil, fmt.Errorf("calendar %d (%s) is not usable: %w", c.ID, c.Name, err)
	}
	return out, nil
}

func loadWindows(ctx context.Context, q db.Queryer, cs []*Calendar) error {
	if len(cs) == 0 {
		return nil
	}
	byID, in, args := calendarIndex(cs)
	rows, err := q.QueryContext(ctx, `SELECT calendar_id, weekday, from_min, to_min FROM sla_calendar_windows
		WHERE calendar_id IN (`+in+`) ORDER BY calendar_id, weekday, from_min`, args...)
	if err != nil {
		return fmt.Errorf("load calendar hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var w Window
		if err := rows.Scan(&id, &w.Weekday, &w.From, &w.To); err != nil {
			return fmt.Errorf("load calendar hours: %w", err)
		}
		byID[id].Windows = append(byID[id].Windows, w)
	}
	return rows.Err()
}

func loadDays(ctx context.Context, q db.Queryer, cs []*Calendar) error {
	if len(cs) == 0 {
		return nil
	}
	byID, in, args := calendarIndex(cs)
	rows, err := q.QueryContext(ctx, `SELECT calendar_id, day, kind, name, as_weekday FROM sla_calendar_days
		WHERE calendar_id IN (`+in+`) ORDER BY calendar_id, day`, args...)
	if err != nil {
		return fmt.Errorf("load calendar days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d Day
		if err := rows.Scan(&id, &d.Date, &d.Kind, &d.Name, &d.AsWeekday); err != nil {
			return fmt.Errorf("load calendar days: %w", err)
		}
		byID[id].Days = append(byID[id].Days, d)
	}
	return rows.Err()
}

func calendarIndex(cs []*Calendar) (map[int64]*Calendar, string, []any) {
	byID := make(map[int64]*Calendar, len(cs))
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	in, args := db.In(ids, 1)
	return byID, in, args
}

// FindCalendars returns a page of calendars ordered by name, with their
// windows and days, and how many match.
func (s *Service) FindCalendars(ctx context.Context, f CalendarFilter) ([]*Calendar, int, error) {
	var w db.Where
	if q := strings.TrimSpace(f.Q); q != "" {
		w.Add(`name_key LIKE ` + w.Arg("%"+likeEscape(nameKey(q))+"%") + ` ESCAPE '\'`)
	}
	list, total, err := db.FindPage(ctx, s.db.R, calendarColumns, "sla_calendars", "name_key, id", w, f.Offset, f.Limit, scanCalendar)
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Calendar, len(list))
	for i := range list {
		list[i].Windows, list[i].Days = []Window{}, []Day{}
		ptrs[i] = &list[i]
	}
	if err := loadWindows(ctx, s.db.R, ptrs); err != nil {
		return nil, 0, err
	}
	if err := loadDays(ctx, s.db.R, ptrs); err != nil {
		return nil, 0, err
	}
	out := make([]*Calendar, len(list))
	for i, c := range list {
		if out[i], err = compiled(c); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// UpdateCalendar changes a calendar. Open tickets on it get their
// deadlines computed again.
func (s *Service) UpdateCalendar(ctx context.Context, id int64, u CalendarUpdate) (*Calendar, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.loadCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		next := *cur
		set(&next.Name, u.Name)
		set(&next.TimeZone, u.TimeZone)
		set(&next.AlwaysOpen, u.AlwaysOpen)
		set(&next.Overnight, u.Overnight)
		set(&next.Windows, u.Windows)
		c, err := NewCalendar(next)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sla_calendars SET name = $2, name_key = $3, time_zone = $4, always_open = $5,
			overnight = $6, updated_at = $7 WHERE id = $1`, id, c.Name, nameKey(c.Name), c.TimeZone, c.AlwaysOpen, c.Overnight,
			s.touchTime(cur.UpdatedAt))
		if db.IsUniqueViolation(err) {
			return calendarNameTaken(c.Name)
		}
		if err != nil {
			return fmt.Errorf("update calendar %d: %w", id, err)
		}
		if u.Windows != nil {
			if err := writeWindows(ctx, tx, id, c.Windows); err != nil {
				return err
			}
		}
		return s.enqueueResync(ctx, tx, "calendar_id", id)
	})
	if err != nil {
		return nil, err
	}
	return s.FindCalendar(ctx, id)
}

// touchTime is a new updated_at for a calendar: now, but always later
// than the last one, so a cached copy is never mistaken for current.
func (s *Service) touchTime(last time.Time) time.Time {
	now := db.Now()
	if !now.After(last) {
		now = last.Add(time.Microsecond)
	}
	return now
}

// DeleteCalendar deletes a calendar no plan uses.
func (s *Service) DeleteCalendar(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.loadCalendar(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sla_plans WHERE calendar_id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("delete calendar %d: %w", id, err)
		}
		if n > 0 {
			return apperr.Errorf(apperr.Conflict, "calendar %d is used by plans (%d); give them another calendar first", id, n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_calendars WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete calendar %d: %w", id, err)
		}
		return nil
	})
}

// SetDay adds a holiday or moved working day to a calendar, or replaces
// the entry for that date.
func (s *Service) SetDay(ctx context.Context, calendarID int64, d Day) (Day, error) {
	if err := d.normalize("day"); err != nil {
		return Day{}, err
	}
	err := s.changeDays(ctx, calendarID, func(tx *sql.Tx) error { return writeDay(ctx, tx, calendarID, d) })
	return d, err
}

// DeleteDay removes a calendar's entry for a date.
func (s *Service) DeleteDay(ctx context.Context, calendarID int64, date string) error {
	return s.changeDays(ctx, calendarID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sla_calendar_days WHERE calendar_id = $1 AND day = $2`, calendarID, date)
		if err != nil {
			return fmt.Errorf("delete day %s of calendar %d: %w", date, calendarID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("calendar %d has no entry for %s", calendarID, date)
		}
		return nil
	})
}

// changeDays runs fn on a calendar's days and marks the calendar changed,
// so cached copies are dropped and open tickets get new deadlines.
func (s *Service) changeDays(ctx context.Context, calendarID int64, fn func(tx *sql.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var last time.Time
		err := tx.QueryRowContext(ctx, `SELECT updated_at FROM sla_calendars WHERE id = $1`, calendarID).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("calendar %d not found", calendarID)
		}
		if err != nil {
			return fmt.Errorf("change days of calendar %d: %w", calendarID, err)
		}
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sla_calendars SET updated_at = $2 WHERE id = $1`, calendarID,
			s.touchTime(last)); err != nil {
			return fmt.Errorf("change days of calendar %d: %w", calendarID, err)
		}
		return s.enqueueResync(ctx, tx, "calendar_id", calendarID)
	})
}

// calendar returns the compiled calendar id names, from the cache while
// its row is unchanged; a nil id is around the clock.
func (s *Service) calendar(ctx context.Context, q db.Queryer, id *int64) (*Calendar, error) {
	if id == nil {
		return nil, nil
	}
	var updated time.Time
	err := q.QueryRowContext(ctx, `SELECT updated_at FROM sla_calendars WHERE id = $1`, *id).Scan(&updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // deleted: around the clock until the plan names another
	}
	if err != nil {
		return nil, fmt.Errorf("calendar %d: %w", *id, err)
	}
	return s.calendarAt(ctx, q, *id, updated)
}

// calendarAt is calendar for a row whose updated_at the caller read.
func (s *Service) calendarAt(ctx context.Context, q db.Queryer, id int64, updated time.Time) (*Calendar, error) {
	s.mu.Lock()
	c := s.calendars[id]
	s.mu.Unlock()
	if c != nil && c.UpdatedAt.Equal(updated) {
		return c, nil
	}
	c, err := s.loadCalendar(ctx, q, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.calendars[id] = c
	s.mu.Unlock()
	return c, nil
}

func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// nameKey is the case-insensitive uniqueness key of a name.
func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
