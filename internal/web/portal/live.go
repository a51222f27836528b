package portal

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"linedesk/internal/live"
)

// keepAlive is how often a quiet stream sends a comment.
const keepAlive = 15 * time.Second

// handleLive streams server-sent events: "ticket" with a ticket's number
// when something the customer can see on it changes (status, who works on
// it, the public conversation). Only tickets the customer may see are
// told of; with ?ticket=N, only that one. An internal note changes
// nothing the customer sees, so it sends nothing.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	var only int64
	if n := r.URL.Query().Get("ticket"); n != "" {
		num, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return err
		}
		t, err := s.Tickets.FindCustomerTicket(r.Context(), v.C, num)
		if err != nil {
			return err
		}
		only = t.ID
	}
	rc := http.NewResponseController(w)
	events, cancel := s.Hub.Subscribe()
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return nil
	}
	st := stream{s: s, v: v, only: only, stamps: map[int64]string{}, since: since(r)}
	if only != 0 {
		stamp, err := s.Tickets.PublicStamp(r.Context(), only)
		if err != nil {
			return err
		}
		st.stamps[only] = stamp
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	ctx := r.Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.Closing:
			return nil
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case e := <-events:
			msg, err := st.message(ctx, e)
			if err != nil {
				return nil // the stream ends; the browser reconnects
			}
			if msg == "" {
				continue
			}
			fmt.Fprint(w, msg)
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// stream is one customer's live stream.
type stream struct {
	s      *Server
	v      *Viewer
	only   int64            // the ticket of the page; 0 for every ticket the customer may see
	stamps map[int64]string // what was last told of each ticket
	since  time.Time        // when the page was rendered
}

// since reads when the page that opened the stream was rendered, so that
// changes before it are not told again; at most an hour back.
func since(r *http.Request) time.Time {
	now := time.Now()
	us, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	at := time.UnixMicro(us)
	if err != nil || at.After(now) || at.Before(now.Add(-time.Hour)) {
		return now
	}
	return at
}

// mine reports whether the event is about a ticket the customer may see.
func (st *stream) mine(e live.Event) bool {
	if st.only != 0 {
		return e.TicketID == st.only
	}
	c := st.v.C
	return e.RequesterID == c.ContactID || (c.CompanyID != nil && e.CompanyID != nil && *e.CompanyID == *c.CompanyID)
}

// message is the event to send for e, "" for none.
func (st *stream) message(ctx context.Context, e live.Event) (string, error) {
	switch e.Kind {
	case live.KindResync:
		return "event: ticket\ndata: 0\n\n", nil
	case live.KindTicket:
	default:
		return "", nil
	}
	if !st.mine(e) {
		return "", nil
	}
	// The event says whose the ticket is now; the database has the last
	// word, as the ticket may have moved since.
	if err := st.s.Tickets.CanCustomerView(ctx, st.v.C, e.TicketID); err != nil {
		return "", nil
	}
	stamp, err := st.s.Tickets.PublicStamp(ctx, e.TicketID)
	if err != nil {
		return "", err
	}
	prev, seen := st.stamps[e.TicketID]
	st.stamps[e.TicketID] = stamp
	if seen && prev == stamp {
		return "", nil
	}
	if !seen {
		// First news of a ticket on the list: told only if something the
		// customer can see happened since the list was shown.
		at, err := st.s.Tickets.PublicActivity(ctx, []int64{e.TicketID})
		if err != nil {
			return "", err
		}
		if !at[e.TicketID].After(st.since) {
			return "", nil
		}
	}
	return fmt.Sprintf("event: ticket\ndata: %d %s\n\n", e.TicketID, stamp), nil
}
