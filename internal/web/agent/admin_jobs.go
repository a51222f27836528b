package agent

import (
	"net/http"

	"linedesk/internal/job"
)

func (s *Server) jobRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/jobs", s.handleJobs},
		{"POST /admin/jobs/{id}/retry", s.handleJobRetry},
	}
}

// jobsPage lists the jobs that ran out of attempts.
type jobsPage struct {
	adminPage
	Jobs  []job.Job
	Pager pager
}

func (s *Server) showJobs(w http.ResponseWriter, r *http.Request, msg string, status int) error {
	data := jobsPage{adminPage: s.adminBase(r, "jobs")}
	data.Error = msg
	list, total, err := s.Jobs.FindJobs(r.Context(), job.Filter{State: job.Dead, Page: pageNo(r), PerPage: adminPerPage})
	if err != nil {
		return err
	}
	data.Jobs, data.Pager = list, newPager(r, total)
	s.render(w, r, status, "admin_jobs", data)
	return nil
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) error {
	return s.showJobs(w, r, "", http.StatusOK)
}

// handleJobRetry gives a dead job a fresh set of attempts.
func (s *Server) handleJobRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "job")
	if err != nil {
		return err
	}
	if _, err := s.Jobs.Retry(r.Context(), id); err != nil {
		return formFailed(r, err, func(msg string, status int) error { return s.showJobs(w, r, msg, status) })
	}
	s.Log.InfoContext(r.Context(), "job retried by administrator", "job", id, "agent", viewer(r).P.AgentID)
	redirect(w, r, "/admin/jobs?ok=retried")
	return nil
}
