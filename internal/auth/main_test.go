package auth_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var ctx = context.Background()

// clock is a settable time for the sign-in limits and codes.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signInEnv is an authentication service on a real database with a
// stopped clock and one agent, Ada, whose password is adaPassword.
type signInEnv struct {
	d     *db.DB
	auth  *auth.Service
	dir   *directory.Service
	clock *clock
	ada   directory.Agent
}

const adaPassword = "correct horse"

func newSignInEnv(t *testing.T, d *db.DB) *signInEnv {
	t.Helper()
	e := &signInEnv{d: d, auth: auth.NewService(d), dir: directory.NewService(d),
		clock: &clock{t: time.Date(2031, 5, 6, 9, 0, 0, 0, time.UTC)}}
	auth.SetClock(e.auth, e.clock.now)
	e.ada = e.agent(t, "Ada", "ada@desk.lv", adaPassword)
	return e
}

// agent creates an active agent.
func (e *signInEnv) agent(t *testing.T, name, email, password string) directory.Agent {
	t.Helper()
	a, err := e.dir.CreateAgent(ctx, directory.AgentInput{Name: name, Email: email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// login tries to sign in.
func (e *signInEnv) login(email, password, ip, device string) (auth.LoginResult, error) {
	return e.auth.Login(ctx, auth.LoginAttempt{Email: email, Password: password, IP: ip, Device: device})
}

// mustLogin signs in and returns the result.
func (e *signInEnv) mustLogin(t *testing.T, email, password, ip, device string) auth.LoginResult {
	t.Helper()
	res, err := e.login(email, password, ip, device)
	if err != nil {
		t.Fatalf("sign in as %s from %s: %v", email, ip, err)
	}
	return res
}

// wantCode fails unless err carries the code.
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error %v, want %q", err, code)
	}
}

// wantField fails unless err carries the code and field.
func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || e.Field != field {
		t.Fatalf("error %v, want code %q field %q", err, code, field)
	}
}
