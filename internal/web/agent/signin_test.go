package agent_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linedesk/internal/config"
	"linedesk/internal/db"
	"linedesk/internal/directory"
)

func TestSignIn(t *testing.T) {
	d := newDesk(t)

	t.Run("the workspace asks for a sign-in first", func(t *testing.T) {
		res, _ := d.browser().get("/tickets/1")
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/login?next=%2Ftickets%2F1" {
			t.Errorf("redirect to %q", loc)
		}
	})
	t.Run("a wrong password is refused with a message", func(t *testing.T) {
		res, body := d.browser().post("/login", url.Values{"email": {d.anna.Email}, "password": {"nope"}})
		wantStatus(t, res, http.StatusUnauthorized)
		wantContains(t, body, "Wrong e-mail or password.")
		if len(res.Cookies()) != 0 && res.Cookies()[0].Value != "" {
			t.Errorf("a refused sign-in set cookie %v", res.Cookies())
		}
	})
	t.Run("the right one opens the queues, with a safe session cookie", func(t *testing.T) {
		b := d.browser()
		res, _ := b.post("/login", url.Values{"email": {d.anna.Email}, "password": {password}, "next": {"//evil.example/x"}})
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("after sign-in went to %q, want / (the next parameter pointed off-site)", loc)
		}
		var session *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == "linedesk_session" {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", session)
		}
		res, body := b.get("/")
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, "My open tickets", "Anna Bērziņa")
	})
	t.Run("behind a TLS proxy the cookie is Secure", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/login",
			strings.NewReader(url.Values{"email": {d.anna.Email}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		res, _ := d.browser().do(req)
		for _, c := range res.Cookies() {
			if c.Name == "linedesk_session" && !c.Secure {
				t.Error("session cookie not Secure behind X-Forwarded-Proto: https")
			}
		}
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		b := d.signIn(d.anna)
		res, _ := b.post("/logout", nil)
		wantStatus(t, res, http.StatusSeeOther)
		res, _ = b.get("/")
		wantStatus(t, res, http.StatusSeeOther)
	})
	t.Run("a deactivated agent's session ends at the next request", func(t *testing.T) {
		gone, err := d.a.Directory.CreateAgent(context.Background(), directory.AgentInput{Name: "Leaving", Email: "leaving@desk.example", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		b := d.signIn(gone)
		if err := d.a.Directory.DeactivateAgent(context.Background(), gone.ID); err != nil {
			t.Fatal(err)
		}
		res, _ := b.get("/")
		wantStatus(t, res, http.StatusSeeOther)
	})
	t.Run("an expired session is not accepted", func(t *testing.T) {
		b := d.signIn(d.anna)
		if _, err := d.a.DB.W.Exec(`UPDATE sessions SET expiry = $1`, db.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		res, _ := b.get("/")
		wantStatus(t, res, http.StatusSeeOther)
	})
	t.Run("repeated failures are throttled without locking out the agent's own browser", func(t *testing.T) {
		own := d.signIn(d.ivan) // this browser now holds a device cookie
		own.post("/logout", nil)
		attacker := d.browser()
		var res *http.Response
		var body string
		for range 6 {
			res, body = attacker.post("/login", url.Values{"email": {d.ivan.Email}, "password": {"guess"}})
		}
		wantStatus(t, res, http.StatusTooManyRequests)
		wantContains(t, body, "Too many failed attempts")
		res, _ = attacker.post("/login", url.Values{"email": {d.ivan.Email}, "password": {password}})
		wantStatus(t, res, http.StatusTooManyRequests)
		res, _ = own.post("/login", url.Values{"email": {d.ivan.Email}, "password": {password}})
		wantStatus(t, res, http.StatusSeeOther)
	})
}

func TestCrossSitePostIsRefused(t *testing.T) {
	d := newDesk(t)
	tk := d.ticket("Printer", d.line1)
	b := d.signIn(d.anna)
	req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/tickets/"+itoa(tk.ID)+"/comments",
		strings.NewReader(url.Values{"body": {"forged"}, "public": {"1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, _ := b.do(req)
	wantStatus(t, res, http.StatusForbidden)
	cs, err := d.a.Tickets.Comments(context.Background(), d.principal(d.admin), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Errorf("a cross-site post added %d comments", len(cs))
	}
}

// TestSignInBehindAProxy proves the address limit counts the client's
// address from a trusted proxy's X-Forwarded-For, and that the header
// means nothing from anyone else.
func TestSignInBehindAProxy(t *testing.T) {
	d := newDeskWith(t, func(c *config.Config) {
		_, local, _ := net.ParseCIDR("127.0.0.0/8")
		c.TrustedProxies = []*net.IPNet{local}
	})
	try := func(forwardedFor, email string) int {
		req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/login",
			strings.NewReader(url.Values{"email": {email}, "password": {"guess"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		res, _ := d.browser().do(req)
		return res.StatusCode
	}
	// 20 failures from one client, spread over accounts so no account
	// is blocked: the next one from that client is refused.
	for i := range 20 {
		try("198.51.100.7", "nobody"+itoa(int64(i))+"@desk.example")
	}
	if got := try("198.51.100.7", "someone@desk.example"); got != http.StatusTooManyRequests {
		t.Errorf("21st failure from one client behind the proxy: %d, want 429", got)
	}
	// Another client behind the same proxy is not affected; a spoofed
	// first hop does not hide the real one.
	if got := try("198.51.100.7, 203.0.113.9", "someone@desk.example"); got != http.StatusUnauthorized {
		t.Errorf("another client behind the proxy: %d, want 401", got)
	}
}
