package portal

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"linedesk/internal/db"
)

// limit allows n requests per window under one key.
type limit struct {
	key    string
	n      int
	window time.Duration
}

// take counts one request against every limit, inside tx, and reports
// whether all of them allow it. A request one limit refuses is counted by
// none, so a refused person is not held back longer for trying again.
func (s *Service) take(ctx context.Context, tx *sql.Tx, now time.Time, limits ...limit) (bool, error) {
	slices.SortFunc(limits, func(a, b limit) int { return strings.Compare(a.key, b.key) })
	if s.db.Dialect == db.Postgres {
		// Two nodes must not both take the last slot; SQLite's single
		// writer already serialises this transaction. Keys are locked in
		// order, so two requests never wait for each other's lock.
		for _, l := range limits {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "portal:"+l.key); err != nil {
				return false, fmt.Errorf("lock limit %s: %w", l.key, err)
			}
		}
	}
	for _, l := range limits {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM portal_hits WHERE key = $1 AND at > $2`, l.key,
			now.Add(-l.window)).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("count requests of %s: %w", l.key, err)
		}
		if n >= l.n {
			return false, nil
		}
	}
	for _, l := range limits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_hits (key, at) VALUES ($1, $2)`, l.key, now); err != nil {
			return false, fmt.Errorf("count request of %s: %w", l.key, err)
		}
	}
	return true, nil
}

// ipKey is the part of a key naming a client address; an IPv6 client
// usually owns a whole /64, so the /64 is the address.
func ipKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if addr = addr.Unmap(); addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// Retention of the portal's housekeeping.
const (
	hitRetention  = 24 * time.Hour
	linkRetention = 7 * 24 * time.Hour
)

// Prune forgets requests no limit counts any more and links long expired
// or used, and returns how many rows went. It is idempotent.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	now := s.now()
	res1, err := s.db.W.ExecContext(ctx, `DELETE FROM portal_hits WHERE at < $1`, now.Add(-hitRetention))
	if err != nil {
		return 0, fmt.Errorf("prune portal limits: %w", err)
	}
	res2, err := s.db.W.ExecContext(ctx, `DELETE FROM portal_links WHERE expires_at < $1`, now.Add(-linkRetention))
	if err != nil {
		return 0, fmt.Errorf("prune portal links: %w", err)
	}
	n1, _ := res1.RowsAffected()
	n2, _ := res2.RowsAffected()
	return n1 + n2, nil
}
