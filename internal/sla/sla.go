// Package sla keeps the promises of the clients' plans: plans' service
// levels and terms, working-hours calendars, each ticket's deadlines (the
// clocks of its first response, next response and resolution), the
// scheduler that warns before a breach and escalates after one, and the
// support lines tickets move through with the time they spend at each.
//
// The package hears of ticket changes through a ticket hook and changes
// tickets only through ticket.Service (ApplyTx, EscalateTx), so every
// automatic action is in the ticket's history with its reason.
package sla

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// Source names the SLA automation in ticket changes it makes; the
// package's own hook ignores them.
const Source = "sla"

// Jobs of the package.
const (
	JobCheck = "sla.check" // the scheduler's run: warnings and breaches that are due
	// JobResync computes deadlines again after a plan or calendar changed
	// ({"plan_id"}, {"calendar_id"}), a company moved to another plan
	// ({"company_id"}), or a default plan came for the tickets of
	// companies with none of their own ({"unplanned": 1}).
	JobResync = "sla.resync"
)

// Config tunes the service; zero fields take the defaults.
type Config struct {
	// CheckInterval is how often the scheduler looks for deadlines that
	// are due. Default 30 s.
	CheckInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.CheckInterval <= 0 {
		c.CheckInterval = 30 * time.Second
	}
	return c
}

// Service is the SLA domain.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	dir     *directory.Service
	tickets *ticket.Service
	jobs    *job.Queue
	cfg     Config
	now     func() time.Time

	mu        sync.Mutex
	calendars map[int64]*Calendar // compiled calendars by id, valid while their updated_at is
	plans     map[int64]cachedPlan
}

// NewService returns the SLA service. Attach connects it to tickets and
// jobs.
func NewService(d *db.DB, log *slog.Logger, dir *directory.Service, tickets *ticket.Service, jobs *job.Queue, cfg Config) *Service {
	return &Service{db: d, log: log, dir: dir, tickets: tickets, jobs: jobs, cfg: cfg.withDefaults(), now: db.Now,
		calendars: map[int64]*Calendar{}, plans: map[int64]cachedPlan{}}
}

// Attach makes the service hear of every ticket change and of every
// company's, and run its jobs. Call it once, while the application is
// wired.
func (s *Service) Attach() {
	s.tickets.AddHook(s)
	s.dir.AddHook(s)
	s.jobs.Register(JobCheck, s.handleCheck)
	s.jobs.Register(JobResync, s.handleResync)
}

// SetClock replaces the service's clock, for tests that need a Friday
// afternoon. The clock decides when deadlines start and when they are
// due; the scheduler's own runs keep real time.
func (s *Service) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// Now is the service's current time.
func (s *Service) Now() time.Time { return s.now() }

// tx runs fn in a write transaction.
func (s *Service) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.db.Tx(ctx, fn)
}
