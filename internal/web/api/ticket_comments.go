package api

import (
	"net/http"
	"strconv"

	"linedesk/internal/ticket"
)

func (s *Server) commentRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/tickets/{id}/comments", s.handleCommentList)
	s.handle(mux, "POST /api/v1/tickets/{id}/comments", s.handleCommentCreate)
	s.handle(mux, "PATCH /api/v1/tickets/{id}/comments/{comment_id}", s.handleCommentEdit)
	s.handle(mux, "GET /api/v1/tickets/{id}/comments/{comment_id}/revisions", s.handleCommentRevisions)
}

func (s *Server) handleCommentList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.Tickets.Comments(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.Comment]{Items: cs, Total: len(cs)})
	return nil
}

func (s *Server) handleCommentCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body            string         `json:"body"`
		Public          *bool          `json:"public"`
		AuthorContactID *int64         `json:"author_contact_id"`
		Channel         ticket.Channel `json:"channel"`
		AttachmentIDs   []int64        `json:"attachment_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	// A comment is public unless it says otherwise: most comments sent
	// through the API are replies.
	public := in.Public == nil || *in.Public
	c, err := s.Tickets.AddComment(r.Context(), principal(r), id, ticket.NewComment{Body: in.Body, Public: public,
		AuthorContactID: in.AuthorContactID, Channel: in.Channel, AttachmentIDs: in.AttachmentIDs})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+strconv.FormatInt(id, 10)+"/comments")
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) handleCommentEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.Tickets.EditComment(r.Context(), principal(r), id, cid, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) handleCommentRevisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	revs, err := s.Tickets.Revisions(r.Context(), principal(r), id, cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[ticket.Revision]{Items: revs, Total: len(revs)})
	return nil
}
