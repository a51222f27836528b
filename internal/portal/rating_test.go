package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// solvedTicket is a ticket of the contact, solved by the agent.
func (f *fixture) solvedTicket(contactID int64, subject string) ticket.Ticket {
	f.t.Helper()
	ctx := context.Background()
	tk, err := f.tickets.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: subject, Description: "It broke.",
		Requester: ticket.RequesterRef{ID: &contactID}, AssigneeID: &f.agent.AgentID})
	f.must(err)
	solved := ticket.StatusSolved
	tk, err = f.tickets.UpdateTicket(ctx, f.admin, tk.ID, ticket.Update{Version: tk.Version, Status: &solved})
	f.must(err)
	return tk
}

func TestRating(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		a := f.invited("Jānis Kalniņš", "janis@client.example", &f.company.ID)
		other := f.invited("Līga Liepa", "liga@client.example", &f.company.ID)
		tk := f.solvedTicket(a.ContactID, "Printer offline")

		t.Run("the requester rates a solved ticket once and may change it for a week", func(t *testing.T) {
			r, err := f.svc.Rate(ctx, tk, a.ContactID, 4, " Quick, thanks ")
			if err != nil || r.Score != 4 || r.Comment != "Quick, thanks" || r.AssigneeName != "Anna Bērziņa" {
				t.Fatalf("rate: %+v %v", r, err)
			}
			f.after(6 * 24 * time.Hour)
			if r, err = f.svc.Rate(ctx, tk, a.ContactID, 5, ""); err != nil || r.Score != 5 {
				t.Fatalf("change on day 6: %+v %v", r, err)
			}
			if n := f.count(`SELECT count(*) FROM ticket_ratings WHERE ticket_id = $1`, tk.ID); n != 1 {
				t.Errorf("%d ratings of one ticket", n)
			}
			f.after(2 * 24 * time.Hour)
			if _, err := f.svc.Rate(ctx, tk, a.ContactID, 1, ""); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("change on day 8: %v, want refused", err)
			}
			if got, _, _ := f.svc.FindRating(ctx, tk.ID); got.Score != 5 {
				t.Errorf("after the refused change the score is %d, want 5", got.Score)
			}
		})
		t.Run("only the requester, only once solved, only 1 to 5", func(t *testing.T) {
			open, err := f.tickets.CreateTicket(ctx, f.admin, ticket.NewTicket{Subject: "Open one",
				Requester: ticket.RequesterRef{ID: &a.ContactID}})
			f.must(err)
			if _, err := f.svc.Rate(ctx, open, a.ContactID, 5, ""); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("rating an open ticket: %v", err)
			}
			fresh := f.solvedTicket(a.ContactID, "Mail down")
			if _, err := f.svc.Rate(ctx, fresh, other.ContactID, 5, ""); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("another contact rated: %v", err)
			}
			for _, bad := range []int{0, 6, -1} {
				if e := apperr.As(func() error { _, err := f.svc.Rate(ctx, fresh, a.ContactID, bad, ""); return err }()); e == nil || e.Field != "score" {
					t.Errorf("score %d: %v, want an error on score", bad, e)
				}
			}
			if e := apperr.As(func() error {
				_, err := f.svc.Rate(ctx, fresh, a.ContactID, 3, strings.Repeat("ā", 2001))
				return err
			}()); e == nil || e.Field != "comment" {
				t.Errorf("long comment: %v, want an error on comment", e)
			}
			if _, found, _ := f.svc.FindRating(ctx, fresh.ID); found {
				t.Error("refused ratings stored one")
			}
		})
		t.Run("the rating link works for its ticket only", func(t *testing.T) {
			url, err := f.svc.RateURL(ctx, tk.ID)
			f.must(err)
			token := url[strings.LastIndex(url, "/")+1:]
			got, err := f.svc.TicketByRatingToken(ctx, token)
			if err != nil || got.ID != tk.ID {
				t.Fatalf("token: %+v %v", got.ID, err)
			}
			fresh := f.solvedTicket(a.ContactID, "VPN down")
			forged := []string{alter(token), strings.Replace(token, strings.Split(token, "-")[0], itoa(fresh.ID), 1), "x", ""}
			for _, bad := range forged {
				if _, err := f.svc.TicketByRatingToken(ctx, bad); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("token %q: %v, want not found", bad, err)
				}
			}
		})
		t.Run("agents see the ratings of their tickets, supervisors all", func(t *testing.T) {
			list, total, err := f.svc.FindRatings(ctx, f.agent, portal.RatingFilter{})
			if err != nil || total != 1 || list[0].TicketID != tk.ID {
				t.Errorf("Anna's ratings: %d %v", total, err)
			}
			stranger := auth.Principal{AgentID: f.admin.AgentID + 100, Role: auth.RoleAgent}
			if _, total, _ := f.svc.FindRatings(ctx, stranger, portal.RatingFilter{}); total != 0 {
				t.Errorf("an agent who had none of the tickets sees %d ratings", total)
			}
			if _, total, _ := f.svc.FindRatings(ctx, f.admin, portal.RatingFilter{Score: 5}); total != 1 {
				t.Errorf("the administrator's five-star ratings: %d, want 1", total)
			}
		})
	})
}

func itoa(n int64) string { return formatInt(n) }
