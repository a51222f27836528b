package agent

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"linedesk/internal/live"
	"linedesk/internal/ticket"
)

func (s *Server) liveRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /live", s.handleLive)
}

// keepAlive is how often a quiet stream sends a comment, and how often an
// open ticket page renews its viewer's presence.
const keepAlive = 15 * time.Second

// handleLive streams server-sent events: "ticket" when a ticket the agent
// may see changes (with its id), and, when ?ticket= names the page's
// ticket, "presence" when who views or types there changes. While the
// stream of a ticket page is open its agent counts as viewing it.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	rc := http.NewResponseController(w)
	var ticketID int64
	if id := r.URL.Query().Get("ticket"); id != "" {
		if _, err := fmt.Sscan(id, &ticketID); err != nil {
			return err
		}
		if err := s.Tickets.CanViewTicket(r.Context(), v.P, ticketID); err != nil {
			return err
		}
	}
	events, cancel := s.Hub.Subscribe()
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if err := rc.Flush(); err != nil {
		return nil // the client is gone or cannot stream
	}

	ctx := r.Context()
	if ticketID != 0 {
		s.Presence.Touch(ctx, ticketID, v.P.AgentID, v.P.Name, false)
		defer s.Presence.Leave(context.WithoutCancel(ctx), ticketID, v.P.AgentID)
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.Closing:
			return nil
		case <-tick.C:
			if ticketID != 0 {
				s.Presence.Touch(ctx, ticketID, v.P.AgentID, v.P.Name, false)
			}
			fmt.Fprint(w, ": keep-alive\n\n")
		case e := <-events:
			if !s.sendEvent(w, v, ticketID, e) {
				continue
			}
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// sendEvent writes the event if this agent's page cares about it.
func (s *Server) sendEvent(w http.ResponseWriter, v *Viewer, ticketID int64, e live.Event) bool {
	switch e.Kind {
	case "resync":
		fmt.Fprint(w, "event: ticket\ndata: 0\n\n")
	case "ticket":
		if !v.P.SeesAllTickets() && e.GroupID != nil && !v.P.InGroup(*e.GroupID) &&
			e.TicketID != ticketID && (e.AssigneeID == nil || *e.AssigneeID != v.P.AgentID) {
			return false
		}
		fmt.Fprintf(w, "event: ticket\ndata: %d %d %d\n\n", e.TicketID, e.Version, e.UpdatedAt.UnixMicro())
	case "presence":
		if e.TicketID != ticketID || ticketID == 0 {
			return false
		}
		fmt.Fprintf(w, "event: presence\ndata: %d\n\n", e.TicketID)
	default:
		return false
	}
	return true
}

// handleTyping marks the agent as typing a reply on the ticket.
func (s *Server) handleTyping(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if err := s.Tickets.CanViewTicket(r.Context(), v.P, id); err != nil {
		return err
	}
	s.Presence.Touch(r.Context(), id, v.P.AgentID, v.P.Name, r.PostFormValue("typing") != "0")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type presencePage struct {
	Page
	T       ticket.Ticket // only its id: where the fragment reloads from
	Viewers []live.Viewer
}

// handlePresence renders who else is on the ticket.
func (s *Server) handlePresence(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if err := s.Tickets.CanViewTicket(r.Context(), v.P, id); err != nil {
		return err
	}
	s.fragment(w, r, "ticket", "presence", presencePage{Page: s.newPage(r, v.L, v, "ticket"),
		T: ticket.Ticket{ID: id}, Viewers: s.Presence.Viewers(id)})
	return nil
}
