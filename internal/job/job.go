// Package job is Linedesk's durable job queue (outbox): jobs are rows
// written in the same transaction as the change that causes them, claimed
// by workers under a lease, retried with backoff, and kept when they fail.
package job

import (
	"log/slog"

	"linedesk/internal/db"
)

// Queue stores, claims and runs jobs.
type Queue struct {
	db  *db.DB
	log *slog.Logger
}

// NewQueue returns a queue on d.
func NewQueue(d *db.DB, log *slog.Logger) *Queue {
	return &Queue{db: d, log: log}
}
