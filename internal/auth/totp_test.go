package auth_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// TestTOTPCodesMatchRFC6238 checks the SHA-1 test vectors of RFC 6238
// appendix B; a 6-digit code is the last six digits of the 8-digit one.
func TestTOTPCodesMatchRFC6238(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := tc.unix / 30
		if got := auth.TOTPCode(key, step, 8); got != tc.want {
			t.Errorf("T=%d: got %s, want %s", tc.unix, got, tc.want)
		}
		if got := auth.TOTPCode(key, step, 6); got != tc.want[2:] {
			t.Errorf("T=%d, 6 digits: got %s, want %s", tc.unix, got, tc.want[2:])
		}
	}
}

func TestTOTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		id := e.ada.ID
		var secret string

		t.Run("confirming before beginning is refused", func(t *testing.T) {
			wantCode(t, e.auth.ConfirmTOTP(ctx, id, "123456"), apperr.Conflict)
		})
		t.Run("beginning gives a secret for the app and changes nothing yet", func(t *testing.T) {
			var uri string
			var err error
			secret, uri, err = e.auth.BeginTOTP(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(uri)
			if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Linedesk:ada@desk.lv" ||
				u.Query().Get("secret") != secret || u.Query().Get("issuer") != "Linedesk" || len(secret) != 32 {
				t.Errorf("secret %q, uri %q", secret, uri)
			}
			if on, err := e.auth.TOTPEnabled(ctx, id); err != nil || on {
				t.Errorf("enabled %v, %v", on, err)
			}
			if res := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.1", ""); res.NeedTOTP {
				t.Error("a pending second factor is asked for")
			}
		})
		t.Run("a wrong code does not turn it on", func(t *testing.T) {
			wrong := auth.CodeAt(secret, e.clock.now().Add(2*time.Minute))
			wantField(t, e.auth.ConfirmTOTP(ctx, id, wrong), apperr.Invalid, "code")
			wantField(t, e.auth.ConfirmTOTP(ctx, id, "12345"), apperr.Invalid, "code")
			if on, _ := e.auth.TOTPEnabled(ctx, id); on {
				t.Error("enabled by a wrong code")
			}
		})
		code := ""
		t.Run("the right code turns it on", func(t *testing.T) {
			code = auth.CodeAt(secret, e.clock.now())
			if err := e.auth.ConfirmTOTP(ctx, id, code[:3]+" "+code[3:]); err != nil {
				t.Fatal(err)
			}
			if on, _ := e.auth.TOTPEnabled(ctx, id); !on {
				t.Fatal("not enabled")
			}
			_, _, err := e.auth.BeginTOTP(ctx, id)
			wantCode(t, err, apperr.Conflict)
		})
		t.Run("sign-in asks for it and a code works once", func(t *testing.T) {
			res := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.1", "")
			if !res.NeedTOTP || res.AgentID != id {
				t.Fatalf("got %+v", res)
			}
			// The code that confirmed the set-up is spent.
			wantField(t, e.auth.VerifyTOTP(ctx, id, code, "192.0.2.1"), apperr.Invalid, "code")
			e.clock.add(30 * time.Second)
			code = auth.CodeAt(secret, e.clock.now())
			if err := e.auth.VerifyTOTP(ctx, id, code, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			wantField(t, e.auth.VerifyTOTP(ctx, id, code, "192.0.2.1"), apperr.Invalid, "code")
		})
		t.Run("codes a step either side are accepted, further ones not", func(t *testing.T) {
			e.clock.add(time.Minute)
			now := e.clock.now()
			wantField(t, e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, now.Add(time.Minute)), "192.0.2.1"), apperr.Invalid, "code")
			if err := e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, now.Add(-30*time.Second)), "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if err := e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, now.Add(30*time.Second)), "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			// A later step was used: an earlier one is spent too.
			wantField(t, e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, now), "192.0.2.1"), apperr.Invalid, "code")
		})
		t.Run("wrong codes are throttled like wrong passwords", func(t *testing.T) {
			e.clock.add(15 * time.Minute) // the failures above no longer count
			for range 4 {
				wantField(t, e.auth.VerifyTOTP(ctx, id, "000000", "192.0.2.1"), apperr.Invalid, "code")
			}
			wantField(t, e.auth.VerifyTOTP(ctx, id, "nonsense", "192.0.2.1"), apperr.Invalid, "code")
			err := e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, e.clock.now()), "192.0.2.1")
			wantCode(t, err, apperr.RateLimited)
			if !strings.Contains(err.Error(), "try again in 15 minutes") {
				t.Errorf("message %v", err)
			}
			e.clock.add(15 * time.Minute)
			if err := e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, e.clock.now()), "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("turning it off needs the password", func(t *testing.T) {
			wantField(t, e.auth.DisableTOTP(ctx, id, "wrong horse"), apperr.Invalid, "password")
			if on, _ := e.auth.TOTPEnabled(ctx, id); !on {
				t.Fatal("turned off without the password")
			}
			if err := e.auth.DisableTOTP(ctx, id, adaPassword); err != nil {
				t.Fatal(err)
			}
			if res := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.1", ""); res.NeedTOTP {
				t.Error("still asked for a code")
			}
			err := e.auth.VerifyTOTP(ctx, id, auth.CodeAt(secret, e.clock.now().Add(time.Minute)), "192.0.2.1")
			wantCode(t, err, apperr.Unauthorized)
		})
		t.Run("guessing the password to turn it off is throttled", func(t *testing.T) {
			for range 5 {
				wantField(t, e.auth.DisableTOTP(ctx, id, "wrong horse"), apperr.Invalid, "password")
			}
			wantCode(t, e.auth.DisableTOTP(ctx, id, adaPassword), apperr.RateLimited)
		})
		t.Run("unknown and deactivated agents", func(t *testing.T) {
			_, _, err := e.auth.BeginTOTP(ctx, 99999)
			wantCode(t, err, apperr.NotFound)
			_, err = e.auth.TOTPEnabled(ctx, 99999)
			wantCode(t, err, apperr.NotFound)
			bob := e.agent(t, "Bob", "bob@desk.lv", adaPassword)
			bobSecret, _, err := e.auth.BeginTOTP(ctx, bob.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.auth.ConfirmTOTP(ctx, bob.ID, auth.CodeAt(bobSecret, e.clock.now())); err != nil {
				t.Fatal(err)
			}
			if err := e.dir.DeactivateAgent(ctx, bob.ID); err != nil {
				t.Fatal(err)
			}
			err = e.auth.VerifyTOTP(ctx, bob.ID, auth.CodeAt(bobSecret, e.clock.now().Add(30*time.Second)), "192.0.2.1")
			wantCode(t, err, apperr.Unauthorized)
		})
	})
}
