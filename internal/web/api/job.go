package api

import (
	"net/http"

	"linedesk/internal/job"
)

// jobRoutes let an administrator see the job queue and retry dead jobs.
func (s *Server) jobRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/jobs", s.handleJobList)
	s.handle(mux, "GET /api/v1/jobs/{id}", s.handleJobGet)
	s.handle(mux, "POST /api/v1/jobs/{id}/retry", s.handleJobRetry)
}

func (s *Server) handleJobList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	jobs, total, err := s.Jobs.FindJobs(r.Context(), job.Filter{
		State: job.State(qs.Get("state")), Kind: qs.Get("kind"),
		Page: page.Number, PerPage: page.PerPage,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[job.Job]{Items: jobs, Total: total})
	return nil
}

func (s *Server) handleJobGet(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.Jobs.Find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (s *Server) handleJobRetry(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.Jobs.Retry(r.Context(), id)
	if err != nil {
		return err
	}
	s.Log.InfoContext(r.Context(), "job retried by administrator", "job", id, "agent", principal(r).AgentID)
	writeJSON(w, http.StatusOK, j)
	return nil
}
