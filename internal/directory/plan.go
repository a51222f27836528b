package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Plan is the service level a company bought. SLA targets, calendars and
// rates are added to it by the packages that use them.
type Plan struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PlanInput creates a plan.
type PlanInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// PlanUpdate changes the fields that are not nil.
type PlanUpdate struct {
	Name        *string
	Description *string
}

// PlanFilter selects plans: Q is a case-insensitive part of the name.
type PlanFilter struct {
	Q      string
	Offset int
	Limit  int // 25 when 0, at most 500
}

func (p *Plan) normalize() (err error) {
	if p.Name, err = validName("name", p.Name); err != nil {
		return err
	}
	p.Description, err = validText("description", p.Description, maxNotes)
	return err
}

const planColumns = `id, name, description, created_at, updated_at`

func scanPlan(row db.Scanner) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ID, &p.Name, &p.Description, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// CreatePlan adds a plan; its name must be unused.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (Plan, error) {
	var p Plan
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.CreatePlanTx(ctx, tx, in)
		return err
	})
	return p, err
}

// CreatePlanTx is CreatePlan inside the caller's transaction, for a
// package that keeps more of the plan in its own tables.
func (s *Service) CreatePlanTx(ctx context.Context, tx *sql.Tx, in PlanInput) (Plan, error) {
	p := Plan{Name: in.Name, Description: in.Description}
	if err := p.normalize(); err != nil {
		return Plan{}, err
	}
	now := db.Now()
	err := tx.QueryRowContext(ctx, `
		INSERT INTO plans (name, name_key, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, p.Name, nameKey(p.Name), p.Description, now).Scan(&p.ID)
	if db.IsUniqueViolation(err) {
		return Plan{}, nameTaken("plan", p.Name)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("create plan: %w", err)
	}
	return findPlan(ctx, tx, p.ID)
}

// FindPlan returns one plan.
func (s *Service) FindPlan(ctx context.Context, id int64) (Plan, error) {
	return findPlan(ctx, s.db.R, id)
}

// FindPlanTx is FindPlan on q, inside a transaction.
func (s *Service) FindPlanTx(ctx context.Context, q db.Queryer, id int64) (Plan, error) {
	return findPlan(ctx, q, id)
}

func findPlan(ctx context.Context, q db.Queryer, id int64) (Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, apperr.NotFoundf("plan %d not found", id)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("find plan %d: %w", id, err)
	}
	return p, nil
}

// FindPlans returns a page of plans ordered by name, and how many match.
func (s *Service) FindPlans(ctx context.Context, f PlanFilter) ([]Plan, int, error) {
	var w db.Where
	if f.Q != "" {
		w.Add(`name_key LIKE ` + w.Arg(likeContains(f.Q)) + ` ESCAPE '\'`)
	}
	return db.FindPage(ctx, s.db.R, planColumns, "plans", "name_key, id", w, f.Offset, f.Limit, scanPlan)
}

// UpdatePlan changes a plan.
func (s *Service) UpdatePlan(ctx context.Context, id int64, u PlanUpdate) (Plan, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.UpdatePlanTx(ctx, tx, id, u)
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	return s.FindPlan(ctx, id)
}

// UpdatePlanTx is UpdatePlan inside the caller's transaction.
func (s *Service) UpdatePlanTx(ctx context.Context, tx *sql.Tx, id int64, u PlanUpdate) (Plan, error) {
	now := db.Now()
	if err := touch(ctx, tx, "plans", "plan", id, now); err != nil {
		return Plan{}, err
	}
	p, err := findPlan(ctx, tx, id)
	if err != nil {
		return Plan{}, err
	}
	set(&p.Name, u.Name)
	set(&p.Description, u.Description)
	if err := p.normalize(); err != nil {
		return Plan{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE plans SET name = $2, name_key = $3, description = $4 WHERE id = $1`,
		id, p.Name, nameKey(p.Name), p.Description)
	if db.IsUniqueViolation(err) {
		return Plan{}, nameTaken("plan", p.Name)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("update plan %d: %w", id, err)
	}
	return findPlan(ctx, tx, id)
}

// DeletePlan deletes a plan no company uses.
func (s *Service) DeletePlan(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "plans", "plan", id, db.Now()); err != nil {
			return err
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM companies WHERE plan_id = $1`, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Errorf(apperr.Conflict, "plan %d is used by companies (%d); move them to another plan first", id, n)
		}
		return deleteRow(ctx, tx, "plans", "plan", id)
	})
}
