package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"linedesk/internal/apperr"
)

// LoginAttempt is one sign-in try.
type LoginAttempt struct {
	Email    string
	Password string
	IP       string // the address the attempt came from
	Device   string // the agent's device cookie value, "" if none
}

// LoginResult is a sign-in whose password was right. AgentID is the
// agent signed in. NeedTOTP means a second factor must be checked with
// VerifyTOTP before the session is granted. Device is the value to store
// in the device cookie: a new one after each successful password check,
// valid 90 days.
type LoginResult struct {
	AgentID  int64
	NeedTOTP bool
	Device   string
}

// errWrongLogin is the one answer to every wrong e-mail, wrong password
// and agent who may not sign in, so none of them can be told apart.
func errWrongLogin() error {
	return apperr.Errorf(apperr.Unauthorized, "wrong e-mail or password")
}

// dummyHash is checked instead of a missing password hash, so a sign-in
// as nobody costs as much time as one with a wrong password.
func dummyHash() string {
	h, _ := HashPassword(RandomPassword())
	return h
}

// account is what a sign-in needs of an agent; id 0 when the e-mail is
// nobody's.
type account struct {
	id     int64
	email  string
	hash   string
	active bool
	totp   bool
}

// findAccount returns the agent with the e-mail address, or an account
// with id 0.
func (s *Service) findAccount(ctx context.Context, email string) (account, error) {
	a := account{email: strings.ToLower(strings.TrimSpace(email))}
	err := s.db.R.QueryRowContext(ctx, `
		SELECT id, password_hash, active, totp_enabled FROM agents WHERE email = $1`, a.email).
		Scan(&a.id, &a.hash, &a.active, &a.totp)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return account{}, fmt.Errorf("find agent to sign in: %w", err)
	}
	return a, nil
}

// passwordMatches checks the password; agents who may not sign in are
// checked against the dummy hash and refused, in the same time.
func (a account) passwordMatches(password string, dummy func() string) bool {
	if a.id == 0 || !a.active || a.hash == "" {
		CheckPassword(dummy(), password)
		return false
	}
	return CheckPassword(a.hash, password)
}

// Login checks an agent's e-mail and password under the sign-in limits:
// too many failures from one address, or against one account from
// browsers it has not signed in from, refuse further attempts for a
// while with apperr.RateLimited, without checking the password. An
// attempt from a browser the agent signed in from before (a valid device
// cookie) answers only to that device's own limit, so failures elsewhere
// cannot lock the agent out of it.
func (s *Service) Login(ctx context.Context, a LoginAttempt) (LoginResult, error) {
	now := s.now()
	acc, err := s.findAccount(ctx, a.Email)
	if err != nil {
		return LoginResult{}, err
	}
	device, err := s.findDevice(ctx, acc.id, a.Device, now)
	if err != nil {
		return LoginResult{}, err
	}
	ip, source := ipBucket(a.IP), accountBucket(acc.id, acc.email)
	if device != "" {
		source = deviceBucket(device)
	} else if err := s.refuseBlocked(ctx, now, ip); err != nil {
		return LoginResult{}, err
	}
	if err := s.reserve(ctx, now, source); err != nil {
		return LoginResult{}, err
	}
	if !acc.passwordMatches(a.Password, s.dummy) {
		if err := s.recordFailure(ctx, now, ip); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, errWrongLogin()
	}
	if err := s.clearFailures(ctx, source); err != nil {
		return LoginResult{}, err
	}
	cookie, err := s.issueDevice(ctx, acc.id, device, now)
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{AgentID: acc.id, NeedTOTP: acc.totp, Device: cookie}, nil
}

const principalSQL = `SELECT id, name, email, role, line FROM agents WHERE id = $1 AND active`

// LoadPrincipal returns the principal of a signed-in agent. A deactivated
// or unknown agent is apperr.Unauthorized: their session is over.
func (s *Service) LoadPrincipal(ctx context.Context, agentID int64) (Principal, error) {
	var p Principal
	err := s.db.R.QueryRowContext(ctx, principalSQL, agentID).Scan(&p.AgentID, &p.Name, &p.Email, &p.Role, &p.Line)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, apperr.Errorf(apperr.Unauthorized, "please sign in again")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("load agent %d: %w", agentID, err)
	}
	if p.GroupIDs, err = GroupIDs(ctx, s.db.R, p.AgentID); err != nil {
		return Principal{}, err
	}
	return p, nil
}
