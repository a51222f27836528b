package agent_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/outbound"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

func TestAdminPortal(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	contact, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Ilze Ozola", Email: "ilze@client.example"})
	admMust(t, err)

	t.Run("the settings are saved and a bad one changes nothing", func(t *testing.T) {
		c.refused("/admin/portal", url.Values{"registration": {"sometimes"}}, http.StatusUnprocessableEntity, "Registration:")
		st, _ := d.a.Portal.FindSettings(admCtx)
		if st.Registration != portal.RegistrationOff {
			t.Errorf("a refused save changed registration to %s", st.Registration)
		}
		c.submit("/admin/portal", url.Values{"registration": {"domains"}, "approval": {"on"}})
		st, _ = d.a.Portal.FindSettings(admCtx)
		if st.Registration != portal.RegistrationDomains || !st.Approval {
			t.Errorf("settings %+v", st)
		}
		admContains(t, c.page("/admin/portal"), `value="domains" checked`)
	})
	t.Run("a pending registration is approved from the list", func(t *testing.T) {
		c.submit("/admin/portal", url.Values{"registration": {"open"}, "approval": {"on"}})
		admMust(t, d.a.Portal.Register(admCtx, portal.Registration{Name: "Jānis", Email: "janis@free.example", IP: "192.0.2.1"}))
		pending := registerAndConfirm(t, d, "janis@free.example")
		body := c.page("/admin/portal")
		admContains(t, body, "janis@free.example", fmt.Sprintf(`/admin/portal/accounts/%d/approve`, pending))
		c.submit(fmt.Sprintf("/admin/portal/accounts/%d/approve", pending), nil)
		a, _ := d.a.Portal.FindAccount(admCtx, pending)
		if a.State != portal.StateActive {
			t.Errorf("after approval the account is %s", a.State)
		}
	})
	t.Run("a contact is invited from their page and made a manager", func(t *testing.T) {
		body := c.page(fmt.Sprintf("/admin/contacts/%d", contact.ID))
		admContains(t, body, fmt.Sprintf(`action="/contacts/%d/invite"`, contact.ID))
		loc := c.submit(fmt.Sprintf("/contacts/%d/invite", contact.ID), nil)
		if !strings.HasSuffix(loc, "ok=invited#portal") {
			t.Errorf("after inviting: %s", loc)
		}
		c.submit(fmt.Sprintf("/admin/contacts/%d/portal", contact.ID), url.Values{"manager": {"on"}, "state": {"active"}})
		a, err := d.a.Portal.FindAccount(admCtx, contact.ID)
		if err != nil || !a.Manager || a.State != portal.StateActive {
			t.Errorf("account %+v %v", a, err)
		}
		if n := d.count(`SELECT count(*) FROM jobs WHERE kind = 'email.letter'`); n < 1 {
			t.Error("no invitation letter was asked for")
		}
	})
	t.Run("an agent invites a ticket's requester from the ticket, and nobody else", func(t *testing.T) {
		other, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Līga", Email: "liga@client.example"})
		admMust(t, err)
		tk, err := d.a.Tickets.CreateTicket(admCtx, auth.System(), ticket.NewTicket{Subject: "VPN", Requester: ticket.RequesterRef{ID: &other.ID}})
		admMust(t, err)
		a := d.as(d.agent)
		admContains(t, a.page(fmt.Sprintf("/tickets/%d", tk.ID)), `id="invite"`)
		res, _ := a.post(fmt.Sprintf("/contacts/%d/invite", contact.ID), url.Values{"ticket": {fmt.Sprint(tk.ID)}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("inviting someone who is not the ticket's requester: %d", res.StatusCode)
		}
		res, _ = a.post(fmt.Sprintf("/contacts/%d/invite", other.ID), nil)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("an agent invited from outside a ticket: %d", res.StatusCode)
		}
		if loc := a.submit(fmt.Sprintf("/contacts/%d/invite", other.ID), url.Values{"ticket": {fmt.Sprint(tk.ID)}}); !strings.Contains(loc, "done=invited") {
			t.Errorf("after inviting from the ticket: %s", loc)
		}
		if _, err := d.a.Portal.FindAccount(admCtx, other.ID); err != nil {
			t.Errorf("the requester has no access after the invitation: %v", err)
		}
	})
	t.Run("a custom field is shown in the portal when the box is ticked", func(t *testing.T) {
		c.submit("/admin/fields", url.Values{"key": {"contract"}, "label": {"Contract"}, "type": {"text"}, "portal": {"on"}})
		fields, _ := d.a.Portal.PortalFields(admCtx)
		if len(fields) != 1 || fields[0].Key != "contract" {
			t.Errorf("portal fields %+v", fields)
		}
	})
}

