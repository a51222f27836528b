package portal_test

import (
	"context"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
)

func TestSignInLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		a := f.invited("Jānis Kalniņš", "janis@client.example", &f.company.ID)

		t.Run("a link works once, for its contact", func(t *testing.T) {
			f.must(f.svc.RequestLink(ctx, "Janis@Client.example", "192.0.2.1"))
			token := f.lastToken("janis@client.example")
			info, err := f.svc.PeekLink(ctx, token)
			if err != nil || info.Purpose != portal.LinkSignIn {
				t.Fatalf("peek: %+v %v", info, err)
			}
			res, err := f.svc.UseLink(ctx, token)
			if err != nil || !res.Signed || res.Account.ContactID != a.ContactID {
				t.Fatalf("first use: %+v %v", res, err)
			}
			if _, err := f.svc.UseLink(ctx, token); refusal(err) != portal.RefusedLinkUsed {
				t.Errorf("second use: %v, want refused as used", err)
			}
			if _, err := f.svc.PeekLink(ctx, token); refusal(err) != portal.RefusedLinkUsed {
				t.Errorf("peek after use: %v, want refused as used", err)
			}
		})
		t.Run("a link expires after 20 minutes", func(t *testing.T) {
			f.must(f.svc.RequestLink(ctx, "janis@client.example", "192.0.2.2"))
			token := f.lastToken("janis@client.example")
			f.after(21 * time.Minute)
			if _, err := f.svc.UseLink(ctx, token); refusal(err) != portal.RefusedLinkStale {
				t.Errorf("use after 21 minutes: %v, want refused as expired", err)
			}
			for _, l := range f.letters() {
				if l.Subject == "Your sign-in link" {
					t.Errorf("a letter with an expired or used sign-in link would still be sent: %q", l.Body)
				}
			}
		})
		t.Run("a forged or altered token does nothing", func(t *testing.T) {
			f.must(f.svc.RequestLink(ctx, "janis@client.example", "192.0.2.3"))
			token := f.lastToken("janis@client.example")
			for _, bad := range []string{alter(token), "1-AAAAAAAAAAAAAAAAAAAAAA", "nonsense", ""} {
				if _, err := f.svc.UseLink(ctx, bad); refusal(err) != portal.RefusedLinkBad {
					t.Errorf("use %q: %v, want refused as invalid", bad, err)
				}
			}
			if _, err := f.svc.UseLink(ctx, token); err != nil {
				t.Errorf("the real link after forged attempts: %v", err)
			}
		})
		t.Run("an address without access gets nothing, and the same answer", func(t *testing.T) {
			f.contact("Nobody", "nobody@client.example", nil)
			before := f.count(`SELECT count(*) FROM portal_links`)
			for _, e := range []string{"nobody@client.example", "unknown@elsewhere.example"} {
				if err := f.svc.RequestLink(ctx, e, "192.0.2.4"); err != nil {
					t.Errorf("request for %s: %v, want the same answer as for a customer", e, err)
				}
			}
			if n := f.count(`SELECT count(*) FROM portal_links`); n != before {
				t.Errorf("%d links made for addresses without access", n-before)
			}
		})
		t.Run("an address asks for at most three links in 15 minutes", func(t *testing.T) {
			f.after(time.Hour)
			for i := range 3 {
				f.must(f.svc.RequestLink(ctx, "janis@client.example", "198.51.100.1"))
				_ = i
			}
			if err := f.svc.RequestLink(ctx, "janis@client.example", "198.51.100.2"); !apperr.Is(err, apperr.RateLimited) {
				t.Errorf("fourth link: %v, want rate limited", err)
			}
		})
		t.Run("a bad address is refused naming the field", func(t *testing.T) {
			err := f.svc.RequestLink(ctx, "not an address", "192.0.2.9")
			if e := apperr.As(err); e == nil || e.Field != "email" {
				t.Errorf("got %v, want an error on email", err)
			}
		})
	})
}

func TestPasswordSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		pol := &policy{deny: map[int64]bool{}, instead: "your account manager, +371 6700 0000"}
		f := newFixture(t, d, pol)
		ctx := context.Background()
		a := f.invited("Jānis Kalniņš", "janis@client.example", &f.company.ID)

		t.Run("the right password signs in", func(t *testing.T) {
			got, err := f.svc.SignIn(ctx, "JANIS@client.example", "portal password", "192.0.2.1")
			if err != nil || got.ContactID != a.ContactID {
				t.Fatalf("sign in: %+v %v", got, err)
			}
			if got, _ := f.svc.FindAccount(ctx, a.ContactID); got.LastSignInAt == nil {
				t.Error("the sign-in was not recorded")
			}
		})
		t.Run("a wrong password and an unknown address get the same answer", func(t *testing.T) {
			_, err1 := f.svc.SignIn(ctx, "janis@client.example", "wrong", "192.0.2.1")
			_, err2 := f.svc.SignIn(ctx, "who@client.example", "wrong", "192.0.2.1")
			if !apperr.Is(err1, apperr.Unauthorized) || err1.Error() != err2.Error() {
				t.Errorf("wrong password %v, unknown address %v: want the same Unauthorized", err1, err2)
			}
		})
		t.Run("a blocked contact cannot sign in, by password or link", func(t *testing.T) {
			b := f.invited("Blocked Person", "blocked@client.example", &f.company.ID)
			blocked, reason := true, "abusive mail"
			_, err := f.dir.UpdateContact(ctx, b.ContactID, directory.ContactUpdate{Blocked: &blocked, BlockedReason: &reason})
			f.must(err)
			if _, err := f.svc.SignIn(ctx, "blocked@client.example", "portal password", "192.0.2.5"); refusal(err) != portal.RefusedBlocked {
				t.Errorf("password: %v, want refused as blocked", err)
			}
			f.must(f.svc.RequestLink(ctx, "blocked@client.example", "192.0.2.5"))
			for _, l := range f.letters() {
				if l.To == "blocked@client.example" && linkURL.MatchString(l.Body) && len(f.letters()) > 0 {
					if _, err := f.svc.UseLink(ctx, linkURL.FindStringSubmatch(l.Body)[1]); err == nil {
						t.Error("a blocked contact signed in with a link")
					}
				}
			}
			if _, err := f.svc.Access(ctx, b.ContactID); refusal(err) != portal.RefusedBlocked {
				t.Errorf("access of a signed-in contact blocked since: %v, want refused as blocked", err)
			}
		})
		t.Run("a plan without the portal names whom to contact instead", func(t *testing.T) {
			pol.deny[a.ContactID] = true
			defer delete(pol.deny, a.ContactID)
			_, err := f.svc.SignIn(ctx, "janis@client.example", "portal password", "192.0.2.6")
			var r *portal.Refusal
			if refusal(err) != portal.RefusedPlan {
				t.Fatalf("sign in: %v, want refused by the plan", err)
			}
			if errorsAs(err, &r); r.Instead != pol.instead {
				t.Errorf("whom to contact: %q, want %q", r.Instead, pol.instead)
			}
		})
		t.Run("five failures block the account for a while", func(t *testing.T) {
			f.invited("Guessed", "guessed@client.example", &f.company.ID)
			for i := range 5 {
				f.svc.SignIn(ctx, "guessed@client.example", "guess", "203.0.113."+string(rune('1'+i)))
			}
			_, err := f.svc.SignIn(ctx, "guessed@client.example", "portal password", "203.0.113.99")
			if !apperr.Is(err, apperr.RateLimited) {
				t.Errorf("the right password after five failures: %v, want rate limited", err)
			}
		})
	})
}

