package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
)

// Config tunes the search. Zero fields take the defaults.
type Config struct {
	// Candidates is how many of the newest-written matching documents
	// are ranked; hits are pages of those, and with more matches the
	// total says "more than". Default 500.
	Candidates int
	// DocFreqUpTo caps the document frequency counted for a term's
	// weight: rarer terms weigh more, and terms in this many documents
	// are all common alike (every candidate holds every term anyway; the
	// weights only balance the terms of one query). Default 2,000.
	DocFreqUpTo int
	// DocFreqTTL is how long a counted document frequency is reused.
	// Default 5 minutes.
	DocFreqTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.Candidates <= 0 {
		c.Candidates = 500
	}
	if c.DocFreqUpTo <= 0 {
		c.DocFreqUpTo = 2000
	}
	if c.DocFreqTTL <= 0 {
		c.DocFreqTTL = 5 * time.Minute
	}
	return c
}

// Service searches the index and keeps it in step with the documents.
type Service struct {
	db   *db.DB
	log  *slog.Logger
	jobs *job.Queue
	dir  *directory.Service
	an   *Analyzer
	eng  engine
	cfg  Config
	df   *dfCache

	mu      sync.RWMutex
	sources map[string]Source
	kinds   []string // in registration order
}

// NewService returns the search on d. dir resolves the names in filters
// (company:, group:, assignee:, from:).
func NewService(d *db.DB, log *slog.Logger, jobs *job.Queue, dir *directory.Service, cfg Config) *Service {
	cfg = cfg.withDefaults()
	var eng engine = fts5{d}
	if d.Dialect == db.Postgres {
		eng = pgfts{d}
	}
	return &Service{db: d, log: log, jobs: jobs, dir: dir, an: NewAnalyzer(), eng: eng, cfg: cfg,
		df: newDFCache(cfg.DocFreqTTL, 50_000), sources: map[string]Source{}}
}

// Analyzer returns the service's analyzer.
func (s *Service) Analyzer() *Analyzer { return s.an }

// Register adds a kind of document. Kinds are registered while the
// application is wired, before anything is indexed or searched.
func (s *Service) Register(src Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.sources[src.Kind()]; dup {
		panic(fmt.Sprintf("search: kind %q registered twice", src.Kind()))
	}
	s.sources[src.Kind()] = src
	s.kinds = append(s.kinds, src.Kind())
}

// source returns a registered kind.
func (s *Service) source(kind string) (Source, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.sources[kind]
	return src, ok
}

// Kinds lists the registered kinds.
func (s *Service) Kinds() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.kinds...)
}

func (s *Service) checkKinds(kinds []string) error {
	for _, k := range kinds {
		if _, ok := s.source(k); !ok {
			return apperr.Field("kind", "%q is not something to search; one of %v", k, s.Kinds())
		}
	}
	return nil
}

// dfCache keeps counted document frequencies for a while: the weight of
// a term changes slowly, and counting a common term's documents is the
// costliest part of ranking.
type dfCache struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]dfEntry
}

type dfEntry struct {
	n  int
	at time.Time
}

func newDFCache(ttl time.Duration, max int) *dfCache {
	return &dfCache{ttl: ttl, max: max, m: map[string]dfEntry{}}
}

func (c *dfCache) get(key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Since(e.at) > c.ttl {
		return 0, false
	}
	return e.n, true
}

func (c *dfCache) put(key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		c.m = map[string]dfEntry{}
	}
	c.m[key] = dfEntry{n: n, at: time.Now()}
}

// forget drops every counted frequency: after a rebuild of the index.
func (c *dfCache) forget() {
	c.mu.Lock()
	c.m = map[string]dfEntry{}
	c.mu.Unlock()
}

// collection is the index's size, for ranking.
type collection struct {
	docs               int64
	title, body, notes int64
}

func (s *Service) collection(ctx context.Context) (collection, error) {
	var c collection
	err := s.db.R.QueryRowContext(ctx, `SELECT docs, title_count, body_count, notes_count FROM search_stats WHERE id = 1`).
		Scan(&c.docs, &c.title, &c.body, &c.notes)
	if err != nil {
		return c, fmt.Errorf("search statistics: %w", err)
	}
	return c, nil
}
