package routing

import (
	"context"
	"fmt"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// compiled is a rule ready to evaluate: its word patterns analyzed and
// its custom fields' types known.
type compiled struct {
	Rule
	patterns   [][]pattern // by condition
	fieldTypes map[string]ticket.FieldType
}

// cachedRules are the enabled rules of one generation of the rule set.
type cachedRules struct {
	generation int64
	rules      []*compiled
	calendars  map[int64]cachedCalendar
}

type cachedCalendar struct {
	cal  *sla.Calendar
	read time.Time
}

// calendarTTL is how long a plan's calendar is used before it is read
// again: calendars change rarely, and a minute's delay in seeing a new
// working week is harmless for routing.
const calendarTTL = time.Minute

// enabledRules returns the enabled rules in order. A change reads one
// row, the generation, and the rules themselves only when another change
// to them (on any node) raised it.
func (s *Service) enabledRules(ctx context.Context, q db.Queryer) ([]*compiled, error) {
	var gen int64
	if err := q.QueryRowContext(ctx, `SELECT generation FROM routing_state WHERE id = 1`).Scan(&gen); err != nil {
		return nil, fmt.Errorf("routing generation: %w", err)
	}
	s.mu.Lock()
	c := s.cache
	s.mu.Unlock()
	if c.generation == gen && c.rules != nil {
		return c.rules, nil
	}
	all, err := s.rules(ctx, q)
	if err != nil {
		return nil, err
	}
	fields, err := s.tickets.FindFieldsIn(ctx, q)
	if err != nil {
		return nil, err
	}
	types := map[string]ticket.FieldType{}
	for _, f := range fields {
		types[f.Key] = f.Type
	}
	out := []*compiled{}
	for _, r := range all {
		if r.Enabled {
			out = append(out, s.compile(r, types))
		}
	}
	s.mu.Lock()
	s.cache = cachedRules{generation: gen, rules: out, calendars: s.cache.calendars}
	s.mu.Unlock()
	return out, nil
}

func (s *Service) compile(r Rule, types map[string]ticket.FieldType) *compiled {
	c := &compiled{Rule: r, patterns: make([][]pattern, len(r.Conditions)), fieldTypes: types}
	for i, cond := range r.Conditions {
		if cond.Kind != CondSubject && cond.Kind != CondBody {
			continue
		}
		for _, v := range cond.Values {
			if cond.Op == OpPhrase {
				c.patterns[i] = append(c.patterns[i], s.compilePhrase(v))
			} else {
				c.patterns[i] = append(c.patterns[i], s.compilePattern(v))
			}
		}
	}
	return c
}

// calendar returns a stored calendar, kept for calendarTTL.
func (s *Service) calendar(ctx context.Context, q db.Queryer, id int64) (*sla.Calendar, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache.calendars[id]
	s.mu.Unlock()
	if ok && now.Sub(c.read) < calendarTTL {
		return c.cal, nil
	}
	cal, err := s.plans.FindCalendarIn(ctx, q, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cache.calendars == nil {
		s.cache.calendars = map[int64]cachedCalendar{}
	}
	s.cache.calendars[id] = cachedCalendar{cal: cal, read: now}
	s.mu.Unlock()
	return cal, nil
}