func TestRegistration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		set := func(mode string, approval bool) {
			_, err := f.svc.SaveSettings(ctx, f.admin, portal.Settings{Registration: mode, Approval: approval})
			f.must(err)
		}
		reg := func(name, email string) error {
			return f.svc.Register(ctx, portal.Registration{Name: name, Email: email, Language: "lv", IP: "192.0.2.10"})
		}

		t.Run("switched off by default, registration is refused and stores nothing", func(t *testing.T) {
			if err := reg("Ilze", "ilze@client.example"); refusal(err) != portal.RefusedClosed {
				t.Errorf("got %v, want refused as closed", err)
			}
			if n := f.count(`SELECT count(*) FROM portal_links`); n != 0 {
				t.Errorf("%d links stored", n)
			}
		})
		t.Run("limited to clients' domains", func(t *testing.T) {
			set(portal.RegistrationDomains, false)
			for _, e := range []string{"someone@elsewhere.example", "someone@gmail.com"} {
				if err := reg("Someone", e); refusal(err) != portal.RefusedDomain {
					t.Errorf("%s: %v, want refused as not a client's domain", e, err)
				}
			}
			f.must(reg("Ilze Ozola", "ilze@client.example"))
			contacts := f.count(`SELECT count(*) FROM contacts`)
			res, err := f.svc.UseLink(ctx, f.lastToken("ilze@client.example"))
			if err != nil || !res.Signed || !res.NeedPassword {
				t.Fatalf("confirm: %+v %v", res, err)
			}
			c, err := f.dir.FindContact(ctx, res.Account.ContactID)
			f.must(err)
			if c.CompanyID == nil || *c.CompanyID != f.company.ID || c.Language != "lv" || c.Name != "Ilze Ozola" {
				t.Errorf("new contact %+v: want Ilze Ozola of the company, speaking lv", c)
			}
			if n := f.count(`SELECT count(*) FROM contacts`); n != contacts+1 {
				t.Errorf("contacts went from %d to %d, want one new", contacts, n)
			}
		})
		t.Run("sent for approval", func(t *testing.T) {
			set(portal.RegistrationOpen, true)
			f.must(reg("Pēteris", "peteris@free.example"))
			res, err := f.svc.UseLink(ctx, f.lastToken("peteris@free.example"))
			if err != nil || res.Signed || res.Account.State != portal.StatePending {
				t.Fatalf("confirm: %+v %v, want pending and not signed in", res, err)
			}
			if _, err := f.svc.SignIn(ctx, "peteris@free.example", "anything", "192.0.2.11"); err == nil {
				t.Error("a pending account signed in")
			}
			if _, err := f.svc.Approve(ctx, f.agent, res.Account.ContactID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("an agent approved: %v", err)
			}
			if _, err := f.svc.Approve(ctx, f.admin, res.Account.ContactID); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.UseLink(ctx, f.lastToken("peteris@free.example"))
			if err != nil || !got.Signed || got.Purpose != portal.LinkInvite {
				t.Errorf("the approval's link: %+v %v", got, err)
			}
		})
		t.Run("a rejected registration cannot sign in", func(t *testing.T) {
			f.must(reg("Spam", "spam@free.example"))
			res, err := f.svc.UseLink(ctx, f.lastToken("spam@free.example"))
			f.must(err)
			_, err = f.svc.Reject(ctx, f.admin, res.Account.ContactID)
			f.must(err)
			if _, err := f.svc.Access(ctx, res.Account.ContactID); refusal(err) != portal.RefusedRevoked {
				t.Errorf("access after rejection: %v", err)
			}
		})
		t.Run("a bad name or address names the field and stores nothing", func(t *testing.T) {
			before := f.count(`SELECT count(*) FROM portal_links`)
			for field, in := range map[string][2]string{"name": {"", "x@client.example"}, "email": {"X", "not-an-address"}} {
				if e := apperr.As(reg(in[0], in[1])); e == nil || e.Field != field {
					t.Errorf("got %v, want an error on %s", e, field)
				}
			}
			if n := f.count(`SELECT count(*) FROM portal_links`); n != before {
				t.Errorf("%d links stored for bad input", n-before)
			}
		})
	})
}
