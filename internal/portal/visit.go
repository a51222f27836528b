package portal

import (
	"strconv"
	"strings"
)

// A visit is one sitting at the new-request form: from opening it,
// through the articles suggested while typing and back, to sending the
// request or leaving it because an article solved the problem. Its token
// rides in the suggestions' links, so that what the visit counts (each
// article's view, one deflection) is counted once however often the
// customer goes back and forth. It is bound to the contact it was made
// for, and names the visit by a random value.

// VisitToken starts a visit of the new-request form for a contact.
func (s *Service) VisitToken(contactID int64) string {
	nonce := randomSalt()
	return nonce + "." + s.mac("visit", strconv.FormatInt(contactID, 10), nonce)
}

// Visit reads a VisitToken made for the contact and returns the visit's
// name; ok is false for anything else.
func (s *Service) Visit(token string, contactID int64) (visit string, ok bool) {
	nonce, mac, found := strings.Cut(token, ".")
	if !found || nonce == "" || len(token) > 100 {
		return "", false
	}
	if !macOK(mac, s.mac("visit", strconv.FormatInt(contactID, 10), nonce)) {
		return "", false
	}
	return nonce, true
}
