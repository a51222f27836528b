package sla

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/ru"

	"linedesk/internal/apperr"
)

// Countries whose public holidays can be seeded into a calendar.
var Countries = []string{"lv", "ru"}

// russianNewYear are the New Year holidays of the Russian Labour Code
// (article 112) beside 1 and 7 January, which the holiday library lacks.
var russianNewYear = []int{2, 3, 4, 5, 6, 8}

// PublicHolidays returns a country's public holidays of a year, by the
// law's fixed rules: the day itself and, where the law moves a holiday
// off a weekend, the working day it moves to. Days the government moves
// from year to year (Russia's bridge days and worked Saturdays) are not
// among them: add those as moved working days.
func PublicHolidays(country string, year int) ([]Day, error) {
	var list []*cal.Holiday
	switch country {
	case "lv":
		list = lv.Holidays
	case "ru":
		list = ru.Holidays
	default:
		return nil, apperr.Field("country", "must be lv or ru")
	}
	if year < 1990 || year > 2200 {
		return nil, apperr.Field("year", "must be 1990 to 2200")
	}
	seen := map[string]bool{}
	var out []Day
	add := func(t time.Time, name string) {
		date := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		if !seen[date] {
			seen[date] = true
			out = append(out, Day{Date: date, Kind: DayHoliday, Name: name, AsWeekday: 1})
		}
	}
	for _, h := range list {
		actual, observed := h.Calc(year)
		if actual.IsZero() {
			continue
		}
		add(actual, h.Name)
		add(observed, h.Name)
	}
	if country == "ru" {
		for _, d := range russianNewYear {
			add(time.Date(year, time.January, d, 0, 0, 0, 0, time.UTC), "Новогодние каникулы")
		}
	}
	return out, nil
}

// SeedHolidays adds a country's public holidays of a year to a calendar
// and returns how many were new. Dates the calendar already lists (a
// moved working day, a holiday named by hand) are kept as they are.
func (s *Service) SeedHolidays(ctx context.Context, calendarID int64, country string, year int) (int, error) {
	days, err := PublicHolidays(country, year)
	if err != nil {
		return 0, err
	}
	added := 0
	err = s.changeDays(ctx, calendarID, func(tx *sql.Tx) error {
		added = 0
		for _, d := range days {
			res, err := tx.ExecContext(ctx, `INSERT INTO sla_calendar_days (calendar_id, day, kind, name, as_weekday)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (calendar_id, day) DO NOTHING`, calendarID, d.Date, d.Kind, d.Name, d.AsWeekday)
			if err != nil {
				return fmt.Errorf("seed holidays of calendar %d: %w", calendarID, err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}
