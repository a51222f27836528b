package imappoll

import "time"

// OnIdle makes m call fn each time a poller's IDLE is accepted.
func OnIdle(m *Manager, fn func(mailboxID int64)) { m.hooks.idle = fn }

// Polling lists the mailboxes m polls now.
func Polling(m *Manager) []int64 { return m.polling() }

// Backoff is the wait after the failures-th failure in a row, for the
// random number r in [0, 1).
func Backoff(failures int, lo, hi time.Duration, r float64) time.Duration {
	return backoff(failures, lo, hi, r)
}
