package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Company is a client organisation.
type Company struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Domains   []string  `json:"domains"` // lower-case; each belongs to one company only
	PlanID    *int64    `json:"plan_id"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CompanyInput creates a company.
type CompanyInput struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	PlanID  *int64   `json:"plan_id"`
	Notes   string   `json:"notes"`
}

// CompanyUpdate changes the fields that are set. Domains, when not nil,
// replaces the whole list.
type CompanyUpdate struct {
	Name    *string
	Domains *[]string
	PlanID  Ref
	Notes   *string
}

// CompanyFilter selects companies: Q is a case-insensitive part of the
// name; PlanID, when not nil, keeps the companies on that plan.
type CompanyFilter struct {
	Q      string
	PlanID *int64
	Offset int
	Limit  int // 25 when 0, at most 500
}

const maxDomains = 100

func (c *Company) normalize() (err error) {
	if c.Name, err = validName("name", c.Name); err != nil {
		return err
	}
	if c.Notes, err = validText("notes", c.Notes, maxNotes); err != nil {
		return err
	}
	if len(c.Domains) > maxDomains {
		return apperr.Field("domains", "at most %d domains", maxDomains)
	}
	domains := []string{}
	for _, d := range c.Domains {
		if d, err = ValidDomain("domains", d); err != nil {
			return err
		}
		if IsFreeMail(d) {
			return apperr.Field("domains", "%s is a public mail service: its users never belong to one company", d)
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	c.Domains = domains
	return nil
}

const companyColumns = `id, name, plan_id, notes, created_at, updated_at`

func scanCompany(row db.Scanner) (Company, error) {
	var c Company
	err := row.Scan(&c.ID, &c.Name, &c.PlanID, &c.Notes, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

const companyDomainsSQL = `SELECT company_id, domain FROM company_domains WHERE company_id IN (%s) ORDER BY domain`

// companyWriteError explains a failed insert or update of a company row.
func companyWriteError(err error, c Company) error {
	switch {
	case err == nil:
		return nil
	case db.IsUniqueViolation(err):
		return nameTaken("company", c.Name)
	case db.IsForeignKeyViolation(err) && c.PlanID != nil:
		return apperr.Field("plan_id", "plan %d does not exist", *c.PlanID)
	}
	return fmt.Errorf("save company: %w", err)
}

// CreateCompany adds a company; its name and domains must be unused.
func (s *Service) CreateCompany(ctx context.Context, in CompanyInput) (Company, error) {
	c := Company{Name: in.Name, Domains: in.Domains, PlanID: in.PlanID, Notes: in.Notes}
	if err := c.normalize(); err != nil {
		return Company{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO companies (name, name_key, plan_id, notes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			c.Name, nameKey(c.Name), c.PlanID, c.Notes, db.Now()).Scan(&c.ID)
		if err := companyWriteError(err, c); err != nil {
			return err
		}
		if err := setDomains(ctx, tx, c.ID, c.Domains); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeCompany, ID: c.ID})
	})
	if err != nil {
		return Company{}, err
	}
	return s.FindCompany(ctx, c.ID)
}

func setDomains(ctx context.Context, tx *sql.Tx, companyID int64, domains []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM company_domains WHERE company_id = $1`, companyID); err != nil {
		return fmt.Errorf("set domains of company %d: %w", companyID, err)
	}
	for _, d := range domains {
		_, err := tx.ExecContext(ctx, `INSERT INTO company_domains (domain, company_id) VALUES ($1, $2)`, d, companyID)
		if db.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Field: "domains",
				Message: fmt.Sprintf("domain %s already belongs to another company", d)}
		}
		if err != nil {
			return fmt.Errorf("set domains of company %d: %w", companyID, err)
		}
	}
	return nil
}

// FindCompany returns one company with its domains.
func (s *Service) FindCompany(ctx context.Context, id int64) (Company, error) {
	c, err := findCompany(ctx, s.db.R, id)
	if err != nil {
		return Company{}, err
	}
	domains, err := childrenOf[string](ctx, s.db.R, companyDomainsSQL, []int64{id})
	if err != nil {
		return Company{}, fmt.Errorf("domains of company %d: %w", id, err)
	}
	c.Domains = orEmpty(domains[id])
	return c, nil
}

func findCompany(ctx context.Context, q db.Queryer, id int64) (Company, error) {
	c, err := scanCompany(q.QueryRowContext(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Company{}, apperr.NotFoundf("company %d not found", id)
	}
	if err != nil {
		return Company{}, fmt.Errorf("find company %d: %w", id, err)
	}
	return c, nil
}

// FindCompanies returns a page of companies ordered by name, with their
// domains, and how many match.
func (s *Service) FindCompanies(ctx context.Context, f CompanyFilter) ([]Company, int, error) {
	var w db.Where
	if f.Q != "" {
		w.Add(`name_key LIKE ` + w.Arg(likeContains(f.Q)) + ` ESCAPE '\'`)
	}
	if f.PlanID != nil {
		w.Add(`plan_id = ` + w.Arg(*f.PlanID))
	}
	list, total, err := db.FindPage(ctx, s.db.R, companyColumns, "companies", "name_key, id", w, f.Offset, f.Limit, scanCompany)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	domains, err := childrenOf[string](ctx, s.db.R, companyDomainsSQL, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("domains of companies: %w", err)
	}
	for i := range list {
		list[i].Domains = orEmpty(domains[list[i].ID])
	}
	return list, total, nil
}
