package portal

import "time"

// SetClock makes the service see the time f gives, for tests of
// lifetimes and windows.
func SetClock(s *Service, f func() time.Time) { s.now = f }
