package agent_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestE2ESignIn proves a wrong password is refused with a message and the
// right one opens the queues.
func TestE2ESignIn(t *testing.T) {
	d := e2eStart(t)
	en := e2eCatalog(t, "en")
	ctx := d.tab()

	t.Run("wrong password shows the error", func(t *testing.T) {
		d := d.in(t)
		if st := d.login(ctx, d.anna.Email, "not the password"); st != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", st)
		}
		if got, want := d.text(ctx, ".auth-card .error"), en["login.wrong"]; got != want {
			t.Errorf("error shown %q, want %q", got, want)
		}
		if got := d.path(ctx); got != "/login" {
			t.Errorf("after a wrong password the window shows %s", got)
		}
	})
	t.Run("right password lands on the queues", func(t *testing.T) {
		d := d.in(t)
		d.open(ctx, "/login")
		if st := d.login(ctx, d.anna.Email, e2ePassword); st != http.StatusOK {
			t.Fatalf("status %d", st)
		}
		if got := d.path(ctx); got != "/" {
			t.Errorf("signed in at %s, want /", got)
		}
		if nav := d.text(ctx, "#queue-nav"); !strings.Contains(nav, en["queue.mine"]) || !strings.Contains(nav, en["queue.line1"]) {
			t.Errorf("queue navigation shows %q", nav)
		}
		if me := d.text(ctx, ".topbar .me-name"); me != e2eAnnaName {
			t.Errorf("top bar names %q, want %q", me, e2eAnnaName)
		}
	})
}
