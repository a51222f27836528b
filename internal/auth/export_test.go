package auth

import "time"

// SetClock makes the service read the time from now.
func SetClock(s *Service, now func() time.Time) { s.now = now }

// TOTPCode is the code of key at a time step, with digits digits.
func TOTPCode(key []byte, step int64, digits int) string { return totpCode(key, step, digits) }

// CodeAt is the code an authenticator app shows for secret at t.
func CodeAt(secret string, t time.Time) string {
	key, err := totpEncoding().DecodeString(secret)
	if err != nil {
		panic(err)
	}
	return totpCode(key, totpStep(t), totpDigits)
}
