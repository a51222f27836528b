package auth

import (
	"testing"
	"time"
)

// TestBlocksDoubleUpToADay follows an account guessed at without pause:
// each block lasts twice the one before, never more than a day, and a
// day of quiet starts again from fifteen minutes.
func TestBlocksDoubleUpToADay(t *testing.T) {
	now := time.Date(2031, 5, 6, 9, 0, 0, 0, time.UTC)
	var st throttle
	block := func() time.Duration {
		t.Helper()
		for i := range accountFailures {
			if st.wait(now) > 0 {
				t.Fatalf("blocked after %d failures", i)
			}
			st = st.fail(now, accountLimit())
		}
		return st.wait(now)
	}
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour,
		8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for i, w := range want {
		if got := block(); got != w {
			t.Fatalf("block %d lasts %v, want %v", i+1, got, w)
		}
		now = now.Add(w)
	}
	now = now.Add(24 * time.Hour)
	if got := block(); got != 15*time.Minute {
		t.Errorf("after a quiet day the block lasts %v", got)
	}
	var ip throttle
	for range ipFailures {
		ip = ip.fail(now, ipLimit())
	}
	now = now.Add(15 * time.Minute)
	for range ipFailures {
		ip = ip.fail(now, ipLimit())
	}
	if got := ip.wait(now); got != 15*time.Minute {
		t.Errorf("a repeated address block lasts %v; it does not double", got)
	}
}
