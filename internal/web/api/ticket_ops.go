package api

import (
	"net/http"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/ticket"
)

// ticketOpsRoutes serve what is done to several tickets at once: merge,
// split, links and bulk changes.
func (s *Server) ticketOpsRoutes(mux *http.ServeMux) {
	s.handle(mux, "POST /api/v1/tickets/bulk", s.handleTicketBulk)
	s.handle(mux, "POST /api/v1/tickets/{id}/merge", s.handleTicketMerge)
	s.handle(mux, "POST /api/v1/tickets/{id}/comments/{comment_id}/split", s.handleCommentSplit)
	s.handle(mux, "GET /api/v1/tickets/{id}/links", s.handleLinkList)
	s.handle(mux, "POST /api/v1/tickets/{id}/links", s.handleLinkCreate)
	s.handle(mux, "DELETE /api/v1/tickets/{id}/links/{linked_id}", s.handleLinkDelete)
}

func (s *Server) handleTicketMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		IntoID int64 `json:"into_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.Tickets.Merge(r.Context(), principal(r), id, in.IntoID)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) handleCommentSplit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var in struct {
		Subject string `json:"subject"`
	}
	// The body is optional: without a subject the new ticket takes the old one's.
	if r.ContentLength != 0 {
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	t, err := s.Tickets.SplitComment(r.Context(), principal(r), id, cid, in.Subject)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+strconv.FormatInt(t.ID, 10))
	return s.writeTicket(w, r, http.StatusCreated, t)
}

func (s *Server) handleLinkList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	links, err := s.Tickets.Links(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.LinkedTicket]{Items: links, Total: len(links)})
	return nil
}

func (s *Server) handleLinkCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		TicketID int64  `json:"ticket_id"`
		Kind     string `json:"kind"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.Tickets.Link(r.Context(), principal(r), id, in.TicketID, in.Kind); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleLinkDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	other, err := pathID(r, "linked_id")
	if err != nil {
		return err
	}
	if err := s.Tickets.Unlink(r.Context(), principal(r), id, other); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type bulkIn struct {
	IDs        []int64          `json:"ids"`
	Status     *ticket.Status   `json:"status"`
	Priority   *ticket.Priority `json:"priority"`
	GroupID    Optional[int64]  `json:"group_id"`
	AssigneeID Optional[int64]  `json:"assignee_id"`
	AddTags    []string         `json:"add_tags"`
}

// bulkItem is one ticket's outcome: the changed ticket, or its error.
type bulkItem struct {
	ID     int64          `json:"id"`
	Ticket *ticket.Ticket `json:"ticket,omitempty"`
	Error  *errorDetail   `json:"error,omitempty"`
}

// handleTicketBulk answers 200 with one item per ticket even when some
// could not be changed; each failed item carries its error.
func (s *Server) handleTicketBulk(w http.ResponseWriter, r *http.Request) error {
	var in bulkIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c := ticket.BulkChange{Status: in.Status, Priority: in.Priority, GroupID: idChange(in.GroupID),
		AssigneeID: idChange(in.AssigneeID), AddTags: in.AddTags}
	results, err := s.Tickets.BulkUpdate(r.Context(), principal(r), in.IDs, c)
	if err != nil {
		return err
	}
	items := make([]bulkItem, len(results))
	for i, res := range results {
		items[i] = bulkItem{ID: res.ID, Ticket: res.Ticket}
		if res.Err != nil {
			items[i].Error = s.itemError(r, res.ID, res.Err)
		}
	}
	writeJSON(w, http.StatusOK, List[bulkItem]{Items: items, Total: len(items)})
	return nil
}

// itemError is the safe form of one item's error; anything that is not a
// domain error is logged and shown as "internal error".
func (s *Server) itemError(r *http.Request, id int64, err error) *errorDetail {
	e := apperr.As(err)
	if e == nil {
		s.Log.ErrorContext(r.Context(), "bulk change failed", "ticket", id, "err", err)
		return &errorDetail{Code: apperr.Internal, Message: "internal error"}
	}
	return &errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
}
