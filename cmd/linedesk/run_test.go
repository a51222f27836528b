package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"linedesk/internal/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// envOf returns a lookup over the given variables only, so the tests never
// depend on the machine's environment.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestConfigErrorNamesTheVariable(t *testing.T) {
	for name, val := range map[string]string{
		"LINEDESK_DATABASE_URL":         "mysql://x",
		"LINEDESK_HTTP_ADDR":            "nonsense",
		"LINEDESK_BASE_URL":             "ftp://x",
		"LINEDESK_WORKERS":              "many",
		"LINEDESK_ATTACHMENT_MAX_BYTES": "12",
		"LINEDESK_LOG_LEVEL":            "loud",
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"serve"}, io.Discard, &stderr, envOf(map[string]string{name: val}))
		if code != 2 || !strings.Contains(stderr.String(), name) {
			t.Errorf("%s=%q: exit %d, stderr %q", name, val, code, stderr.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, io.Discard, &stderr, envOf(nil)); code != 2 {
		t.Errorf("exit %d", code)
	}
}

func TestAdminAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"LINEDESK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "l.db"), "LINEDESK_DATA_DIR": dir})
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"admin", "create", "--email", "Boss@Example.com", "--name", "Big Boss", "--password", "correct horse"}, &out, &errOut, env); code != 0 {
		t.Fatalf("admin create: %d %s", code, errOut.String())
	}
	if code := run(ctx, []string{"admin", "create", "--email", "boss@example.com", "--name", "Again", "--password", "correct horse"}, io.Discard, &errOut, env); code != 1 {
		t.Errorf("duplicate admin: exit %d", code)
	}
	if code := run(ctx, []string{"admin", "create", "--email", "x@example.com"}, io.Discard, io.Discard, env); code != 2 {
		t.Errorf("missing flags: exit %d", code)
	}
	out.Reset()
	if code := run(ctx, []string{"token", "create", "--email", "boss@example.com"}, &out, &errOut, env); code != 0 {
		t.Fatalf("token create: %d %s", code, errOut.String())
	}
	if tok := strings.TrimSpace(out.String()); !strings.HasPrefix(tok, "ld_") || strings.Contains(tok, "\n") {
		t.Errorf("token output %q", out.String())
	}
	if code := run(ctx, []string{"token", "create", "--email", "nobody@example.com"}, io.Discard, io.Discard, env); code != 1 {
		t.Errorf("token for unknown agent: exit %d", code)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if code := run(ctx, []string{"backup", "--to", backup}, io.Discard, &errOut, env); code != 0 {
		t.Fatalf("backup: %d %s", code, errOut.String())
	}
	out.Reset()
	copyEnv := envOf(map[string]string{"LINEDESK_DATABASE_URL": "sqlite:" + backup, "LINEDESK_DATA_DIR": dir})
	if code := run(ctx, []string{"token", "create", "--email", "boss@example.com"}, &out, &errOut, copyEnv); code != 0 {
		t.Errorf("the backup lacks the administrator: %d %s", code, errOut.String())
	}
}

// TestServeFirstStart runs `linedesk serve` on an empty database as a
// newcomer would: it prints an administrator and a token that work at
// once, answers health and metrics, and stops cleanly on cancel.
func TestServeFirstStart(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		serveOnce(t, map[string]string{"LINEDESK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "linedesk.db"),
			"LINEDESK_DATA_DIR": dir})
	})
	t.Run("postgres", func(t *testing.T) {
		_, url := dbtest.PostgresURL(t)
		serveOnce(t, map[string]string{"LINEDESK_DATABASE_URL": url, "LINEDESK_DATA_DIR": t.TempDir()})
	})
}

func serveOnce(t *testing.T, vars map[string]string) {
	port := freePort(t)
	vars["LINEDESK_HTTP_ADDR"] = "127.0.0.1:" + port
	vars["LINEDESK_SMTP_ADDR"] = ""
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int)
	go func() { done <- run(ctx, nil, out, io.Discard, envOf(vars)) }()
	base := "http://127.0.0.1:" + port
	waitFor(t, func() bool { return strings.Contains(out.String(), "is running") }, done)
	if want := "sign in at " + base + "/login"; !strings.Contains(out.String(), want) {
		t.Errorf("start-up does not say where to sign in (%q):\n%s", want, out.String())
	}

	token := regexp.MustCompile(`API token: (\S+)`).FindStringSubmatch(out.String())
	password := regexp.MustCompile(`password:\s+(\S+)`).FindStringSubmatch(out.String())
	if token == nil || password == nil || !strings.Contains(out.String(), "admin@linedesk.local") {
		t.Fatalf("first start did not print the administrator:\n%s", out.String())
	}
	if res := get(t, base+"/healthz", ""); res.StatusCode != 200 {
		t.Errorf("healthz %d", res.StatusCode)
	}
	body := `{"subject":"Cannot log in","description":"Since this morning","requester":{"email":"anna@client.example","name":"Anna"}}`
	req, _ := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("create ticket: %v %v", res, err)
	}
	var tk struct{ Number int }
	json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	if tk.Number != 1001 {
		t.Errorf("first ticket number %d", tk.Number)
	}
	metrics := readAll(t, get(t, base+"/metrics", ""))
	for _, want := range []string{`linedesk_http_requests_total{code="201",method="POST",route="POST /api/v1/tickets"} 1`,
		`linedesk_jobs{state="dead"} 0`, `go_sql_open_connections{db_name="writer"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	// A second start finds the administrator and creates nobody.
	out2 := &syncBuffer{}
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { done <- run(ctx2, nil, out2, io.Discard, envOf(vars)) }()
	waitFor(t, func() bool { return strings.Contains(out2.String(), "is running") }, done)
	cancel2()
	<-done
	if strings.Contains(out2.String(), "API token") {
		t.Error("second start created another administrator")
	}
}

func waitFor(t *testing.T, cond func() bool, done chan int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d", code)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for serve")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
