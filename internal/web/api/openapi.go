package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
)

// The description is kept in fragments, one per resource, merged at
// start-up: base.json holds the document's frame, each other file adds
// its "paths" and "components.schemas".
//
//go:embed openapi/*.json
var openapiFS embed.FS

// OpenAPI returns the merged OpenAPI 3.1 description of the API.
func OpenAPI() ([]byte, error) {
	doc, err := readJSON("openapi/base.json")
	if err != nil {
		return nil, err
	}
	paths := map[string]map[string]any{}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names, _ := fs.Glob(openapiFS, "openapi/*.json")
	sort.Strings(names)
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		frag, err := readJSON(name)
		if err != nil {
			return nil, err
		}
		if err := mergeFragment(name, frag, paths, schemas); err != nil {
			return nil, err
		}
	}
	doc["paths"] = paths
	return json.MarshalIndent(doc, "", "  ")
}

func mergeFragment(name string, frag map[string]any, paths map[string]map[string]any, schemas map[string]any) error {
	fp, _ := frag["paths"].(map[string]any)
	for path, ops := range fp {
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		for method, op := range ops.(map[string]any) {
			if _, dup := paths[path][method]; dup {
				return fmt.Errorf("openapi: %s %s described twice (%s)", method, path, name)
			}
			paths[path][method] = op
		}
	}
	comps, _ := frag["components"].(map[string]any)
	fs, _ := comps["schemas"].(map[string]any)
	for k, v := range fs {
		if _, dup := schemas[k]; dup {
			return fmt.Errorf("openapi: schema %s described twice (%s)", k, name)
		}
		schemas[k] = v
	}
	return nil
}

func readJSON(name string) (map[string]any, error) {
	b, err := openapiFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	return m, nil
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := OpenAPI()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
	return nil
}
