package auth

import "context"

// Sign-ins outside the workspace (customers in the portal) answer to the
// same limits as agents': the address's failures are counted in the same
// bucket, so guessing cannot move from one door to the other, and each
// account has a bucket of its own, named by the caller ("contact:…").

// BeginAttempt refuses a sign-in attempt with apperr.RateLimited while the
// address or the account is blocked, and otherwise counts it as a failure
// of the account before the password is checked, so concurrent guesses
// cannot slip past the limit together. Call AttemptSucceeded or
// AttemptFailed once the password is checked.
func (s *Service) BeginAttempt(ctx context.Context, ip, account string) error {
	now := s.now()
	if err := s.refuseBlocked(ctx, now, ipBucket(ip)); err != nil {
		return err
	}
	return s.reserve(ctx, now, bucket{account, accountLimit()})
}

// AttemptFailed counts a failed attempt against the address.
func (s *Service) AttemptFailed(ctx context.Context, ip string) error {
	return s.recordFailure(ctx, s.now(), ipBucket(ip))
}

// AttemptSucceeded forgets the account's failures.
func (s *Service) AttemptSucceeded(ctx context.Context, account string) error {
	return s.clearFailures(ctx, bucket{account, accountLimit()})
}
