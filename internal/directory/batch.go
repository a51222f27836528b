package directory

import (
	"context"
	"fmt"

	"linedesk/internal/db"
)

// The readers below serve Linedesk's own consumers of the directory in
// bulk, such as the search index.

// ContactsByID returns the contacts with these ids, with their addresses,
// in no particular order; ids that do not exist are left out.
func (s *Service) ContactsByID(ctx context.Context, ids []int64) ([]Contact, error) {
	if len(ids) == 0 {
		return []Contact{}, nil
	}
	in, args := db.In(ids, 1)
	list, err := queryList(ctx, s.db.R, `SELECT `+contactColumns+` FROM contacts WHERE id IN (`+in+`)`, args, scanContact)
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	return list, withEmails(ctx, s.db.R, list)
}

// CompaniesByID returns the companies with these ids, with their
// domains, in no particular order; ids that do not exist are left out.
func (s *Service) CompaniesByID(ctx context.Context, ids []int64) ([]Company, error) {
	if len(ids) == 0 {
		return []Company{}, nil
	}
	in, args := db.In(ids, 1)
	list, err := queryList(ctx, s.db.R, `SELECT `+companyColumns+` FROM companies WHERE id IN (`+in+`)`, args, scanCompany)
	if err != nil {
		return nil, fmt.Errorf("read companies: %w", err)
	}
	domains, err := childrenOf[string](ctx, s.db.R, companyDomainsSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("domains of companies: %w", err)
	}
	for i := range list {
		list[i].Domains = orEmpty(domains[list[i].ID])
	}
	return list, nil
}

// ContactIDsAfter returns up to limit contact ids greater than after,
// ascending; CompanyIDsAfter the same for companies.
func (s *Service) ContactIDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	return queryList(ctx, s.db.R, `SELECT id FROM contacts WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, limit}, scanID)
}

// CompanyIDsAfter: see ContactIDsAfter.
func (s *Service) CompanyIDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	return queryList(ctx, s.db.R, `SELECT id FROM companies WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, limit}, scanID)
}

// CountContacts and CountCompanies say how many there are.
func (s *Service) CountContacts(ctx context.Context) (int, error) {
	return count(ctx, s.db.R, `SELECT count(*) FROM contacts`)
}

// CountCompanies: see CountContacts.
func (s *Service) CountCompanies(ctx context.Context) (int, error) {
	return count(ctx, s.db.R, `SELECT count(*) FROM companies`)
}

func scanID(row db.Scanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

func queryList[T any](ctx context.Context, q db.Queryer, query string, args []any, scan func(db.Scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
