package api

import (
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/script"
)

// scriptRoutes serve first-line scripts: every agent reads and runs them;
// administrators edit and publish.
func (s *Server) scriptRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/scripts", s.handleScripts)
	s.handle(mux, "POST /api/v1/scripts", call(http.StatusCreated, func(r *http.Request, in script.Info) (script.Script, error) {
		return s.Scripts.Create(r.Context(), principal(r), in)
	}))
	s.handle(mux, "GET /api/v1/scripts/{id}", getByID(s.Scripts.Find))
	s.handle(mux, "PUT /api/v1/scripts/{id}", callID(func(r *http.Request, id int64, in script.Info) (script.Script, error) {
		return s.Scripts.UpdateInfo(r.Context(), principal(r), id, in)
	}))
	s.handle(mux, "DELETE /api/v1/scripts/{id}", deleteByID(requireAdmin, func(ctx contextT, id int64) error {
		return s.Scripts.Delete(ctx, principalOf(ctx), id)
	}))
	s.handle(mux, "PUT /api/v1/scripts/{id}/draft", callID(func(r *http.Request, id int64, in draftTree) (script.Script, error) {
		return s.Scripts.ReplaceDraft(r.Context(), principal(r), id, in.Rev, in.Tree)
	}))
	s.handle(mux, "GET /api/v1/scripts/{id}/problems", s.handleScriptProblems)
	s.handle(mux, "POST /api/v1/scripts/{id}/publish", callID(func(r *http.Request, id int64, in revInput) (script.Script, error) {
		if in.Rev <= 0 {
			return script.Script{}, apperr.Field("rev", "the draft's rev is required")
		}
		return s.Scripts.Publish(r.Context(), principal(r), id, in.Rev)
	}))
	s.handle(mux, "GET /api/v1/scripts/{id}/stats", s.handleScriptStats)
	s.handle(mux, "POST /api/v1/scripts/{id}/walk", callID(func(r *http.Request, id int64, in walkInput) (script.Position, error) {
		return s.Scripts.Walk(r.Context(), id, in.VersionID, orNone(in.Path))
	}))
	s.handle(mux, "POST /api/v1/tickets/{id}/script-runs", s.handleScriptRun)
}

type draftTree struct {
	Rev  int64       `json:"rev"`
	Tree script.Tree `json:"tree"`
}

type revInput struct {
	Rev int64 `json:"rev"`
}

type walkInput struct {
	VersionID int64 `json:"version_id"`
	Path      []int `json:"path"`
}

type runInput struct {
	ScriptID  int64  `json:"script_id"`
	VersionID int64  `json:"version_id"`
	Path      []int  `json:"path"`
	Remark    string `json:"remark"`
	Language  string `json:"language"`
}

func orNone(p []int) []int {
	if p == nil {
		return []int{}
	}
	return p
}

func (s *Server) handleScripts(w http.ResponseWriter, r *http.Request) error {
	runnable, err := queryBool(r, "runnable")
	if err != nil {
		return err
	}
	list, err := s.Scripts.List(r.Context(), runnable != nil && *runnable)
	return writeList(w, list, len(list), err)
}

func (s *Server) handleScriptProblems(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Scripts.Find(r.Context(), id)
	if err != nil {
		return err
	}
	list := s.Scripts.Problems(r.Context(), sc)
	if list == nil {
		list = []script.Problem{}
	}
	return writeList(w, list, len(list), nil)
}

func (s *Server) handleScriptStats(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	stats, runs, err := s.Scripts.Stats(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": stats, "total": len(stats), "runs": runs})
	return nil
}

func (s *Server) handleScriptRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in runInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	lang := in.Language
	if lang == "" {
		if a, err := s.Directory.FindAgent(r.Context(), principal(r).AgentID); err == nil {
			lang = a.Language
		}
	}
	run, err := s.Scripts.Finish(r.Context(), principal(r), id, script.Finish{ScriptID: in.ScriptID, VersionID: in.VersionID,
		Path: orNone(in.Path), Remark: in.Remark, Language: lang})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, run)
	return nil
}
