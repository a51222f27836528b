package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
	"linedesk/internal/web/agent"
)

var admCtx = context.Background()

func TestAdminIsForAdministratorsOnly(t *testing.T) {
	d := newAdminDesk(t, true)
	agents := d.count(`SELECT count(*) FROM agents`)
	path := strings.NewReplacer("{id}", "1", "{n}", "0")
	t.Run("an agent is refused every admin route", func(t *testing.T) {
		c := d.as(d.agent)
		for _, p := range agent.AdminPatterns() {
			method, route, _ := strings.Cut(p, " ")
			res, body := c.do(method, path.Replace(route), url.Values{"name": {"Sneaky"}, "email": {"sneaky@x.lv"}})
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "only administrators") {
				t.Errorf("%s: status %d, want 403 from the admin check", p, res.StatusCode)
			}
		}
		if n := d.count(`SELECT count(*) FROM agents`); n != agents {
			t.Errorf("refused requests created agents: %d, want %d", n, agents)
		}
	})
	t.Run("nobody signed in is sent to sign in", func(t *testing.T) {
		res, _ := d.client().get("/admin/agents")
		admStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("sent to %s", loc)
		}
	})
	t.Run("an administrator sees every screen", func(t *testing.T) {
		c := d.as(d.admin)
		body := c.page("/admin")
		for _, s := range []string{"agents", "groups", "lines", "companies", "plans", "calendars", "contacts", "mailboxes", "fields",
			"quarantine", "jobs"} {
			admContains(t, body, `href="/admin/`+s+`"`)
			c.page("/admin/" + s)
		}
	})
}

