package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"linedesk/internal/job"
)

// jobCollector reports the job queue's depth per state at scrape time.
type jobCollector struct {
	jobs *job.Queue
	log  *slog.Logger
	desc *prometheus.Desc
}

func newJobCollector(q *job.Queue, log *slog.Logger) *jobCollector {
	return &jobCollector{jobs: q, log: log, desc: prometheus.NewDesc("linedesk_jobs",
		"Jobs in the durable queue by state.", []string{"state"}, nil)}
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.jobs.Counts(ctx)
	if err != nil {
		c.log.Warn("count jobs for metrics", "err", err)
		return
	}
	for _, state := range []string{"pending", "running", "done", "dead"} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}
