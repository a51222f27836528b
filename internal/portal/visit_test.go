package portal_test

import (
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// TestVisitTokens: a visit of the new-request form is the contact's
// alone; a token changed in any way, or made for someone else, names no
// visit.
func TestVisitTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		token := f.svc.VisitToken(7)
		visit, ok := f.svc.Visit(token, 7)
		if !ok || visit == "" || !strings.HasPrefix(token, visit+".") {
			t.Fatalf("a contact's own token: %q %v", visit, ok)
		}
		if other := f.svc.VisitToken(7); other == token {
			t.Error("two visits have one token")
		}
		nonce, mac, _ := strings.Cut(token, ".")
		other := "A"
		if nonce[0] == 'A' {
			other = "B"
		}
		for name, bad := range map[string]string{
			"another contact's":  "",
			"empty":              "",
			"without its MAC":    nonce,
			"with another nonce": other + nonce[1:] + "." + mac,
			"with a changed MAC": nonce + "." + mac[:len(mac)-1] + map[bool]string{true: "C", false: "B"}[strings.HasSuffix(mac, "B")],
			"far too long":       strings.Repeat("A", 90) + "." + mac,
		} {
			contact := int64(7)
			if name == "another contact's" {
				bad, contact = token, 8
			}
			if _, ok := f.svc.Visit(bad, contact); ok {
				t.Errorf("a token %s names a visit", name)
			}
		}
	})
}
