package search

import (
	"context"
	"strconv"
	"strings"

	"linedesk/internal/directory"
)

// ContactSource is contacts as documents, for agents: the name, the
// addresses and the phone number; the notes as internal text.
type ContactSource struct{ dir *directory.Service }

// NewContactSource returns the contact kind.
func NewContactSource(d *directory.Service) *ContactSource { return &ContactSource{dir: d} }

// Kind is "contact".
func (s *ContactSource) Kind() string { return KindContact }

// Keys: contacts are filtered by company.
func (s *ContactSource) Keys() []string { return []string{KeyCompany} }

// Load reads contacts.
func (s *ContactSource) Load(ctx context.Context, ids []int64) ([]Document, error) {
	list, err := s.dir.ContactsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Document, len(list))
	for i, c := range list {
		out[i] = Document{Kind: KindContact, ID: c.ID, Title: c.Name, Subtitle: c.Email, Keywords: phoneKeywords(c.Phone),
			Parts:   []Part{{Text: strings.Join(c.Emails, " ")}, {Text: c.Phone}, {Text: c.Notes, Internal: true}},
			Facets:  []string{Facet(KeyCompany, ref(c.CompanyID))},
			Updated: c.UpdatedAt, Open: !c.Blocked}
	}
	return out, nil
}

// phoneKeywords are a phone number's digits, whole and without a country
// code, so "+371 2912 3456", "29123456" and "37129123456" find it.
func phoneKeywords(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(digits) > 8 {
		return digits + " " + digits[len(digits)-8:]
	}
	return digits
}

// IDs lists contact ids for a rebuild.
func (s *ContactSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.dir.ContactIDsAfter(ctx, after, limit)
}

// Count says how many contacts there are.
func (s *ContactSource) Count(ctx context.Context) (int, error) { return s.dir.CountContacts(ctx) }

// Access: every agent finds contacts; customers do not.
func (s *ContactSource) Access(_ context.Context, v Viewer) (Access, error) {
	return directoryAccess(v), nil
}

// Allowed: see Access.
func (s *ContactSource) Allowed(_ context.Context, v Viewer, ids []int64) ([]int64, error) {
	return directoryAllowed(v, ids), nil
}

func directoryAccess(v Viewer) Access {
	return Access{All: v.Agent != nil}
}

func directoryAllowed(v Viewer, ids []int64) []int64 {
	if v.Agent == nil {
		return nil
	}
	return ids
}

// CompanySource is companies as documents, for agents: the name and the
// domains; the notes as internal text.
type CompanySource struct{ dir *directory.Service }

// NewCompanySource returns the company kind.
func NewCompanySource(d *directory.Service) *CompanySource { return &CompanySource{dir: d} }

// Kind is "company".
func (s *CompanySource) Kind() string { return KindCompany }

// Keys: company:"Acme" finds the company itself too.
func (s *CompanySource) Keys() []string { return []string{KeyCompany} }

// Load reads companies.
func (s *CompanySource) Load(ctx context.Context, ids []int64) ([]Document, error) {
	list, err := s.dir.CompaniesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Document, len(list))
	for i, c := range list {
		out[i] = Document{Kind: KindCompany, ID: c.ID, Title: c.Name, Subtitle: strings.Join(c.Domains, ", "),
			Parts:   []Part{{Text: strings.Join(c.Domains, " ")}, {Text: c.Notes, Internal: true}},
			Facets:  []string{Facet(KeyCompany, strconv.FormatInt(c.ID, 10))},
			Updated: c.UpdatedAt, Open: true}
	}
	return out, nil
}

// IDs lists company ids for a rebuild.
func (s *CompanySource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return s.dir.CompanyIDsAfter(ctx, after, limit)
}

// Count says how many companies there are.
func (s *CompanySource) Count(ctx context.Context) (int, error) { return s.dir.CountCompanies(ctx) }

// Access: every agent finds companies; customers do not.
func (s *CompanySource) Access(_ context.Context, v Viewer) (Access, error) {
	return directoryAccess(v), nil
}

// Allowed: see Access.
func (s *CompanySource) Allowed(_ context.Context, v Viewer, ids []int64) ([]int64, error) {
	return directoryAllowed(v, ids), nil
}
