package imappoll_test

import (
	"testing"
	"time"

	"linedesk/internal/imappoll"
)

func TestBackoff(t *testing.T) {
	const lo, hi = time.Second, time.Minute
	for _, tc := range []struct {
		name     string
		failures int
		r        float64
		want     time.Duration
	}{
		{"first failure waits the minimum", 1, 0, lo},
		{"jitter never goes below the minimum", 1, 0.99, lo},
		{"doubles", 3, 0, 4 * time.Second},
		{"jitter takes up to half off", 3, 0.5, 3 * time.Second},
		{"capped at the maximum", 10, 0, hi},
		{"capped with jitter", 10, 0.5, 45 * time.Second},
		{"no overflow after many failures", 1000, 0, hi},
		{"zero failures counts as one", 0, 0, lo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := imappoll.Backoff(tc.failures, lo, hi, tc.r); got != tc.want {
				t.Errorf("Backoff(%d, r=%v) = %s, want %s", tc.failures, tc.r, got, tc.want)
			}
		})
	}
}
