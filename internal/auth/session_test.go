package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// The store is what scs needs, with and without a context.
var _ scs.CtxStore = (*auth.SessionStore)(nil)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSessionStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := auth.NewSessionStore(d)
		later := time.Now().Add(time.Hour)
		find := func(token string) ([]byte, bool) {
			t.Helper()
			b, found, err := s.FindCtx(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			return b, found
		}

		t.Run("round trip and overwrite", func(t *testing.T) {
			if err := s.Commit("token-a", []byte("first"), later); err != nil {
				t.Fatal(err)
			}
			if b, found := find("token-a"); !found || string(b) != "first" {
				t.Fatalf("got %q, %v", b, found)
			}
			if err := s.CommitCtx(ctx, "token-a", []byte("second"), later); err != nil {
				t.Fatal(err)
			}
			if b, found, err := s.Find("token-a"); err != nil || !found || string(b) != "second" {
				t.Fatalf("got %q, %v, %v", b, found, err)
			}
			if _, found := find("token-b"); found {
				t.Error("an unknown token was found")
			}
		})
		t.Run("the token is stored only as a hash", func(t *testing.T) {
			var hash string
			var n int
			d.R.QueryRowContext(ctx, `SELECT count(*), min(token_hash) FROM sessions`).Scan(&n, &hash)
			if n != 1 || hash != sha256Hex("token-a") {
				t.Errorf("%d rows, token_hash %q", n, hash)
			}
		})
		t.Run("an expired session is not found and is pruned", func(t *testing.T) {
			if err := s.Commit("token-old", []byte("old"), time.Now().Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
			if _, found := find("token-old"); found {
				t.Error("an expired session was found")
			}
			n, err := s.Prune(ctx)
			if err != nil || n != 1 {
				t.Fatalf("pruned %d, %v; want 1", n, err)
			}
			if _, found := find("token-a"); !found {
				t.Error("pruning took a live session")
			}
		})
		t.Run("delete", func(t *testing.T) {
			if err := s.Delete("token-a"); err != nil {
				t.Fatal(err)
			}
			if _, found := find("token-a"); found {
				t.Error("a deleted session was found")
			}
			if err := s.DeleteCtx(ctx, "never-was"); err != nil {
				t.Errorf("deleting an unknown token: %v", err)
			}
		})
	})
}

// TestSessionManager runs scs over real HTTP on the store: what one
// request puts in the session, the next one sees.
func TestSessionManager(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sm := scs.New()
		sm.Store = auth.NewSessionStore(d)
		mux := http.NewServeMux()
		mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "agent_id", int64(42))
		})
		mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, strconv.FormatInt(sm.GetInt64(r.Context(), "agent_id"), 10))
		})
		mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) {
			sm.Destroy(r.Context())
		})
		srv := httptest.NewServer(sm.LoadAndSave(mux))
		t.Cleanup(srv.Close)
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		get := func(path string) string {
			t.Helper()
			resp, err := client.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}

		get("/put")
		if got := get("/get"); got != "42" {
			t.Fatalf("the next request sees %q", got)
		}
		u, _ := url.Parse(srv.URL)
		var token string
		for _, c := range jar.Cookies(u) {
			if c.Name == "session" {
				token = c.Value
			}
		}
		var stored []byte
		var hash string
		d.R.QueryRowContext(ctx, `SELECT token_hash, data FROM sessions`).Scan(&hash, &stored)
		if token == "" || hash != sha256Hex(token) || bytes.Contains(stored, []byte(token)) {
			t.Errorf("cookie %q, stored hash %q", token, hash)
		}
		get("/destroy")
		if got := get("/get"); got != "0" {
			t.Errorf("after destroy the session holds %q", got)
		}
	})
}
