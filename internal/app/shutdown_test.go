package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"linedesk/internal/app"
	"linedesk/internal/config"
)

// TestShutdownFinishesInFlightRequests stops Linedesk while an upload is
// still arriving: the upload completes and is answered, then Run returns.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir = "sqlite:"+filepath.Join(t.TempDir(), "l.db"), t.TempDir()
	cfg.HTTPAddr, cfg.SMTPAddr = "127.0.0.1:0", ""
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	a.Bootstrap(ctx, &out)
	token := regexp.MustCompile(`API token: (\S+)`).FindStringSubmatch(out.String())[1]
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	body, feed := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+a.Addr()+"/api/v1/attachments?filename=log.txt", body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/plain")
	answer := make(chan *http.Response, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
		}
		answer <- res
	}()
	// More than any socket buffers hold: once written, the server is
	// reading the body.
	feed.Write([]byte(strings.Repeat("first half\n", 16<<20/11)))
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a request still in flight")
	case <-time.After(300 * time.Millisecond):
	}
	feed.Write([]byte(strings.Repeat("second half\n", 1000)))
	feed.Close()
	res := <-answer
	if res == nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight upload answered %v", res)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the last request finished")
	}
}
