package directory

import (
	"context"
	"database/sql"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// UpdateCompany changes a company.
func (s *Service) UpdateCompany(ctx context.Context, id int64, u CompanyUpdate) (Company, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "companies", "company", id, db.Now()); err != nil {
			return err
		}
		c, err := findCompany(ctx, tx, id)
		if err != nil {
			return err
		}
		set(&c.Name, u.Name)
		set(&c.Notes, u.Notes)
		set(&c.Domains, u.Domains)
		if u.PlanID.Set {
			c.PlanID = u.PlanID.ID
		}
		if err := c.normalize(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE companies SET name = $2, name_key = $3, plan_id = $4, notes = $5 WHERE id = $1`,
			id, c.Name, nameKey(c.Name), c.PlanID, c.Notes)
		if err := companyWriteError(err, c); err != nil {
			return err
		}
		if u.Domains != nil {
			if err := setDomains(ctx, tx, id, c.Domains); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, Change{Kind: ChangeCompany, ID: id})
	})
	if err != nil {
		return Company{}, err
	}
	return s.FindCompany(ctx, id)
}

// DeleteCompany deletes a company that has no contacts and no tickets.
func (s *Service) DeleteCompany(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, "companies", "company", id, db.Now()); err != nil {
			return err
		}
		contacts, err := count(ctx, tx, `SELECT count(*) FROM contacts WHERE company_id = $1`, id)
		if err != nil {
			return err
		}
		tickets, err := count(ctx, tx, `SELECT count(*) FROM tickets WHERE company_id = $1`, id)
		if err != nil {
			return err
		}
		if contacts > 0 || tickets > 0 {
			return apperr.Errorf(apperr.Conflict,
				"company %d still has contacts (%d) or tickets (%d); only a company without them can be deleted", id, contacts, tickets)
		}
		if err := deleteRow(ctx, tx, "companies", "company", id); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeCompany, ID: id, Deleted: true})
	})
}

// ValidDomain checks a DNS domain name (internationalised names in their
// xn-- form) and returns it lower-cased.
func ValidDomain(field, s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	bad := apperr.Field(field, "%q is not a valid domain name", s)
	if len(d) > 253 || !strings.Contains(d, ".") {
		return "", bad
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", bad
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return "", bad
			}
		}
	}
	return d, nil
}
