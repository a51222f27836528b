package mailbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linedesk/internal/mailbox"
)

func TestCipher(t *testing.T) {
	c, err := mailbox.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("round trip hides the plaintext and never repeats", func(t *testing.T) {
		a, err := c.Encrypt("hunter2-пароль")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Encrypt("hunter2-пароль")
		if !strings.HasPrefix(a, "v1:") || strings.Contains(a, "hunter2") || a == b {
			t.Errorf("ciphertexts %q and %q", a, b)
		}
		got, err := c.Decrypt(a)
		if err != nil || got != "hunter2-пароль" {
			t.Errorf("Decrypt = %q, %v", got, err)
		}
	})
	t.Run("empty stays empty", func(t *testing.T) {
		if got, _ := c.Encrypt(""); got != "" {
			t.Errorf("Encrypt(\"\") = %q", got)
		}
		if got, err := c.Decrypt(""); got != "" || err != nil {
			t.Errorf("Decrypt(\"\") = %q, %v", got, err)
		}
	})
	t.Run("another key or a damaged value fails", func(t *testing.T) {
		other, _ := mailbox.NewCipher(testKey + "!")
		sealed, _ := c.Encrypt("secret")
		if _, err := other.Decrypt(sealed); err == nil {
			t.Error("decrypted under another key")
		}
		if _, err := c.Decrypt(sealed[:len(sealed)-4] + "AAAA"); err == nil {
			t.Error("decrypted a damaged value")
		}
		if _, err := c.Decrypt("plain"); err == nil {
			t.Error("decrypted a value without version")
		}
	})
	t.Run("short key refused", func(t *testing.T) {
		if _, err := mailbox.NewCipher("short"); err == nil {
			t.Error("accepted a short key")
		}
	})
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, err := mailbox.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) < 32 {
		t.Errorf("key %q too short", key)
	}
	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := mailbox.LoadOrCreateKey(dir)
	if err != nil || again != key {
		t.Errorf("second call = %q, %v; want the same key", again, err)
	}
	if _, err := mailbox.NewCipher(key); err != nil {
		t.Errorf("generated key unusable: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".secret-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
