package api

import (
	"net/http"

	"linedesk/internal/reply"
)

// replyRoutes serve canned responses and macros: an agent sees their own
// and those shared with their groups (administrators: with ?all=true,
// every one); only the owner or an administrator changes one.
func (s *Server) replyRoutes(mux *http.ServeMux) {
	for kind, base := range map[reply.Kind]string{reply.Response: "/api/v1/canned-responses", reply.Macro: "/api/v1/macros"} {
		s.handle(mux, "GET "+base, s.handleReplies(kind))
		s.handle(mux, "POST "+base, call(http.StatusCreated, func(r *http.Request, in reply.Input) (reply.Reply, error) {
			return s.Replies.Create(r.Context(), principal(r), kind, in)
		}))
		s.handle(mux, "GET "+base+"/{id}", s.handleReply(kind))
		s.handle(mux, "PUT "+base+"/{id}", callID(func(r *http.Request, id int64, in replyInput) (reply.Reply, error) {
			if _, err := s.findReply(r, kind, id); err != nil {
				return reply.Reply{}, err
			}
			return s.Replies.Update(r.Context(), principal(r), id, in.Version, in.Input)
		}))
		s.handle(mux, "DELETE "+base+"/{id}", s.handleReplyDelete(kind))
	}
	s.handle(mux, "GET /api/v1/tickets/{id}/canned-responses/{reply}", s.handleReplyFill)
	s.handle(mux, "POST /api/v1/tickets/{id}/macros/{macro}/preview", s.handleMacro(false))
	s.handle(mux, "POST /api/v1/tickets/{id}/macros/{macro}/apply", s.handleMacro(true))
}

type replyInput struct {
	Version int64 `json:"version"`
	reply.Input
}

type applyInput struct {
	Version  int64   `json:"version"`
	Language string  `json:"language"`
	Body     *string `json:"body"`
}

func (s *Server) handleReplies(kind reply.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := reply.Filter{Kind: kind, Q: r.URL.Query().Get("q")}
		for name, dst := range map[string]*bool{"mine": &f.Mine, "all": &f.All} {
			v, err := queryBool(r, name)
			if err != nil {
				return err
			}
			*dst = v != nil && *v
		}
		list, err := s.Replies.List(r.Context(), principal(r), f)
		return writeList(w, list, len(list), err)
	}
}

func (s *Server) findReply(r *http.Request, kind reply.Kind, id int64) (reply.Reply, error) {
	rp, err := s.Replies.Find(r.Context(), principal(r), id)
	if err == nil && rp.Kind != kind {
		return reply.Reply{}, notFoundReply(kind, id)
	}
	return rp, err
}

func (s *Server) handleReply(kind reply.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		rp, err := s.findReply(r, kind, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rp)
		return nil
	}
}

func (s *Server) handleReplyDelete(kind reply.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := s.findReply(r, kind, id); err != nil {
			return err
		}
		if err := s.Replies.Delete(r.Context(), principal(r), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) handleReplyFill(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "reply")
	if err != nil {
		return err
	}
	if _, err := s.findReply(r, reply.Response, rid); err != nil {
		return err
	}
	f, err := s.Replies.Fill(r.Context(), principal(r), rid, id, r.URL.Query().Get("language"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) handleMacro(apply bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		mid, err := pathID(r, "macro")
		if err != nil {
			return err
		}
		var in applyInput
		if err := decode(w, r, &in); err != nil {
			return err
		}
		a := reply.Apply{Version: in.Version, Language: in.Language, Body: in.Body}
		var res reply.Result
		if apply {
			res, err = s.Replies.ApplyMacro(r.Context(), principal(r), mid, id, a)
		} else {
			res, err = s.Replies.Preview(r.Context(), principal(r), mid, id, a)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	}
}