// registerAndConfirm confirms a registration's address as its mail's
// link would, and returns the contact.
func registerAndConfirm(t *testing.T, d *adminDesk, email string) int64 {
	t.Helper()
	var payload string
	admMust(t, d.a.DB.R.QueryRow(`SELECT payload FROM jobs WHERE kind = 'email.letter' ORDER BY id DESC LIMIT 1`).Scan(&payload))
	token := letterToken(t, d, payload)
	res, err := d.a.Portal.UseLink(admCtx, token)
	admMust(t, err)
	if res.Account.Email != email {
		t.Fatalf("confirmed %s, want %s", res.Account.Email, email)
	}
	return res.Account.ContactID
}

func TestAdminForms(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	form := url.Values{"name": {"Website support"}, "priority": {"high"}, "line": {"2"}, "active": {"on"},
		"origins": {"https://www.client.example\nhttp://127.0.0.1:8081"}, "thanks.en": {"Thanks!"}, "thanks.lv": {"Paldies!"}}
	row := func(i int, key, typ string, required bool, en string) {
		p := fmt.Sprintf("field.%d.", i)
		form.Set(p+"key", key)
		form.Set(p+"type", typ)
		form.Set(p+"label.en", en)
		if required {
			form.Set(p+"required", "on")
		}
	}
	row(0, "email", "email", false, "E-mail")
	row(1, "message", "textarea", true, "Message")
	form.Set("field.2.key", "")

	body := c.refused("/admin/forms", form, http.StatusUnprocessableEntity, "the email field must be a required e-mail field")
	admContains(t, body, `value="Website support"`)
	if n := d.count(`SELECT count(*) FROM web_forms`); n != 0 {
		t.Fatalf("%d forms stored from a refused definition", n)
	}
	row(0, "email", "email", true, "E-mail")
	loc := c.submit("/admin/forms", form)
	page := c.page(strings.TrimSuffix(loc, "?ok=created"))
	forms, err := d.a.Portal.FindForms(admCtx)
	admMust(t, err)
	if len(forms) != 1 || len(forms[0].Fields) != 2 || forms[0].Priority != ticket.PriorityHigh || forms[0].Thanks["lv"] != "Paldies!" ||
		strings.Join(forms[0].Origins, " ") != "https://www.client.example http://127.0.0.1:8081" {
		t.Fatalf("forms %+v", forms)
	}
	admContains(t, page, fmt.Sprintf("/portal/forms/%d/embed.js?lang=en", forms[0].ID), fmt.Sprintf(`/portal/forms/%d?lang=en`, forms[0].ID),
		fmt.Sprintf(`name="field.%d.key"`, 2+2))
	c.submit(fmt.Sprintf("/admin/forms/%d/delete", forms[0].ID), nil)
	if n := d.count(`SELECT count(*) FROM web_forms`); n != 0 {
		t.Errorf("%d forms after deleting", n)
	}
}

func TestRatingsInTheWorkspace(t *testing.T) {
	d := newAdminDesk(t, false)
	contact, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Ilze", Email: "ilze@client.example"})
	admMust(t, err)
	tk, err := d.a.Tickets.CreateTicket(admCtx, auth.System(), ticket.NewTicket{Subject: "Printer jammed",
		Requester: ticket.RequesterRef{ID: &contact.ID}, AssigneeID: &d.agent.ID})
	admMust(t, err)
	solved := ticket.StatusSolved
	tk, err = d.a.Tickets.UpdateTicket(admCtx, auth.System(), tk.ID, ticket.Update{Version: tk.Version, Status: &solved})
	admMust(t, err)
	_, err = d.a.Portal.Rate(admCtx, tk, contact.ID, 2, "Took three days")
	admMust(t, err)
	other, err := d.a.Directory.CreateAgent(admCtx, directory.AgentInput{Name: "Other", Email: "other@desk.example",
		Password: adminPass, Role: auth.RoleAgent})
	admMust(t, err)

	admContains(t, d.as(d.agent).page("/ratings"), "Printer jammed", "Took three days")
	if body := d.as(other).page("/ratings"); strings.Contains(body, "Printer jammed") {
		t.Error("an agent sees the rating of a ticket they never had")
	}
	admContains(t, d.as(d.admin).page("/ratings?score=2"), "Printer jammed")
	if body := d.as(d.admin).page("/ratings?score=5"); strings.Contains(body, "Printer jammed") {
		t.Error("the five-star filter shows a two-star rating")
	}
	admContains(t, d.as(d.admin).page(fmt.Sprintf("/tickets/%d", tk.ID)), `id="rating"`, "Took three days")
}

var linkToken = regexp.MustCompile(`/portal/link/(\S+)`)

// letterToken is the link token of a letter job, as its mail carries it.
func letterToken(t *testing.T, d *adminDesk, payload string) string {
	t.Helper()
	var p outbound.LetterPayload
	admMust(t, json.Unmarshal([]byte(payload), &p))
	l, ok, err := d.a.Portal.LinkLetter(admCtx, p.Ref)
	admMust(t, err)
	m := linkToken.FindStringSubmatch(l.Body)
	if !ok || m == nil {
		t.Fatalf("no link in the letter %q", l.Body)
	}
	return m[1]
}
