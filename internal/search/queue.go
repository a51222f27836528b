package search

import (
	"context"
	"database/sql"
	"fmt"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/ticket"
)

// Jobs of the search index.
const (
	// JobIndex {"kind", "id"} indexes one document as it is now.
	JobIndex = "search.index"
	// JobRequester {"contact_id"} indexes every ticket a contact
	// requests: after a merge of contacts moved tickets to them.
	JobRequester = "search.requester"
)

type indexPayload struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

// RegisterJobs sets the handlers of the index's jobs on the queue.
func (s *Service) RegisterJobs() {
	s.jobs.Register(JobIndex, s.handleIndex)
	s.jobs.Register(JobRequester, s.handleRequester)
}

const pendingSQL = `INSERT INTO search_pending (kind, ref_id, job_id, requested_at) VALUES ($1, $2, NULL, $3)
	ON CONFLICT (kind, ref_id) DO UPDATE SET requested_at = excluded.requested_at RETURNING job_id`

// Enqueue asks for documents to be indexed, through q: the transaction
// of the change that makes it necessary, so the request exists if and
// only if the change commits. A document waiting for its job already
// gets no second one; the job reads the document when it runs, so it
// indexes every change made before.
func (s *Service) Enqueue(ctx context.Context, q db.Queryer, kind string, ids ...int64) error {
	for _, id := range ids {
		if err := s.enqueue(ctx, q, kind, id); err != nil {
			return fmt.Errorf("queue indexing of %s %d: %w", kind, id, err)
		}
	}
	return nil
}

// enqueue records the waiting document and, unless a job that will still
// run waits for it already, queues one. The upsert locks the waiting row
// until the change commits, so a job about to run waits for the change
// and then reads it.
func (s *Service) enqueue(ctx context.Context, q db.Queryer, kind string, id int64) error {
	var waiting *int64
	if err := q.QueryRowContext(ctx, pendingSQL, kind, id, db.Now()).Scan(&waiting); err != nil {
		return err
	}
	if waiting != nil && s.jobAlive(ctx, q, *waiting) {
		return nil
	}
	jobID, err := s.jobs.Enqueue(ctx, q, JobIndex, indexPayload{Kind: kind, ID: id})
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE search_pending SET job_id = $3 WHERE kind = $1 AND ref_id = $2`, kind, id, jobID)
	return err
}

// jobAlive reports whether a job will still run: pending or running,
// read in the change's transaction q. A job that cannot be read (pruned, or the queue failing) counts as gone:
// a second job costs only a second reading of the document.
func (s *Service) jobAlive(ctx context.Context, q db.Queryer, id int64) bool {
	j, err := s.jobs.FindIn(ctx, q, id)
	return err == nil && (j.State == job.Pending || j.State == job.Running)
}

// handleIndex runs an index job. The waiting row goes first: a change
// committed after that asks for a job of its own.
func (s *Service) handleIndex(ctx context.Context, j job.Job) error {
	var p indexPayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM search_pending WHERE kind = $1 AND ref_id = $2`, p.Kind, p.ID); err != nil {
		return fmt.Errorf("index %s %d: %w", p.Kind, p.ID, err)
	}
	if _, ok := s.source(p.Kind); !ok {
		s.log.WarnContext(ctx, "index job for a kind no longer searched", "kind", p.Kind, "id", p.ID)
		return nil
	}
	return s.Index(ctx, p.Kind, []int64{p.ID})
}

// handleRequester indexes a contact's tickets, a page at a time.
func (s *Service) handleRequester(ctx context.Context, j job.Job) error {
	var p struct {
		ContactID int64 `json:"contact_id"`
	}
	if err := j.Decode(&p); err != nil {
		return err
	}
	src, ok := s.source(KindTicket)
	if !ok {
		return nil
	}
	tickets, ok := src.(*TicketSource)
	if !ok {
		return nil
	}
	return tickets.forRequester(ctx, p.ContactID, func(ids []int64) error { return s.Index(ctx, KindTicket, ids) })
}

// TicketChanged is the ticket hook: every change (a creation, an edit, a
// comment, a comment's new text, a merge or split moving comments)
// queues the ticket for indexing in the change's transaction.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	return s.Enqueue(ctx, tx, KindTicket, c.After.ID)
}

// DirectoryChanged is the directory hook: a contact or a company queues
// for indexing; a contact merged into another moves its tickets there,
// so those are indexed again.
func (s *Service) DirectoryChanged(ctx context.Context, q db.Queryer, c directory.Change) error {
	kind := KindContact
	if c.Kind == directory.ChangeCompany {
		kind = KindCompany
	}
	if err := s.Enqueue(ctx, q, kind, c.ID); err != nil {
		return err
	}
	if c.MergedInto != 0 {
		_, err := s.jobs.Enqueue(ctx, q, JobRequester, map[string]int64{"contact_id": c.MergedInto})
		return err
	}
	return nil
}
