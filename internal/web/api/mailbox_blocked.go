package api

import (
	"net/http"

	"linedesk/internal/mailbox"
)

// blockedDomainRoutes let administrators keep mail from whole domains out
// of the tickets (it is quarantined instead).
func (s *Server) blockedDomainRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/blocked-domains", s.handleBlockedDomainList)
	s.handle(mux, "POST /api/v1/blocked-domains", s.handleBlockedDomainCreate)
	s.handle(mux, "DELETE /api/v1/blocked-domains/{domain}", s.handleBlockedDomainDelete)
}

func (s *Server) handleBlockedDomainList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.Mailboxes.FindBlockedDomains(r.Context(), mailbox.BlockedDomainFilter{
		Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

type blockedDomainInput struct {
	Domain string `json:"domain"`
	Reason string `json:"reason"`
}

func (s *Server) handleBlockedDomainCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in blockedDomainInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	b, err := s.Mailboxes.BlockDomain(r.Context(), in.Domain, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) handleBlockedDomainDelete(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	if err := s.Mailboxes.UnblockDomain(r.Context(), r.PathValue("domain")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
