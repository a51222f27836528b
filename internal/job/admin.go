package job

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

// scanJob reads one row of columns; it returns sql.ErrNoRows unwrapped.
func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var payload string
	var locked sql.NullTime
	err := row.Scan(&j.ID, &j.Kind, &payload, &j.State, &j.Attempts, &j.MaxAttempts,
		&j.RunAt, &locked, &j.LastError, &j.CreatedAt, &j.UpdatedAt)
	if err != nil {
		return Job{}, err
	}
	j.Payload = []byte(payload)
	if locked.Valid {
		j.LockedUntil = &locked.Time
	}
	return j, nil
}

// Find returns one job.
func (q *Queue) Find(ctx context.Context, id int64) (Job, error) {
	return q.FindIn(ctx, q.db.R, id)
}

// FindIn is Find read through tx: a change's own transaction, taking no
// second connection from the pool while it holds the change's locks.
func (q *Queue) FindIn(ctx context.Context, tx db.Queryer, id int64) (Job, error) {
	j, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, apperr.NotFoundf("job %d not found", id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("find job %d: %w", id, err)
	}
	return j, nil
}

// Filter selects jobs for FindJobs. Zero fields do not filter; Page counts
// from 1 and PerPage defaults to 25.
type Filter struct {
	State   State
	Kind    string
	Page    int
	PerPage int
}

// FindJobs returns one page of the jobs matching f, newest first, and how
// many match in all.
func (q *Queue) FindJobs(ctx context.Context, f Filter) ([]Job, int, error) {
	var where []string
	var args []any
	if f.State != "" {
		if !f.State.Valid() {
			return nil, 0, apperr.Field("state", "must be pending, running, done or dead")
		}
		args = append(args, f.State)
		where = append(where, fmt.Sprintf("state = $%d", len(args)))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := q.db.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count jobs: %w", err)
	}
	page, perPage := max(f.Page, 1), f.PerPage
	if perPage <= 0 {
		perPage = 25
	}
	args = append(args, perPage, (page-1)*perPage)
	rows, err := q.db.R.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM jobs%s ORDER BY id DESC LIMIT $%d OFFSET $%d`,
		columns, cond, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find jobs: %w", err)
	}
	defer rows.Close()
	jobs := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find jobs: %w", err)
		}
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find jobs: %w", err)
	}
	return jobs, total, nil
}

// Retry gives a dead job a fresh set of attempts, starting now, and
// returns it as Retry left it. Only dead jobs can be retried: the others
// are waiting, running or finished.
func (q *Queue) Retry(ctx context.Context, id int64) (Job, error) {
	now := db.Now()
	j, err := scanJob(q.db.W.QueryRowContext(ctx, `
		UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, locked_until = NULL, updated_at = $1
		WHERE id = $2 AND state = 'dead' RETURNING `+columns, now, id))
	if errors.Is(err, sql.ErrNoRows) {
		cur, err := q.Find(ctx, id)
		if err != nil {
			return Job{}, err
		}
		return Job{}, apperr.Errorf(apperr.Conflict, "job %d is %s; only a dead job can be retried", id, cur.State)
	}
	if err != nil {
		return Job{}, fmt.Errorf("retry job %d: %w", id, err)
	}
	q.log.InfoContext(ctx, "job retried", "job", id, "kind", j.Kind)
	q.Wake()
	return j, nil
}

// Counts returns how many jobs are in each state, every state present,
// for the metrics an operator watches (a growing dead count needs a look).
func (q *Queue) Counts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{string(Pending): 0, string(Running): 0, string(Done): 0, string(Dead): 0}
	rows, err := q.db.R.QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		counts[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return counts, nil
}

// Prune deletes done jobs last updated before olderThan and returns how
// many. Done rows are kept a while as a record of what ran; failed ones
// are never pruned.
func (q *Queue) Prune(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := q.db.W.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND updated_at < $1`,
		olderThan.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("prune jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		q.log.InfoContext(ctx, "jobs pruned", "deleted", n, "older_than", olderThan)
	}
	return n, nil
}
