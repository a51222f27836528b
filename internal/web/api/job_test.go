package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

func TestJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		var ids []int64
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for i, kind := range []string{"mail.send", "mail.send", "search.index"} {
				id, err := e.api.Jobs.Enqueue(ctx, tx, kind, map[string]int{"ticket_id": i + 1})
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		dbtest.Exec(t, d.W, `UPDATE jobs SET state = 'dead', attempts = 10, last_error = 'smtp: connection refused' WHERE id IN ($1, $2)`, ids[0], ids[2])

		t.Run("agents who are not administrators are refused", func(t *testing.T) {
			tok := e.agentToken(directory.AgentInput{Name: "Plain Agent", Email: "plain@example.com"})
			e.do("GET", "/api/v1/jobs", tok, nil).want(t, http.StatusForbidden)
			e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", ids[0]), tok, nil).want(t, http.StatusForbidden)
			e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/retry", ids[0]), tok, nil).want(t, http.StatusForbidden)
		})

		t.Run("lists dead jobs with their errors", func(t *testing.T) {
			r := e.do("GET", "/api/v1/jobs?state=dead&per_page=10", e.admin, nil).want(t, http.StatusOK)
			items, _ := r.Body["items"].([]any)
			if r.Body["total"] != float64(2) || len(items) != 2 {
				t.Fatalf("dead jobs: %s; want 2", r.Raw)
			}
			first := items[0].(map[string]any)
			payload, _ := first["payload"].(map[string]any)
			if first["id"] != float64(ids[2]) || first["kind"] != "search.index" || first["state"] != "dead" ||
				first["last_error"] != "smtp: connection refused" || payload["ticket_id"] != float64(3) {
				t.Errorf("newest dead job %v", first)
			}
			r = e.do("GET", "/api/v1/jobs?kind=mail.send&state=pending", e.admin, nil).want(t, http.StatusOK)
			if r.Body["total"] != float64(1) {
				t.Errorf("pending mail jobs: %s; want 1", r.Raw)
			}
		})

		t.Run("unknown state filter is 422 on field state", func(t *testing.T) {
			r := e.do("GET", "/api/v1/jobs?state=asleep", e.admin, nil).want(t, http.StatusUnprocessableEntity)
			if code, field := r.errorOf(); code != "invalid" || field != "state" {
				t.Errorf("error %s/%s, want invalid/state", code, field)
			}
		})

		t.Run("retry makes a dead job pending with fresh attempts", func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/jobs/%d/retry", ids[0])
			r := e.do("POST", path, e.admin, nil).want(t, http.StatusOK)
			if r.id() != ids[0] || r.Body["state"] != "pending" || r.Body["attempts"] != float64(0) {
				t.Errorf("retried job %s", r.Raw)
			}
			r = e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", ids[0]), e.admin, nil).want(t, http.StatusOK)
			if r.Body["state"] != "pending" || r.Body["locked_until"] != nil {
				t.Errorf("job after retry %s", r.Raw)
			}
			r = e.do("POST", path, e.admin, nil).want(t, http.StatusConflict)
			if code, _ := r.errorOf(); code != "conflict" {
				t.Errorf("second retry: code %q, want conflict", code)
			}
		})

		t.Run("unknown job is 404", func(t *testing.T) {
			e.do("GET", "/api/v1/jobs/999999", e.admin, nil).want(t, http.StatusNotFound)
			e.do("POST", "/api/v1/jobs/999999/retry", e.admin, nil).want(t, http.StatusNotFound)
		})

		t.Run("every job route is described", func(t *testing.T) {
			r := e.do("GET", "/api/v1/openapi.json", "", nil).want(t, http.StatusOK)
			paths, _ := r.Body["paths"].(map[string]any)
			for _, p := range []string{"/api/v1/jobs", "/api/v1/jobs/{id}", "/api/v1/jobs/{id}/retry"} {
				if paths[p] == nil {
					t.Errorf("%s missing from openapi.json", p)
				}
			}
		})
	})
}
