// Package benchutil supports Linedesk's benchmarks: latency percentiles
// reported as benchmark metrics, and bulk seeding of large ticket stores.
package benchutil

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Recorder collects operation latencies, safe for parallel benchmarks.
type Recorder struct {
	mu   sync.Mutex
	durs []time.Duration
}

// Time runs fn and records how long it took.
func (r *Recorder) Time(fn func()) {
	start := time.Now()
	fn()
	r.Add(time.Since(start))
}

// Add records one latency measured by the caller.
func (r *Recorder) Add(d time.Duration) {
	r.mu.Lock()
	r.durs = append(r.durs, d)
	r.mu.Unlock()
}

// Report adds ops/s, p50 and p99 (in milliseconds) to the benchmark's
// output. Call it after the timed loop.
func (r *Recorder) Report(b *testing.B) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.durs) == 0 {
		return
	}
	slices.Sort(r.durs)
	pct := func(p float64) float64 {
		return float64(r.durs[int(p*float64(len(r.durs)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// Percentile returns the latency below which the fraction p of the
// recorded operations fell.
func (r *Recorder) Percentile(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.durs) == 0 {
		return 0
	}
	slices.Sort(r.durs)
	return r.durs[int(p*float64(len(r.durs)-1))]
}
