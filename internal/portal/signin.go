package portal

import (
	"context"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
)

// Access returns the account of a contact who may use the portal now, or
// a Refusal that says why not: blocked, waiting for approval, closed, or
// not included in their plan (with whom to contact instead). It is asked
// at every sign-in and every request, so a change takes effect at once.
func (s *Service) Access(ctx context.Context, contactID int64) (Account, error) {
	a, err := s.FindAccount(ctx, contactID)
	if err != nil {
		return Account{}, err
	}
	switch {
	case a.Blocked:
		return a, refuse(RefusedBlocked)
	case a.State == StatePending:
		return a, refuse(RefusedPending)
	case a.State != StateActive:
		return a, refuse(RefusedRevoked)
	}
	allowed, instead, err := s.policy.PortalAllowed(ctx, contactID)
	if err != nil {
		return a, fmt.Errorf("portal access of contact %d: %w", contactID, err)
	}
	if !allowed {
		return a, &Refusal{Why: RefusedPlan, Instead: instead}
	}
	return a, nil
}

// errWrongSignIn is the one answer to a wrong address, a wrong password
// and an address without access, so none can be told from the others.
func errWrongSignIn() error {
	return apperr.Errorf(apperr.Unauthorized, "wrong e-mail or password")
}

// SignIn checks a customer's address and password under the sign-in
// limits (apperr.RateLimited while they hold) and returns the account.
// Only someone who knows the password learns why a known account may not
// come in (a Refusal).
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (Account, error) {
	email = directory.NormalizeEmail(email)
	bucket := "contact:" + email
	if err := s.auth.BeginAttempt(ctx, ip, bucket); err != nil {
		return Account{}, err
	}
	a, hash, err := s.accountByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Account{}, err
	}
	if hash == "" {
		auth.CheckPassword(s.dummy(), password)
	}
	if hash == "" || !auth.CheckPassword(hash, password) {
		if err := s.auth.AttemptFailed(ctx, ip); err != nil {
			return Account{}, err
		}
		return Account{}, errWrongSignIn()
	}
	if err := s.auth.AttemptSucceeded(ctx, bucket); err != nil {
		return Account{}, err
	}
	if a, err = s.Access(ctx, a.ContactID); err != nil {
		return a, err
	}
	return a, s.signedIn(ctx, a.ContactID)
}

// signedIn records when the customer last came in.
func (s *Service) signedIn(ctx context.Context, contactID int64) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE portal_accounts SET last_sign_in_at = $2 WHERE contact_id = $1`, contactID, s.now())
	if err != nil {
		return fmt.Errorf("record sign-in of contact %d: %w", contactID, err)
	}
	return nil
}
