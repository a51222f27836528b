package routing

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/reply"
	"linedesk/internal/search"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// JobReply sends a templated reply a rule decided on: {"id"} of its
// routing_replies row.
const JobReply = "routing.reply"

// Source names routing's own ticket changes (ticket.Change.Source).
const Source = "routing"

// Service keeps the rules and runs them as a ticket hook.
type Service struct {
	db       *db.DB
	log      *slog.Logger
	dir      *directory.Service
	tickets  *ticket.Service
	plans    *sla.Service
	replies  *reply.Service
	jobs     *job.Queue
	analyzer *search.Analyzer
	now      func() time.Time

	mu    sync.Mutex
	cache cachedRules
}

// Deps are what the service works with.
type Deps struct {
	DB       *db.DB
	Log      *slog.Logger
	Dir      *directory.Service
	Tickets  *ticket.Service
	Plans    *sla.Service
	Replies  *reply.Service
	Jobs     *job.Queue
	Analyzer *search.Analyzer // nil: a new one
}

// NewService returns the routing service. Attach makes it hear ticket
// changes.
func NewService(d Deps) *Service {
	a := d.Analyzer
	if a == nil {
		a = search.NewAnalyzer()
	}
	return &Service{db: d.DB, log: d.Log, dir: d.Dir, tickets: d.Tickets, plans: d.Plans, replies: d.Replies,
		jobs: d.Jobs, analyzer: a, now: time.Now}
}

// Attach adds the rules to the ticket service's hooks and registers the
// reply job.
func (s *Service) Attach() {
	s.tickets.AddHook(s)
	s.jobs.Register(JobReply, s.handleReply)
}

// SetClock replaces the clock rules read the time of day from (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// tx runs fn in a write transaction.
func (s *Service) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.db.Tx(ctx, fn)
}
