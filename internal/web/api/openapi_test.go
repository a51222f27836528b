package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"linedesk/internal/dbtest"
	"linedesk/internal/web/api"
)

// TestOpenAPIDescribesEveryRoute fails when a route exists without a
// description, or a description without a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s := &api.Server{}
	s.Handler()
	raw, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var described []string
	for path, ops := range doc.Paths {
		for method := range ops {
			described = append(described, strings.ToUpper(method)+" "+path)
		}
	}
	routes := s.Routes()
	for _, r := range routes {
		if !slices.Contains(described, r) {
			t.Errorf("route %s has no OpenAPI description", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(routes, d) {
			t.Errorf("OpenAPI describes %s but no such route exists", d)
		}
	}
	if len(routes) < 20 {
		t.Errorf("only %d routes registered", len(routes))
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	r := e.do("GET", "/api/v1/openapi.json", "", nil).want(t, http.StatusOK)
	if r.Body["openapi"] != "3.1.0" || r.Body["paths"] == nil {
		t.Errorf("served document: %.200s", r.Raw)
	}
}
