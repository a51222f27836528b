package auth_test

import (
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)

		t.Run("the right password signs in and remembers the browser", func(t *testing.T) {
			res := e.mustLogin(t, " ADA@desk.lv ", adaPassword, "192.0.2.1", "")
			if res.AgentID != e.ada.ID || res.NeedTOTP || len(res.Device) < 40 {
				t.Fatalf("got %+v", res)
			}
			var n int
			d.R.QueryRowContext(ctx, `SELECT count(*) FROM login_devices WHERE token_hash = $1`, res.Device).Scan(&n)
			if n != 0 {
				t.Error("the device cookie is stored in clear")
			}
			again := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.1", res.Device)
			if again.Device == res.Device || again.Device == "" {
				t.Errorf("the device cookie was not renewed: %q", again.Device)
			}
		})

		t.Run("nobody can tell an unknown e-mail from a wrong password", func(t *testing.T) {
			e.agent(t, "Gone", "gone@desk.lv", adaPassword)
			gone, _ := e.dir.FindAgentByEmail(ctx, "gone@desk.lv")
			if err := e.dir.DeactivateAgent(ctx, gone.ID); err != nil {
				t.Fatal(err)
			}
			e.agent(t, "Nopass", "nopass@desk.lv", "")
			hashTime := checkTime(t)

			_, want := e.login("ada@desk.lv", "wrong horse", "192.0.2.2", "")
			wantCode(t, want, apperr.Unauthorized)
			if apperr.As(want).Message != "wrong e-mail or password" {
				t.Errorf("message %q", apperr.As(want).Message)
			}
			for _, tc := range []struct{ name, email, password string }{
				{"unknown e-mail", "nobody@desk.lv", adaPassword},
				{"deactivated agent", "gone@desk.lv", adaPassword},
				{"agent without a password", "nopass@desk.lv", ""},
				{"empty e-mail", "", ""},
			} {
				start := time.Now()
				_, err := e.login(tc.email, tc.password, "192.0.2.2", "")
				took := time.Since(start)
				if err == nil || err.Error() != want.Error() {
					t.Errorf("%s: error %v, want %v", tc.name, err, want)
				}
				// A password hash is checked even when there is none to check.
				if took < hashTime/2 {
					t.Errorf("%s answered in %v; checking a password takes %v", tc.name, took, hashTime)
				}
			}
		})

		t.Run("a deactivated agent's session ends", func(t *testing.T) {
			bob := e.agent(t, "Bob", "bob@desk.lv", adaPassword)
			p, err := e.auth.LoadPrincipal(ctx, bob.ID)
			if err != nil || p.Email != "bob@desk.lv" || p.Role != auth.RoleAgent || p.GroupIDs == nil {
				t.Fatalf("principal %+v, %v", p, err)
			}
			if err := e.dir.DeactivateAgent(ctx, bob.ID); err != nil {
				t.Fatal(err)
			}
			_, err = e.auth.LoadPrincipal(ctx, bob.ID)
			wantCode(t, err, apperr.Unauthorized)
			_, err = e.auth.LoadPrincipal(ctx, 99999)
			wantCode(t, err, apperr.Unauthorized)
			_, err = e.login("bob@desk.lv", adaPassword, "192.0.2.3", "")
			wantCode(t, err, apperr.Unauthorized)
		})
	})
}

// checkTime is how long checking a password takes at the least.
func checkTime(t *testing.T) time.Duration {
	t.Helper()
	h, err := auth.HashPassword("anything at all")
	if err != nil {
		t.Fatal(err)
	}
	least := time.Hour
	for range 3 {
		start := time.Now()
		auth.CheckPassword(h, "x")
		least = min(least, time.Since(start))
	}
	return least
}

// fail makes n wrong sign-in attempts, each refused as a wrong password.
func (e *signInEnv) fail(t *testing.T, n int, email, ip, device string) {
	t.Helper()
	for i := range n {
		_, err := e.login(email, "wrong horse", ip, device)
		if !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("wrong attempt %d of %d from %s: %v", i+1, n, ip, err)
		}
	}
}

// wantBlocked fails unless the sign-in is refused as too many attempts
// and the message names the minutes left.
func (e *signInEnv) wantBlocked(t *testing.T, email, ip, device, message string) {
	t.Helper()
	_, err := e.login(email, adaPassword, ip, device)
	wantCode(t, err, apperr.RateLimited)
	if got := apperr.As(err).Message; got != message {
		t.Errorf("message %q, want %q", got, message)
	}
}

func TestAccountThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		home := e.mustLogin(t, "ada@desk.lv", adaPassword, "198.51.100.7", "").Device
		bob := e.agent(t, "Bob", "bob@desk.lv", "bob's password")
		bobDevice := e.mustLogin(t, "bob@desk.lv", "bob's password", "198.51.100.8", "").Device
		const blocked15 = "too many failed sign-in attempts; try again in 15 minutes"

		t.Run("after five failures the account is refused from anywhere new, even with the right password", func(t *testing.T) {
			e.fail(t, 5, "ada@desk.lv", "203.0.113.1", "")
			e.wantBlocked(t, "ada@desk.lv", "203.0.113.99", "", blocked15)
			// Not even checked: a wrong password gets the same answer.
			_, err := e.login("ada@desk.lv", "wrong horse", "203.0.113.99", "")
			wantCode(t, err, apperr.RateLimited)
			e.wantBlocked(t, "ada@desk.lv", "203.0.113.1", "forged", blocked15)
			e.wantBlocked(t, "ada@desk.lv", "203.0.113.1", bobDevice, blocked15)
		})
		t.Run("the agent at their usual browser still signs in", func(t *testing.T) {
			res := e.mustLogin(t, "ada@desk.lv", adaPassword, "198.51.100.7", home)
			if res.AgentID != e.ada.ID {
				t.Fatalf("got %+v", res)
			}
			// The old cookie was replaced by the new one.
			e.wantBlocked(t, "ada@desk.lv", "198.51.100.7", home, blocked15)
			home = res.Device
			// Other accounts are untouched.
			if res := e.mustLogin(t, "bob@desk.lv", "bob's password", "203.0.113.1", bobDevice); res.AgentID != bob.ID {
				t.Fatalf("got %+v", res)
			}
		})
		t.Run("a browser has its own limit", func(t *testing.T) {
			e.fail(t, 5, "ada@desk.lv", "198.51.100.7", home)
			e.wantBlocked(t, "ada@desk.lv", "198.51.100.7", home, blocked15)
		})
		t.Run("the block ends with time and doubles on repeat", func(t *testing.T) {
			e.clock.add(10 * time.Minute)
			e.wantBlocked(t, "ada@desk.lv", "203.0.113.1", "", "too many failed sign-in attempts; try again in 5 minutes")
			e.clock.add(5*time.Minute + time.Second)
			e.fail(t, 5, "ada@desk.lv", "203.0.113.2", "")
			e.wantBlocked(t, "ada@desk.lv", "203.0.113.1", "", "too many failed sign-in attempts; try again in 30 minutes")
			e.clock.add(30 * time.Minute)
			res := e.mustLogin(t, "ada@desk.lv", adaPassword, "203.0.113.3", "")
			home = res.Device
		})
		t.Run("success clears the failures of its source", func(t *testing.T) {
			e.fail(t, 4, "ada@desk.lv", "203.0.113.4", "")
			e.mustLogin(t, "ada@desk.lv", adaPassword, "203.0.113.4", "")
			e.fail(t, 4, "ada@desk.lv", "203.0.113.4", "")
			e.mustLogin(t, "ada@desk.lv", adaPassword, "203.0.113.4", "")
		})
		t.Run("unknown e-mails are throttled like real ones", func(t *testing.T) {
			e.fail(t, 5, "nobody@desk.lv", "203.0.113.5", "")
			_, err := e.login("nobody@desk.lv", adaPassword, "203.0.113.6", "")
			wantCode(t, err, apperr.RateLimited)
		})
	})
}

func TestAddressThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		home := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.50", "").Device
		// Four accounts, five failures each: no account reaches its limit.
		for _, email := range []string{"a@x.lv", "b@x.lv", "c@x.lv", "d@x.lv"} {
			e.fail(t, 5, email, "192.0.2.50", "")
		}

		t.Run("after twenty failures the address is refused for every account", func(t *testing.T) {
			e.wantBlocked(t, "ada@desk.lv", "192.0.2.50", "", "too many failed sign-in attempts; try again in 15 minutes")
			e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.51", "")
		})
		t.Run("a remembered browser behind the address still signs in", func(t *testing.T) {
			e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.50", home)
		})
		t.Run("the block ends after fifteen minutes", func(t *testing.T) {
			e.clock.add(15 * time.Minute)
			e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.50", "")
		})
		t.Run("an IPv6 /64 is one address", func(t *testing.T) {
			for _, email := range []string{"a@x.lv", "b@x.lv", "c@x.lv", "d@x.lv"} {
				for i := range 5 {
					e.fail(t, 1, email, "2001:db8:1:2::"+string(rune('a'+i)), "")
				}
			}
			_, err := e.login("ada@desk.lv", adaPassword, "2001:db8:1:2:ffff::1", "")
			wantCode(t, err, apperr.RateLimited)
			e.mustLogin(t, "ada@desk.lv", adaPassword, "2001:db8:1:3::1", "")
		})
	})
}

func TestConcurrentAttemptsStayWithinTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		errs := make(chan error, 20)
		for i := range 20 {
			go func() {
				_, err := e.login("ada@desk.lv", "wrong horse", "203.0.113."+string(rune('1'+i%9)), "")
				errs <- err
			}()
		}
		checked := 0
		for range 20 {
			err := <-errs
			switch apperr.CodeOf(err) {
			case apperr.Unauthorized:
				checked++
			case apperr.RateLimited:
			default:
				t.Errorf("unexpected %v", err)
			}
		}
		if checked != 5 {
			t.Errorf("%d passwords were checked, want 5", checked)
		}
	})
}

func TestPruneSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newSignInEnv(t, d)
		device := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.9", "").Device
		e.fail(t, 5, "ada@desk.lv", "192.0.2.9", "")
		if n, err := e.auth.PruneSignIn(ctx); err != nil || n != 0 {
			t.Fatalf("pruned %d, %v: nothing is old yet", n, err)
		}
		e.wantBlocked(t, "ada@desk.lv", "192.0.2.10", "", "too many failed sign-in attempts; try again in 15 minutes")
		e.clock.add(91 * 24 * time.Hour)
		// The device and the account and address counters are gone.
		if n, err := e.auth.PruneSignIn(ctx); err != nil || n != 3 {
			t.Fatalf("pruned %d, %v; want 3", n, err)
		}
		res := e.mustLogin(t, "ada@desk.lv", adaPassword, "192.0.2.9", device)
		if res.AgentID != e.ada.ID {
			t.Fatalf("got %+v", res)
		}
	})
}