func TestAdminAgents(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	group, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Network"})
	admMust(t, err)
	agents := d.count(`SELECT count(*) FROM agents`)

	t.Run("a bad invitation is shown again and invites nobody", func(t *testing.T) {
		body := c.refused("/admin/agents", url.Values{"name": {""}, "email": {"new@desk.example"}}, http.StatusUnprocessableEntity,
			"Name: is required")
		admContains(t, body, `value="new@desk.example"`)
		c.refused("/admin/agents", url.Values{"name": {"Nora"}, "email": {"nora"}}, http.StatusUnprocessableEntity, "E-mail:")
		c.refused("/admin/agents", url.Values{"name": {"Nora"}, "email": {"nora@desk.example"}, "line": {"7"}},
			http.StatusUnprocessableEntity, "Line: must be 1, 2, 3 or 4")
		c.refused("/admin/agents", url.Values{"name": {"Nora"}, "email": {d.agent.Email}}, http.StatusConflict,
			"an agent with this e-mail already exists")
		if n := d.count(`SELECT count(*) FROM agents`); n != agents {
			t.Errorf("%d agents, want %d", n, agents)
		}
	})
	t.Run("an invitation shows the one-time password once", func(t *testing.T) {
		res, body := c.post("/admin/agents", url.Values{"name": {"Nora Ozola"}, "email": {"Nora@Desk.example"},
			"role": {"supervisor"}, "line": {"2"}, "language": {"lv"}, "group_ids": {fmt.Sprint(group.ID)}})
		admStatus(t, res, http.StatusOK)
		m := regexp.MustCompile(`id="one-time-password">([^<]+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no one-time password on the page:\n%s", admMain(body))
		}
		nora, err := d.a.Directory.FindAgentByEmail(admCtx, "nora@desk.example")
		admMust(t, err)
		if !nora.MustChangePassword || nora.Role != auth.RoleSupervisor || nora.Line != 2 || nora.Language != "lv" ||
			len(nora.GroupIDs) != 1 || nora.GroupIDs[0] != group.ID {
			t.Errorf("invited %+v", nora)
		}
		d.signIn("nora@desk.example", m[1])
		if page := c.page(fmt.Sprintf("/admin/agents/%d", nora.ID)); strings.Contains(page, m[1]) {
			t.Error("the agent's page shows the password again")
		}
		if page := c.page("/admin/agents"); !strings.Contains(page, "Nora Ozola") || strings.Contains(page, m[1]) {
			t.Error("the list lacks the agent or shows the password")
		}
		c.refused("/admin/agents", url.Values{"name": {"Nora Ozola"}, "email": {"nora@desk.example"}}, http.StatusConflict,
			"already exists")
	})
	t.Run("edit role, line, groups and language", func(t *testing.T) {
		loc := c.submit(fmt.Sprintf("/admin/agents/%d", d.agent.ID), url.Values{"name": {"Pēteris Bērziņš"},
			"email": {d.agent.Email}, "role": {"agent"}, "line": {"3"}, "language": {"ru"}, "group_ids": {fmt.Sprint(group.ID)}})
		admContains(t, c.page(loc), "Saved.", `value="Pēteris Bērziņš"`)
		a, err := d.a.Directory.FindAgent(admCtx, d.agent.ID)
		admMust(t, err)
		if a.Line != 3 || a.Language != "ru" || len(a.GroupIDs) != 1 || a.Name != "Pēteris Bērziņš" {
			t.Errorf("saved %+v", a)
		}
		c.refused(fmt.Sprintf("/admin/agents/%d", d.agent.ID), url.Values{"name": {"Pēteris"}, "email": {d.agent.Email},
			"role": {"boss"}, "line": {"1"}}, http.StatusUnprocessableEntity, "Role:")
		if a, _ := d.a.Directory.FindAgent(admCtx, d.agent.ID); a.Name != "Pēteris Bērziņš" || a.Role != auth.RoleAgent {
			t.Errorf("a refused edit changed the agent: %+v", a)
		}
	})
	t.Run("deactivate and reactivate", func(t *testing.T) {
		c.submit(fmt.Sprintf("/admin/agents/%d/deactivate", d.agent.ID), nil)
		res, _ := d.client().post("/login", url.Values{"email": {d.agent.Email}, "password": {adminPass}})
		admStatus(t, res, http.StatusUnauthorized)
		admContains(t, c.page("/admin/agents"), "Deactivated")
		c.submit(fmt.Sprintf("/admin/agents/%d/reactivate", d.agent.ID), nil)
		d.as(d.agent)
	})
	t.Run("the last administrator stays", func(t *testing.T) {
		c.refused(fmt.Sprintf("/admin/agents/%d/deactivate", d.admin.ID), nil, http.StatusConflict, "last active administrator")
		if a, _ := d.a.Directory.FindAgent(admCtx, d.admin.ID); !a.Active {
			t.Error("the last administrator was deactivated")
		}
	})
}

func TestAdminGroupsPlansCompanies(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)

	t.Run("groups: create, rename, delete", func(t *testing.T) {
		for _, kind := range []string{"groups"} {
			admContains(t, c.page("/admin/"+kind), "yet") // the empty state
			c.refused("/admin/"+kind, url.Values{"name": {"  "}, "description": {"kept"}}, http.StatusUnprocessableEntity,
				"Name: is required", `value="kept"`)
			c.submit("/admin/"+kind, url.Values{"name": {"Premium"}, "description": {"Round the clock"}})
			c.refused("/admin/"+kind, url.Values{"name": {"premium"}}, http.StatusConflict, "already exists")
			table := map[string]string{"groups": "groups", "plans": "plans"}[kind]
			var id int64
			admMust(t, d.a.DB.R.QueryRow(`SELECT id FROM `+table+` WHERE name = 'Premium'`).Scan(&id))
			path := fmt.Sprintf("/admin/%s/%d", kind, id)
			c.submit(path, url.Values{"name": {"Gold"}, "description": {"24/7"}})
			admContains(t, c.page("/admin/"+kind), "Gold", "24/7")
			c.submit(path+"/delete", nil)
			if n := d.count(`SELECT count(*) FROM ` + table); n != 0 {
				t.Errorf("%s left: %d", kind, n)
			}
		}
	})
	t.Run("a group with tickets is not deleted", func(t *testing.T) {
		g, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Busy"})
		admMust(t, err)
		contact, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Client", Email: "client@x.lv"})
		admMust(t, err)
		admTicket(t, d, contact.ID, &g.ID)
		c.refused(fmt.Sprintf("/admin/groups/%d/delete", g.ID), nil, http.StatusConflict, "still has tickets")
		if _, err := d.a.Directory.FindGroup(admCtx, g.ID); err != nil {
			t.Error(err)
		}
	})
	t.Run("companies: bad input, create, search, edit, delete", func(t *testing.T) {
		plan, err := d.a.Directory.CreatePlan(admCtx, directory.PlanInput{Name: "Basic"})
		admMust(t, err)
		c.refused("/admin/companies", url.Values{"name": {"Acme"}, "domains": {"acme.lv\ngmail.com"}}, http.StatusUnprocessableEntity,
			"Mail domains:", "public mail service", "acme.lv\ngmail.com")
		c.refused("/admin/companies", url.Values{"name": {"Acme"}, "plan_id": {"x"}}, http.StatusUnprocessableEntity, "Plan:")
		if n := d.count(`SELECT count(*) FROM companies`); n != 0 {
			t.Fatalf("refused companies stored: %d", n)
		}
		loc := c.submit("/admin/companies", url.Values{"name": {"Acme"}, "domains": {"acme.lv, acme.com\nACME.ee"},
			"plan_id": {fmt.Sprint(plan.ID)}, "notes": {"Key client"}})
		admContains(t, c.page(loc), "Created.", "acme.com\nacme.ee\nacme.lv")
		admContains(t, c.page("/admin/companies?q=acm"), "Acme", "Basic")
		admContains(t, c.page("/admin/companies?q=zzz"), "Nothing matches")
		var id int64
		admMust(t, d.a.DB.R.QueryRow(`SELECT id FROM companies WHERE name = 'Acme'`).Scan(&id))
		c.submit(fmt.Sprintf("/admin/companies/%d", id), url.Values{"name": {"Acme Baltic"}, "domains": {"acme.lv"}, "plan_id": {""}})
		co, err := d.a.Directory.FindCompany(admCtx, id)
		admMust(t, err)
		if co.Name != "Acme Baltic" || len(co.Domains) != 1 || co.PlanID != nil {
			t.Errorf("saved %+v", co)
		}
		c.submit(fmt.Sprintf("/admin/companies/%d/delete", id), nil)
		if _, err := d.a.Directory.FindCompany(admCtx, id); err == nil {
			t.Error("the company is still there")
		}
	})
}

func TestAdminContacts(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	keep, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Anna Kalniņa", Email: "anna@client.lv"})
	admMust(t, err)
	dup, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "A. Kalnina", Email: "anna.k@gmail.com",
		Phone: "+371 2000 0001"})
	admMust(t, err)
	tk := admTicket(t, d, dup.ID, nil)
	path := fmt.Sprintf("/admin/contacts/%d", keep.ID)

	t.Run("search by name, address and phone", func(t *testing.T) {
		admContains(t, c.page("/admin/contacts?q=gmail"), "A. Kalnina")
		admContains(t, c.page("/admin/contacts?q=2000"), "A. Kalnina")
		if body := c.page("/admin/contacts?q=client.lv"); !strings.Contains(body, "Anna Kalniņa") || strings.Contains(body, "A. Kalnina") {
			t.Error("the search by address found the wrong contacts")
		}
	})
	t.Run("a bad edit changes nothing", func(t *testing.T) {
		c.refused(path, url.Values{"name": {"Anna"}, "emails": {"anna@client.lv\nnot-an-address"}}, http.StatusUnprocessableEntity,
			"E-mail addresses:", "not-an-address")
		c.refused(path, url.Values{"name": {"Anna"}, "emails": {"anna.k@gmail.com"}}, http.StatusConflict, "already belongs to another contact")
		if got, _ := d.a.Directory.FindContact(admCtx, keep.ID); got.Name != "Anna Kalniņa" || got.Email != "anna@client.lv" {
			t.Errorf("contact changed: %+v", got)
		}
	})
	t.Run("block needs a reason; unblock clears it", func(t *testing.T) {
		c.refused(path+"/block", url.Values{"reason": {""}}, http.StatusUnprocessableEntity, "Reason for the block:")
		if got, _ := d.a.Directory.FindContact(admCtx, keep.ID); got.Blocked {
			t.Fatal("blocked without a reason")
		}
		admContains(t, c.page(c.submit(path+"/block", url.Values{"reason": {"Sends spam"}})), "Sends spam", "The contact is blocked")
		if got, _ := d.a.Directory.FindContact(admCtx, keep.ID); !got.Blocked || got.BlockedReason != "Sends spam" {
			t.Errorf("after block: %+v", got)
		}
		admContains(t, c.page("/admin/contacts"), "Blocked")
		c.submit(path+"/unblock", nil)
		if got, _ := d.a.Directory.FindContact(admCtx, keep.ID); got.Blocked || got.BlockedReason != "" {
			t.Errorf("after unblock: %+v", got)
		}
	})
	t.Run("merge refuses what cannot be merged", func(t *testing.T) {
		c.refused(path+"/merge", url.Values{"duplicate": {""}}, http.StatusUnprocessableEntity, "Duplicate:")
		c.refused(path+"/merge", url.Values{"duplicate": {"nobody@nowhere.lv"}}, http.StatusUnprocessableEntity, "nobody@nowhere.lv")
		c.refused(path+"/merge", url.Values{"duplicate": {"99999"}}, http.StatusUnprocessableEntity, "99999")
		c.refused(path+"/merge", url.Values{"duplicate": {fmt.Sprint(keep.ID)}}, http.StatusUnprocessableEntity, "cannot be merged into itself")
		if _, err := d.a.Directory.FindContact(admCtx, dup.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("merge a duplicate by its address", func(t *testing.T) {
		page := c.page(c.submit(path+"/merge", url.Values{"duplicate": {"ANNA.K@gmail.com"}}))
		admContains(t, page, "Contacts merged.", "anna.k@gmail.com", "+371 2000 0001")
		if _, err := d.a.Directory.FindContact(admCtx, dup.ID); err == nil {
			t.Error("the duplicate is still there")
		}
		if n := d.count(`SELECT count(*) FROM tickets WHERE id = $1 AND requester_id = $2`, tk, keep.ID); n != 1 {
			t.Error("the duplicate's ticket did not move")
		}
	})
}

// admTicket adds a ticket requested by the contact and returns its id.
func admTicket(t *testing.T, d *adminDesk, requesterID int64, groupID *int64) int64 {
	t.Helper()
	tk, err := d.a.Tickets.CreateTicket(admCtx, auth.System(), ticket.NewTicket{Subject: "Printer on fire",
		Description: "It smokes", Requester: ticket.RequesterRef{ID: &requesterID}, GroupID: groupID, Channel: ticket.ChannelAPI})
	admMust(t, err)
	return tk.ID
}
