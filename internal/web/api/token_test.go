package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)

		t.Run("no token is 401", func(t *testing.T) {
			r := e.do("GET", "/api/v1/tokens", "", nil).want(t, http.StatusUnauthorized)
			if code, _ := r.errorOf(); code != "unauthorized" {
				t.Errorf("code %q, want unauthorized", code)
			}
			e.do("GET", "/api/v1/tokens", "ld_not-a-real-token", nil).want(t, http.StatusUnauthorized)
		})

		t.Run("created token works, revoked token is refused", func(t *testing.T) {
			r := e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "ci"}).want(t, http.StatusCreated)
			secret, _ := r.Body["token"].(string)
			info, _ := r.Body["info"].(map[string]any)
			e.do("GET", "/api/v1/tokens", secret, nil).want(t, http.StatusOK)
			e.do("DELETE", fmt.Sprintf("/api/v1/tokens/%v", info["id"]), e.admin, nil).want(t, http.StatusNoContent)
			e.do("GET", "/api/v1/tokens", secret, nil).want(t, http.StatusUnauthorized)
		})

		t.Run("token of a deactivated agent is refused", func(t *testing.T) {
			tok := e.agentToken(directory.AgentInput{Name: "Leaving Agent", Email: "leaving@example.com"})
			e.do("GET", "/api/v1/tokens", tok, nil).want(t, http.StatusOK)
			dbtest.Exec(t, d.W, `UPDATE agents SET active = FALSE WHERE email = 'leaving@example.com'`)
			e.do("GET", "/api/v1/tokens", tok, nil).want(t, http.StatusUnauthorized)
		})

		t.Run("an agent cannot manage another agent's tokens", func(t *testing.T) {
			tok := e.agentToken(directory.AgentInput{Name: "Plain Agent", Email: "plain@example.com"})
			admin, err := e.dir.FindAgentByEmail(context.Background(), "admin@example.com")
			if err != nil {
				t.Fatal(err)
			}
			e.do("GET", fmt.Sprintf("/api/v1/tokens?agent_id=%d", admin.ID), tok, nil).want(t, http.StatusForbidden)
		})

		t.Run("secrets are stored hashed", func(t *testing.T) {
			r := e.do("POST", "/api/v1/tokens", e.admin, map[string]any{"name": "x"}).want(t, http.StatusCreated)
			secret := r.Body["token"].(string)
			var n int
			d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM api_tokens WHERE token_hash = $1`, secret).Scan(&n)
			if n != 0 {
				t.Error("token secret stored in clear")
			}
		})
	})
}
