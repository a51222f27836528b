package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"linedesk/internal/benchutil"
)

// BenchmarkStartup measures `linedesk serve` from its start to its first
// healthy answer on an existing SQLite database (the first start, which
// also creates the schema, is measured once before the loop).
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	vars := map[string]string{"LINEDESK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "l.db"), "LINEDESK_DATA_DIR": dir,
		"LINEDESK_SMTP_ADDR": "", "LINEDESK_LOG_LEVEL": "error"}
	rec := &benchutil.Recorder{}
	var first time.Duration
	startOnce := func() {
		port := freePort(b)
		vars["LINEDESK_HTTP_ADDR"] = "127.0.0.1:" + port
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		start := time.Now()
		go func() { done <- run(ctx, nil, io.Discard, io.Discard, envOf(vars)) }()
		for {
			res, err := http.Get("http://127.0.0.1:" + port + "/healthz")
			if err == nil && res.StatusCode == 200 {
				res.Body.Close()
				break
			}
			time.Sleep(time.Millisecond)
		}
		if first == 0 {
			first = time.Since(start)
		} else {
			rec.Add(time.Since(start))
		}
		cancel()
		<-done
	}
	startOnce()
	b.Logf("first start (creates the schema and the administrator): %v", first)
	for b.Loop() {
		startOnce()
	}
	rec.Report(b)
}
