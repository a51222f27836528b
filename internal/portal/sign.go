package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// macLen is how many bytes of an HMAC-SHA256 a token carries: 128 bits
// cannot be guessed.
const macLen = 16

// mac signs the parts under the portal's key for one purpose, so a value
// signed for one use never passes as another.
func (s *Service) mac(purpose string, parts ...string) string {
	h := hmac.New(sha256.New, s.cfg.Key)
	h.Write([]byte("linedesk portal " + purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:macLen])
}

// macOK compares a given MAC with the expected one in constant time.
func macOK(got, want string) bool {
	return hmac.Equal([]byte(got), []byte(want))
}

// randomSalt returns a random value to store beside what a token names.
func randomSalt() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// idToken is "<id>-<mac>".
func idToken(id int64, mac string) string { return strconv.FormatInt(id, 10) + "-" + mac }

// splitIDToken reads an id token; ok is false for anything malformed.
func splitIDToken(token string) (id int64, mac string, ok bool) {
	head, mac, found := strings.Cut(token, "-")
	if !found || mac == "" || len(token) > 200 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(head, 10, 64)
	return id, mac, err == nil && id > 0
}

// StartToken signs the moment a web form was handed out, so a submission
// shows how long its author took to fill it in.
func (s *Service) StartToken(formID int64, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return ts + "-" + s.mac("form start", strconv.FormatInt(formID, 10), ts)
}

// startedAt reads a StartToken of the form; ok is false when it is not
// one Linedesk signed for this form.
func (s *Service) startedAt(formID int64, token string) (time.Time, bool) {
	ts, mac, found := strings.Cut(token, "-")
	if !found {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !macOK(mac, s.mac("form start", strconv.FormatInt(formID, 10), ts)) {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}
