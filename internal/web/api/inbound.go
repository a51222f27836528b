package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"linedesk/internal/mailbox"
)

// inboundRoutes show administrators every message taken in, and let them
// send one through processing again.
func (s *Server) inboundRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/inbound", s.handleInboundList)
	s.handle(mux, "GET /api/v1/inbound/{id}", adminOnly(getByID(s.Mailboxes.FindInbound)))
	s.handle(mux, "GET /api/v1/inbound/{id}/raw", s.handleInboundRaw)
	s.handle(mux, "POST /api/v1/inbound/{id}/retry", s.handleInboundRequeue(s.Mailboxes.Retry, "retried"))
	s.handle(mux, "POST /api/v1/inbound/{id}/release", s.handleInboundRequeue(s.Mailboxes.Release, "released"))
}

func (s *Server) handleInboundList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	mailboxID, err := queryID(r, "mailbox_id")
	if err != nil {
		return err
	}
	items, total, err := s.Mailboxes.FindInbounds(r.Context(), mailbox.InboundFilter{
		State: r.URL.Query().Get("state"), MailboxID: mailboxID, Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handleInboundRaw(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rc, in, err := s.Mailboxes.OpenRaw(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inbound-%d.eml"`, in.ID))
	h.Set("Content-Length", strconv.FormatInt(in.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rc)
	return nil
}

// handleInboundRequeue serves retry and release: it re-queues the message
// and answers with it, back in the received state.
func (s *Server) handleInboundRequeue(requeue func(context.Context, int64) error, what string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAdmin(r); err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := requeue(r.Context(), id); err != nil {
			return err
		}
		s.Log.InfoContext(r.Context(), "inbound message "+what+" by administrator", "inbound", id, "agent", principal(r).AgentID)
		in, err := s.Mailboxes.FindInbound(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, in)
		return nil
	}
}
