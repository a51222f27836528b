package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"linedesk/internal/apperr"
)

// Sign-in limits. An address may fail often (offices share one), an
// account or a device rarely; a block repeated within a day lasts twice
// as long as the one before, up to a day.
const (
	ipFailures      = 20
	accountFailures = 5
	failureWindow   = 15 * time.Minute
	firstBlock      = 15 * time.Minute
	longestBlock    = 24 * time.Hour
)

// limit is how many failures a bucket may collect within window before
// further attempts are refused for block, doubled on each repeat up to
// longest.
type limit struct {
	failures int
	window   time.Duration
	block    time.Duration
	longest  time.Duration
}

// bucket is one source of sign-in attempts whose failures are counted
// together.
type bucket struct {
	key   string
	limit limit
}

// ipLimit never doubles: an address may be a whole office's.
func ipLimit() limit { return limit{ipFailures, failureWindow, firstBlock, firstBlock} }

// accountLimit is the limit of an account, a device and a second factor.
func accountLimit() limit { return limit{accountFailures, failureWindow, firstBlock, longestBlock} }

// ipBucket counts every failure from one address. An IPv6 client
// usually owns a whole /64, so the /64 is the address.
func ipBucket(ip string) bucket {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return bucket{"ip:" + ip, ipLimit()}
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return bucket{"ip:" + p.String(), ipLimit()}
	}
	return bucket{"ip:" + addr.String(), ipLimit()}
}

// accountBucket counts the failures against one account from browsers
// it has not signed in from. Unknown addresses get buckets too, so they
// are throttled exactly like real ones.
func accountBucket(agentID int64, email string) bucket {
	if agentID == 0 {
		return bucket{"email:" + email, accountLimit()}
	}
	return bucket{"agent:" + strconv.FormatInt(agentID, 10), accountLimit()}
}

// deviceBucket counts the failures from one remembered browser.
func deviceBucket(deviceHash string) bucket {
	return bucket{"device:" + deviceHash, accountLimit()}
}

// secondFactorBucket counts wrong codes and wrong passwords given to turn
// the second factor off. Only someone who knows the password reaches it.
func secondFactorBucket(agentID int64) bucket {
	return bucket{"totp:" + strconv.FormatInt(agentID, 10), accountLimit()}
}

// throttle is a bucket's stored state.
type throttle struct {
	failures     int
	windowStart  time.Time
	blockedUntil time.Time // zero when never blocked
	blocks       int       // blocks in a row, for the doubling
}

// wait returns how long the bucket stays blocked after now.
func (t throttle) wait(now time.Time) time.Duration {
	return max(t.blockedUntil.Sub(now), 0)
}

// fail returns the state after one more failure at now. Failures while
// blocked are not counted; a block follows the failure that reaches the
// limit at once.
func (t throttle) fail(now time.Time, l limit) throttle {
	if t.wait(now) > 0 {
		return t
	}
	if now.Sub(t.windowStart) >= l.window {
		if now.Sub(t.blockedUntil) >= longestBlock {
			t.blocks = 0
		}
		t.failures, t.windowStart = 0, now
	}
	t.failures++
	if t.failures >= l.failures {
		d := l.block
		for range t.blocks {
			d = min(2*d, l.longest)
		}
		t.blockedUntil, t.blocks = now.Add(d), t.blocks+1
		t.failures, t.windowStart = 0, now
	}
	return t
}

// tooMany is the answer to an attempt refused by a block.
func tooMany(wait time.Duration) error {
	m := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if m == 1 {
		unit = "minute"
	}
	return apperr.Errorf(apperr.RateLimited, "too many failed sign-in attempts; try again in %d %s", m, unit)
}

// refuseBlocked returns tooMany while the bucket is blocked.
func (s *Service) refuseBlocked(ctx context.Context, now time.Time, b bucket) error {
	var until sql.NullTime
	err := s.db.R.QueryRowContext(ctx, `SELECT blocked_until FROM login_throttle WHERE key = $1`, b.key).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read sign-in limit: %w", err)
	}
	if wait := (throttle{blockedUntil: until.Time}).wait(now); wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// reserve refuses an attempt while its bucket is blocked, and otherwise
// counts it as a failure before the password is checked: concurrent
// attempts cannot slip past the limit together. Success clears the
// bucket.
func (s *Service) reserve(ctx context.Context, now time.Time, b bucket) error {
	return s.bump(ctx, now, b, true)
}

// recordFailure counts a failure in the bucket.
func (s *Service) recordFailure(ctx context.Context, now time.Time, b bucket) error {
	return s.bump(ctx, now, b, false)
}

const lockThrottleSQL = `
INSERT INTO login_throttle (key, failures, window_start, blocks) VALUES ($1, 0, $2, 0)
ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures
RETURNING failures, window_start, blocked_until, blocks`

// bump locks the bucket's row (creating it), then counts a failure;
// with refuse, a blocked bucket is left as it is and refused.
func (s *Service) bump(ctx context.Context, now time.Time, b bucket, refuse bool) error {
	var blocked error
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var t throttle
		var until sql.NullTime
		err := tx.QueryRowContext(ctx, lockThrottleSQL, b.key, now).Scan(&t.failures, &t.windowStart, &until, &t.blocks)
		if err != nil {
			return err
		}
		t.blockedUntil = until.Time
		if wait := t.wait(now); refuse && wait > 0 {
			blocked = tooMany(wait)
			return nil
		}
		t = t.fail(now, b.limit)
		until = sql.NullTime{Time: t.blockedUntil, Valid: !t.blockedUntil.IsZero()}
		_, err = tx.ExecContext(ctx, `
			UPDATE login_throttle SET failures = $2, window_start = $3, blocked_until = $4, blocks = $5 WHERE key = $1`,
			b.key, t.failures, t.windowStart, until, t.blocks)
		return err
	})
	if err != nil {
		return fmt.Errorf("count sign-in failure: %w", err)
	}
	return blocked
}

// clearFailures forgets the bucket's failures and blocks.
func (s *Service) clearFailures(ctx context.Context, b bucket) error {
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, b.key); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
