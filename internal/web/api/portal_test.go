package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

func TestPortalAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		agent := e.agentToken(directory.AgentInput{Name: "Anna", Email: "anna@example.com", Role: auth.RoleAgent})
		form := map[string]any{"name": "Website", "origins": []string{"https://www.client.example"}, "priority": "high",
			"fields": []map[string]any{{"key": "email", "type": "email", "required": true, "labels": map[string]string{"en": "E-mail"}}}}

		t.Run("web forms are defined by administrators", func(t *testing.T) {
			e.do("POST", "/api/v1/forms", agent, form).want(t, http.StatusForbidden)
			bad := e.do("POST", "/api/v1/forms", e.admin, map[string]any{"name": "X", "fields": []any{}}).want(t, http.StatusUnprocessableEntity)
			if bad.Body["error"].(map[string]any)["field"] != "fields" {
				t.Errorf("error %s", bad.Raw)
			}
			f := e.do("POST", "/api/v1/forms", e.admin, form).want(t, http.StatusCreated)
			id := int64(f.Body["id"].(float64))
			form["name"] = "Website support"
			got := e.do("PUT", fmt.Sprintf("/api/v1/forms/%d", id), e.admin, form).want(t, http.StatusOK)
			if got.Body["name"] != "Website support" || got.Body["priority"] != "high" {
				t.Errorf("replaced form %s", got.Raw)
			}
			if list := e.do("GET", "/api/v1/forms", agent, nil).want(t, http.StatusOK); list.Body["total"] != 1.0 {
				t.Errorf("list %s", list.Raw)
			}
			e.do("DELETE", fmt.Sprintf("/api/v1/forms/%d", id), e.admin, nil).want(t, http.StatusNoContent)
			e.do("GET", fmt.Sprintf("/api/v1/forms/%d", id), e.admin, nil).want(t, http.StatusNotFound)
		})
		t.Run("settings, access and invitations", func(t *testing.T) {
			e.do("PUT", "/api/v1/portal/settings", agent, map[string]any{"registration": "open"}).want(t, http.StatusForbidden)
			st := e.do("PUT", "/api/v1/portal/settings", e.admin, map[string]any{"registration": "domains", "approval": true}).want(t, http.StatusOK)
			if st.Body["registration"] != "domains" || st.Body["approval"] != true {
				t.Errorf("settings %s", st.Raw)
			}
			c, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Ilze", Email: "ilze@client.example"})
			if err != nil {
				t.Fatal(err)
			}
			e.do("GET", fmt.Sprintf("/api/v1/contacts/%d/portal", c.ID), agent, nil).want(t, http.StatusNotFound)
			a := e.do("POST", fmt.Sprintf("/api/v1/contacts/%d/portal/invite", c.ID), agent, nil).want(t, http.StatusOK)
			if a.Body["state"] != "active" || a.Body["origin"] != "invited" {
				t.Errorf("invited %s", a.Raw)
			}
			e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d/portal", c.ID), agent, map[string]any{"manager": true}).want(t, http.StatusForbidden)
			m := e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d/portal", c.ID), e.admin, map[string]any{"manager": true}).want(t, http.StatusOK)
			if m.Body["manager"] != true {
				t.Errorf("manager %s", m.Raw)
			}
		})
		t.Run("ratings", func(t *testing.T) {
			c, _ := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Jānis", Email: "janis@client.example"})
			tk, err := e.api.Tickets.CreateTicket(ctx, auth.System(), ticket.NewTicket{Subject: "Printer", Requester: ticket.RequesterRef{ID: &c.ID}})
			if err != nil {
				t.Fatal(err)
			}
			e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/rating", tk.ID), e.admin, nil).want(t, http.StatusNotFound)
			solved := ticket.StatusSolved
			tk, err = e.api.Tickets.UpdateTicket(ctx, auth.System(), tk.ID, ticket.Update{Version: tk.Version, Status: &solved})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.api.Portal.Rate(ctx, tk, c.ID, 5, "Great"); err != nil {
				t.Fatal(err)
			}
			r := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/rating", tk.ID), e.admin, nil).want(t, http.StatusOK)
			if r.Body["score"] != 5.0 || r.Body["comment"] != "Great" {
				t.Errorf("rating %s", r.Raw)
			}
			if l := e.do("GET", "/api/v1/ratings?score=5", e.admin, nil).want(t, http.StatusOK); l.Body["total"] != 1.0 {
				t.Errorf("ratings %s", l.Raw)
			}
			e.do("GET", "/api/v1/ratings?score=9", e.admin, nil).want(t, http.StatusUnprocessableEntity)
			if l := e.do("GET", "/api/v1/ratings", agent, nil).want(t, http.StatusOK); l.Body["total"] != 0.0 {
				t.Errorf("an agent who never had the ticket sees its rating: %s", l.Raw)
			}
		})
	})
}
