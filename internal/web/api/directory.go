package api

import (
	"context"
	"net/http"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
)

// directoryRoutes serves plans, groups, companies, contacts and agents.
// Every active agent may read them; who may change them is checked in each
// resource's handlers.
func (s *Server) directoryRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/me", s.handleMe)
	s.planRoutes(mux)
	s.groupRoutes(mux)
	s.companyRoutes(mux)
	s.contactRoutes(mux)
	s.agentRoutes(mux)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Directory.FindAgent(r.Context(), principal(r).AgentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// requireSupervisor refuses agents that are neither supervisors nor
// administrators.
func requireSupervisor(r *http.Request) error {
	if role := principal(r).Role; role != auth.RoleAdmin && role != auth.RoleSupervisor {
		return apperr.Errorf(apperr.Forbidden, "only a supervisor or an administrator may do this")
	}
	return nil
}

// getByID serves GET …/{id} with find.
func getByID[T any](find func(context.Context, int64) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, err := find(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// deleteByID serves DELETE …/{id}: allowed decides whether the caller may,
// del does it.
func deleteByID(allowed func(*http.Request) error, del func(context.Context, int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := allowed(r); err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := del(r.Context(), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// writeList answers a list request, or returns the error that ended it.
func writeList[T any](w http.ResponseWriter, items []T, total int, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[T]{Items: items, Total: total})
	return nil
}

// notNull returns a PATCH field that may be absent but not null; a null
// is recorded in *err, unless an earlier field already failed.
func notNull[T any](err *error, field string, o Optional[T]) *T {
	if o.Null && *err == nil {
		*err = &apperr.Error{Code: apperr.BadRequest, Field: field, Message: "must not be null"}
	}
	return o.Ptr()
}

// refOf turns a nullable PATCH id into a reference change: null clears it.
func refOf(o Optional[int64]) directory.Ref {
	return directory.Ref{Set: o.Set, ID: o.Ptr()}
}

// queryBool reads an optional true/false from the query string.
func queryBool(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, apperr.Field(name, "must be true or false")
	}
	return &b, nil
}
