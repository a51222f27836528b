package mailbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secretVersion prefixes every ciphertext, so the scheme can change later
// without guessing what a stored value is.
const secretVersion = "v1:"

// minKeyLength matches the check on LINEDESK_SECRET_KEY in config.
const minKeyLength = 32

// Cipher encrypts the mailbox passwords kept in the database with
// AES-256-GCM under a key derived from LINEDESK_SECRET_KEY. A copy of the
// database alone does not reveal them.
type Cipher struct {
	aead cipher.AEAD
}

// NewCipher returns a cipher keyed by SHA-256 of key.
func NewCipher(key string) (*Cipher, error) {
	if len(key) < minKeyLength {
		return nil, fmt.Errorf("secret key: must be at least %d characters", minKeyLength)
	}
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

// Encrypt returns "v1:" and the base64 of a random nonce and the sealed
// plaintext. The empty string stays empty: it means "no password".
func (c *Cipher) Encrypt(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if c == nil {
		return "", errors.New("encrypt: no secret key configured")
	}
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	sealed := c.aead.Seal(nonce, nonce, []byte(plain), nil)
	return secretVersion + base64.StdEncoding.EncodeToString(sealed), nil
}

// Decrypt reverses Encrypt. A value sealed under another key fails.
func (c *Cipher) Decrypt(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	if c == nil {
		return "", errors.New("decrypt: no secret key configured")
	}
	rest, ok := strings.CutPrefix(stored, secretVersion)
	if !ok {
		return "", errors.New("decrypt: unknown secret format")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return "", errors.New("decrypt: malformed secret")
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("decrypt: wrong secret key or damaged secret")
	}
	return string(plain), nil
}

// keyFile is where LoadOrCreateKey keeps the generated key.
const keyFile = "secret.key"

// LoadOrCreateKey returns the key kept in dataDir/secret.key, creating it
// (32 random bytes in base64, mode 0600) the first time. It is the key
// used when LINEDESK_SECRET_KEY is empty; losing the file loses the stored
// mailbox passwords, so backups must include it.
func LoadOrCreateKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, keyFile)
	if key, err := readKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	key := base64.StdEncoding.EncodeToString(buf)
	// The key is written whole to a temporary file and linked into place:
	// when two processes start at once, one link wins and the other reads
	// the winner's complete file.
	f, err := os.CreateTemp(dataDir, ".secret-*")
	if err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(key + "\n")
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), path)
	}
	if errors.Is(err, fs.ErrExist) {
		return readKey(path)
	}
	if err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	return key, nil
}

func readKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if len(key) < minKeyLength {
		return "", fmt.Errorf("secret key: %s holds fewer than %d characters", path, minKeyLength)
	}
	return key, nil
}
