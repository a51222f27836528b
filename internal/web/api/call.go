package api

import (
	"context"
	"net/http"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/reply"
)

type contextT = context.Context

// principalOf is the authenticated agent a context carries.
func principalOf(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// call serves a JSON request: the body decoded into In, fn's result
// answered with status.
func call[In, Out any](status int, fn func(r *http.Request, in In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decode(w, r, &in); err != nil {
			return err
		}
		out, err := fn(r, in)
		if err != nil {
			return err
		}
		writeJSON(w, status, out)
		return nil
	}
}

// callID is call for a route with an {id}, answering 200.
func callID[In, Out any](fn func(r *http.Request, id int64, in In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := decode(w, r, &in); err != nil {
			return err
		}
		out, err := fn(r, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func notFoundReply(kind reply.Kind, id int64) error {
	return apperr.NotFoundf("%s %d not found", kind, id)
}
