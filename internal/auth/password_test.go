package auth_test

import (
	"strings"
	"testing"

	"linedesk/internal/auth"
)

func TestPasswords(t *testing.T) {
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "correct horse") {
		t.Errorf("hash %q", hash)
	}
	if !auth.CheckPassword(hash, "correct horse battery") {
		t.Error("right password refused")
	}
	for _, bad := range []string{"correct horse batterY", "", "correct horse battery "} {
		if auth.CheckPassword(hash, bad) {
			t.Errorf("wrong password %q accepted", bad)
		}
	}
	other, _ := auth.HashPassword("correct horse battery")
	if other == hash {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, malformed := range []string{"", "plain", "$argon2id$v=19$m=x$a$b", "$bcrypt$..."} {
		if auth.CheckPassword(malformed, "") || auth.CheckPassword(malformed, "plain") {
			t.Errorf("malformed hash %q matched", malformed)
		}
	}
}

func TestRandomPassword(t *testing.T) {
	a, b := auth.RandomPassword(), auth.RandomPassword()
	if len(a) < 16 || a == b {
		t.Errorf("random passwords %q %q", a, b)
	}
}
