package app

import (
	"context"
	"errors"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Retention of housekeeping: finished jobs are kept a week for
// inspection; an upload not attached to a comment within a day was
// abandoned.
const (
	doneJobRetention    = 7 * 24 * time.Hour
	orphanUploadMaxAge  = 24 * time.Hour
	maintenanceInterval = time.Hour
	// kbVisitRetention is how long the knowledge base remembers which
	// articles a portal visit viewed, so that reading one again within
	// the visit is not another view.
	kbVisitRetention = 30 * 24 * time.Hour
)

// Maintain runs one round of housekeeping. Every step is idempotent, so
// several nodes may run it at once.
func (a *App) Maintain(ctx context.Context) error {
	now := time.Now()
	jobs, err1 := a.Jobs.Prune(ctx, now.Add(-doneJobRetention))
	uploads, err2 := a.Attachments.PruneOrphans(ctx, now.Add(-orphanUploadMaxAge))
	sessions, err4 := a.web.sessions.Store.(*auth.SessionStore).Prune(ctx)
	signIn, err5 := a.Auth.PruneSignIn(ctx)
	portalRows, err6 := a.Portal.Prune(ctx)
	// A scheduler chain whose run died (its node crashed mid-run, its job
	// ran out of attempts) starts again.
	err7 := errors.Join(a.SLA.EnsureScheduled(ctx), a.Assign.EnsureScheduled(ctx))
	visits, err8 := a.KB.ForgetVisitViews(ctx, now.Add(-kbVisitRetention))
	var err3 error
	if a.DB.Dialect == db.SQLite {
		// Keeps SQLite's planner statistics fresh as the data grows.
		_, err3 = a.DB.W.ExecContext(ctx, `PRAGMA optimize`)
	}
	a.Log.Info("maintenance", "jobs_pruned", jobs, "uploads_pruned", uploads, "sessions_pruned", sessions,
		"sign_in_records_pruned", signIn, "portal_records_pruned", portalRows, "kb_visit_views_pruned", visits)
	return errors.Join(err1, err2, err3, err4, err5, err6, err7, err8)
}

// maintain runs Maintain every interval until ctx ends.
func (a *App) maintain(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Maintain(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("maintenance failed", "err", err)
			}
		}
	}
}
