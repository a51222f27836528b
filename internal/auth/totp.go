package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
)

// Time-based one-time passwords (RFC 6238) as authenticator apps make
// them: HMAC-SHA1, a new 6-digit code every 30 seconds. The codes of the
// steps either side of now are accepted too, for clocks a little off.
const (
	totpPeriod = 30
	totpDigits = 6
	totpSkew   = 1
)

// totpEncoding is the base32 of secrets in otpauth URIs: no padding.
func totpEncoding() *base32.Encoding { return base32.StdEncoding.WithPadding(base32.NoPadding) }

// totpCode returns the code of a key at a time step (RFC 4226 section 5.3).
func totpCode(key []byte, step int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// totpStep is the time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchStep returns the step near now whose code is code, or false.
// Spaces in the code are ignored: apps show it as "123 456".
func matchStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	key, err := totpEncoding().DecodeString(strings.ToUpper(secret))
	if err != nil || len(key) == 0 || len(code) != totpDigits {
		return 0, false
	}
	var found int64
	ok := false
	for step := totpStep(now) - totpSkew; step <= totpStep(now)+totpSkew; step++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(key, step, totpDigits)), []byte(code)) == 1 {
			found, ok = step, true
		}
	}
	return found, ok
}

// totpState is an agent's second factor as stored.
type totpState struct {
	email    string
	secret   string // pending until enabled
	enabled  bool
	lastStep int64 // the step of the last code accepted; none is accepted twice
}

func (s *Service) loadTOTP(ctx context.Context, agentID int64) (totpState, error) {
	var st totpState
	err := s.db.R.QueryRowContext(ctx, `
		SELECT email, totp_secret, totp_enabled, totp_last_step FROM agents WHERE id = $1 AND active`, agentID).
		Scan(&st.email, &st.secret, &st.enabled, &st.lastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return totpState{}, apperr.NotFoundf("no active agent %d", agentID)
	}
	if err != nil {
		return totpState{}, fmt.Errorf("read second factor of agent %d: %w", agentID, err)
	}
	return st, nil
}

func errWrongCode() error { return apperr.Field("code", "wrong or expired code") }

// BeginTOTP starts setting up a second factor: it stores a new pending
// secret and returns it with the otpauth URI an authenticator app reads
// (as a QR code). Nothing changes for sign-in until ConfirmTOTP.
func (s *Service) BeginTOTP(ctx context.Context, agentID int64) (secret, uri string, err error) {
	st, err := s.loadTOTP(ctx, agentID)
	if err != nil {
		return "", "", err
	}
	if st.enabled {
		return "", "", apperr.Errorf(apperr.Conflict, "two-factor sign-in is already on; turn it off first")
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("second factor secret: %w", err)
	}
	secret = totpEncoding().EncodeToString(raw)
	_, err = s.db.W.ExecContext(ctx, `UPDATE agents SET totp_secret = $2 WHERE id = $1 AND NOT totp_enabled`, agentID, secret)
	if err != nil {
		return "", "", fmt.Errorf("begin second factor of agent %d: %w", agentID, err)
	}
	uri = "otpauth://totp/Linedesk:" + url.PathEscape(st.email) + "?secret=" + secret + "&issuer=Linedesk"
	return secret, uri, nil
}

// ConfirmTOTP turns the second factor on once the agent shows a code
// made from the pending secret, proving their app has it.
func (s *Service) ConfirmTOTP(ctx context.Context, agentID int64, code string) error {
	st, err := s.loadTOTP(ctx, agentID)
	if err != nil {
		return err
	}
	if st.enabled {
		return apperr.Errorf(apperr.Conflict, "two-factor sign-in is already on")
	}
	if st.secret == "" {
		return apperr.Errorf(apperr.Conflict, "start setting up two-factor sign-in first")
	}
	step, ok := matchStep(st.secret, code, s.now())
	if !ok || step <= st.lastStep {
		return errWrongCode()
	}
	res, err := s.db.W.ExecContext(ctx, `
		UPDATE agents SET totp_enabled = TRUE, totp_last_step = $3 WHERE id = $1 AND totp_secret = $2 AND NOT totp_enabled`,
		agentID, st.secret, step)
	if err != nil {
		return fmt.Errorf("enable second factor of agent %d: %w", agentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Errorf(apperr.Conflict, "the set-up was started again elsewhere; use the newest code")
	}
	return nil
}

// VerifyTOTP checks the second factor of an agent whose password Login
// accepted. A wrong code (apperr.Invalid, field "code") counts as a
// sign-in failure; a code is accepted once only.
func (s *Service) VerifyTOTP(ctx context.Context, agentID int64, code, ip string) error {
	now := s.now()
	b := secondFactorBucket(agentID)
	if err := s.reserve(ctx, now, b); err != nil {
		return err
	}
	ok, err := s.useCode(ctx, agentID, code, now)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.recordFailure(ctx, now, ipBucket(ip)); err != nil {
			return err
		}
		return errWrongCode()
	}
	return s.clearFailures(ctx, b)
}

// useCode accepts a right code not used before and remembers its step.
func (s *Service) useCode(ctx context.Context, agentID int64, code string, now time.Time) (bool, error) {
	st, err := s.loadTOTP(ctx, agentID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !st.enabled) {
		return false, apperr.Errorf(apperr.Unauthorized, "please sign in again")
	}
	if err != nil {
		return false, err
	}
	step, ok := matchStep(st.secret, code, now)
	if !ok || step <= st.lastStep {
		return false, nil
	}
	// The condition makes a code raced in twice count once.
	res, err := s.db.W.ExecContext(ctx, `
		UPDATE agents SET totp_last_step = $2 WHERE id = $1 AND totp_enabled AND totp_last_step < $2`, agentID, step)
	if err != nil {
		return false, fmt.Errorf("use second factor of agent %d: %w", agentID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// passwordBucket counts wrong passwords given to turn the second factor
// off, so a stolen session cannot be used to guess the password.
func passwordBucket(agentID int64) bucket {
	return bucket{"password:" + strconv.FormatInt(agentID, 10), accountLimit()}
}

// DisableTOTP turns the second factor off; the agent's current password
// is required (apperr.Invalid, field "password", when wrong).
func (s *Service) DisableTOTP(ctx context.Context, agentID int64, password string) error {
	now := s.now()
	b := passwordBucket(agentID)
	if err := s.reserve(ctx, now, b); err != nil {
		return err
	}
	var hash string
	err := s.db.R.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1 AND active`, agentID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("no active agent %d", agentID)
	}
	if err != nil {
		return fmt.Errorf("turn off second factor of agent %d: %w", agentID, err)
	}
	if !CheckPassword(hash, password) {
		return apperr.Field("password", "wrong password")
	}
	if err := s.clearFailures(ctx, b); err != nil {
		return err
	}
	_, err = s.db.W.ExecContext(ctx, `UPDATE agents SET totp_enabled = FALSE, totp_secret = '' WHERE id = $1`, agentID)
	if err != nil {
		return fmt.Errorf("turn off second factor of agent %d: %w", agentID, err)
	}
	return nil
}

// TOTPEnabled reports whether the agent signs in with a second factor.
func (s *Service) TOTPEnabled(ctx context.Context, agentID int64) (bool, error) {
	var on bool
	err := s.db.R.QueryRowContext(ctx, `SELECT totp_enabled FROM agents WHERE id = $1`, agentID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, apperr.NotFoundf("agent %d not found", agentID)
	}
	if err != nil {
		return false, fmt.Errorf("read second factor of agent %d: %w", agentID, err)
	}
	return on, nil
}
