// Package ticket holds tickets, their comments and history, and the rules
// of their life: statuses, transitions, escalation, optimistic locking.
package ticket

import (
	"log/slog"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
)

// Service is the ticket domain: every change to a ticket goes through it.
type Service struct {
	db    *db.DB
	log   *slog.Logger
	dir   *directory.Service
	files *attachment.Service
	jobs  *job.Queue
}

// NewService returns the ticket service.
func NewService(d *db.DB, log *slog.Logger, dir *directory.Service, files *attachment.Service, jobs *job.Queue) *Service {
	return &Service{db: d, log: log, dir: dir, files: files, jobs: jobs}
}
