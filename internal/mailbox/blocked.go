package mailbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// BlockedDomain is a sender domain whose mail is quarantined instead of
// becoming tickets. Blocking a domain blocks its subdomains too.
type BlockedDomain struct {
	Domain    string    `json:"domain"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// BlockedDomainFilter pages through the blocked domains, ordered by name.
type BlockedDomainFilter struct {
	Offset int
	Limit  int // 25 when 0, at most 500
}

// BlockDomain blocks a domain; blocking it twice is a Conflict.
func (s *Service) BlockDomain(ctx context.Context, domain, reason string) (BlockedDomain, error) {
	d, err := ValidDomain("domain", domain)
	if err != nil {
		return BlockedDomain{}, err
	}
	if reason, err = text("reason", reason, 500); err != nil {
		return BlockedDomain{}, err
	}
	b := BlockedDomain{Domain: d, Reason: reason, CreatedAt: db.Now()}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO blocked_domains (domain, reason, created_at) VALUES ($1, $2, $3)`,
		b.Domain, b.Reason, b.CreatedAt)
	if db.IsUniqueViolation(err) {
		return BlockedDomain{}, &apperr.Error{Code: apperr.Conflict, Field: "domain",
			Message: fmt.Sprintf("%s is already blocked", d)}
	}
	if err != nil {
		return BlockedDomain{}, fmt.Errorf("block domain %s: %w", d, err)
	}
	return b, nil
}

// UnblockDomain lifts a block.
func (s *Service) UnblockDomain(ctx context.Context, domain string) error {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM blocked_domains WHERE domain = $1`, d)
	if err != nil {
		return fmt.Errorf("unblock domain %s: %w", d, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("domain %s is not blocked", d)
	}
	return nil
}

// IsBlockedDomain reports whether mail from domain (or from an address,
// whose domain is used) is blocked, directly or through a parent domain.
func (s *Service) IsBlockedDomain(ctx context.Context, domain string) (bool, error) {
	d := strings.ToLower(strings.TrimSpace(domain))
	if i := strings.LastIndex(d, "@"); i >= 0 {
		d = d[i+1:]
	}
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return false, nil
	}
	var candidates []string
	for {
		candidates = append(candidates, d)
		_, parent, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(parent, ".") {
			break
		}
		d = parent
	}
	in, args := db.In(candidates, 1)
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM blocked_domains WHERE domain IN (`+in+`)`, args...).
		Scan(&n); err != nil {
		return false, fmt.Errorf("check blocked domain %s: %w", domain, err)
	}
	return n > 0, nil
}

// FindBlockedDomains returns a page of blocked domains and how many there are.
func (s *Service) FindBlockedDomains(ctx context.Context, f BlockedDomainFilter) ([]BlockedDomain, int, error) {
	return db.FindPage(ctx, s.db.R, `domain, reason, created_at`, "blocked_domains", "domain", db.Where{}, f.Offset, f.Limit,
		func(row db.Scanner) (BlockedDomain, error) {
			var b BlockedDomain
			err := row.Scan(&b.Domain, &b.Reason, &b.CreatedAt)
			return b, err
		})
}
