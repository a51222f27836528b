package agent_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// TestE2EPortalAdminScreenshots saves the workspace's screens of the
// customer portal (settings and registrations, a web form with its embed
// snippet, the ratings, a contact's access, a ticket's rating) in every
// language, for a human to look at.
func TestE2EPortalAdminScreenshots(t *testing.T) {
	if os.Getenv("LINEDESK_SCREENSHOTS") == "" {
		t.Skip("set LINEDESK_SCREENSHOTS=dir to save screenshots")
	}
	d := e2eStart(t)
	ctx := context.Background()
	admin := d.as(d.admin)
	p := d.app.Portal
	_, err := p.SaveSettings(ctx, admin, portal.Settings{Registration: portal.RegistrationDomains, Approval: true})
	d.must(err)
	access := func(name, email string, manager bool) directory.Contact {
		c, err := d.app.Directory.CreateContact(ctx, directory.ContactInput{Name: name, Email: email, CompanyID: &d.company.ID})
		d.must(err)
		_, err = p.Invite(ctx, d.as(d.anna), c.ID)
		d.must(err)
		_, err = p.UpdateAccount(ctx, admin, c.ID, portal.AccountUpdate{Manager: &manager})
		d.must(err)
		return c
	}
	access("Анастасия Константиновна Преображенская-Вишневецкая", "anastasia@sztk.example", true)
	d.must(p.Register(ctx, portal.Registration{Name: "Pēteris Bērziņš", Email: "peteris@sztk.example", Language: "lv", IP: "192.0.2.1"}))
	f, err := p.CreateForm(ctx, admin, portal.FormInput{Name: "Support form on sztk.example", Origins: []string{"https://www.sztk.example"},
		Priority: ticket.PriorityHigh, Line: 1, GroupID: &d.line1.ID, Thanks: map[string]string{"en": "Thank you!", "ru": "Спасибо!", "lv": "Paldies!"},
		Fields: []portal.FormField{
			{Key: "name", Type: portal.FieldText, Required: true, Labels: map[string]string{"en": "Your name", "ru": "Ваше имя", "lv": "Jūsu vārds"}},
			{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail", "ru": "Эл. почта", "lv": "E-pasts"}},
			{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "How can we help?", "ru": "Чем помочь?", "lv": "Kā varam palīdzēt?"}},
		}})
	d.must(err)
	tk := d.ticket("Сканер не отправляет документы на почту", "Ошибка отправки.", &d.line1.ID)
	solved := ticket.StatusSolved
	cur, err := d.app.Tickets.UpdateTicket(ctx, admin, tk.ID, ticket.Update{Version: tk.Version, Status: &solved,
		AssigneeID: ticket.IDChange{Set: true, ID: &d.anna.ID}})
	d.must(err)
	_, err = p.Rate(ctx, cur, d.caller.ID, 4, "Быстро, но пришлось звонить дважды.")
	d.must(err)
	ctxAdmin := d.signedIn(d.admin)
	for _, lang := range []string{"en", "ru", "lv"} {
		_, err := d.app.Directory.UpdateAgent(ctx, d.admin.ID, directory.AgentUpdate{Language: &lang})
		d.must(err)
		for name, path := range map[string]string{"admin-portal": "/admin/portal", "admin-form": fmt.Sprintf("/admin/forms/%d", f.ID),
			"ratings": "/ratings", "admin-contact-portal": fmt.Sprintf("/admin/contacts/%d#portal", d.caller.ID),
			"ticket-rating": fmt.Sprintf("/tickets/%d", tk.ID)} {
			d.open(ctxAdmin, path)
			e2eNoMarkers(t, d, ctxAdmin, name+"-"+lang)
			d.screenshot(ctxAdmin, name+"-"+lang)
		}
	}
}

func (d *e2eDesk) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}
