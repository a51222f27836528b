package search_test

import (
	"context"
	"testing"

	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// corpus is a small help desk in three languages, the same on every
// database: tickets by name, and the company and contact they use.
type corpus struct {
	t    map[string]ticket.Ticket
	acme int64
	user int64 // user@x.lv, of Acme
}

// build fills the env with the corpus, in a fixed order, and waits for
// the index.
func build(t testing.TB, e *env) *corpus {
	t.Helper()
	ctx := context.Background()
	acme, err := e.dir.CreateCompany(ctx, directory.CompanyInput{Name: "Acme Ltd", Domains: []string{"x.lv"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.dir.CreateCompany(ctx, directory.CompanyInput{Name: "Globex", Domains: []string{"globex.example"}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := e.dir.CreateContact(ctx, directory.ContactInput{Name: "Jānis Bērziņš", Email: "user@x.lv", CompanyID: &acme.ID,
		Phone: "+371 2912 3456"})
	if err != nil {
		t.Fatal(err)
	}
	c := &corpus{t: map[string]ticket.Ticket{}, acme: acme.ID, user: user.ID}
	add := func(key string, in ticket.NewTicket) ticket.Ticket {
		tk := e.open(t, in)
		c.t[key] = tk
		return tk
	}
	add("printers", ticket.NewTicket{Subject: "Принтеры перестали печатать", GroupID: &e.desk,
		Description: "В бухгалтерии с утра принтеры HP перестали печатать, очередь висит."})
	add("password", ticket.NewTicket{Subject: "Aizmirsu paroli", GroupID: &e.desk,
		Description: "Labdien, aizmirsu paroli no e-pasta, lūdzu palīdziet."})
	vpn := add("vpn", ticket.NewTicket{Subject: "VPN drops every hour", GroupID: &e.netwrk, Tags: []string{"vpn"},
		Description: "Since the update to 2.3.10 the VPN client disconnects; the log shows ERR_CONNECTION_RESET from 10.0.0.1"})
	add("outlook", ticket.NewTicket{Subject: "Outlook error 0x80070005", GroupID: &e.netwrk,
		Description: "Outlook shows error 0x80070005 when it opens the archive; see /var/log/mail/error.log"})
	add("offline", ticket.NewTicket{Subject: "Printer offline in room 204",
		Description: "The printer in room 204 is offline since Monday."})
	add("mail", ticket.NewTicket{Subject: "Не работает почта", Requester: ticket.RequesterRef{ID: &user.ID},
		Description: "Почта не отправляется, пишет ошибку 0x800CCC0E. Письма висят в исходящих."})
	add("parole", ticket.NewTicket{Subject: "Parole nedarbojas", GroupID: &e.netwrk,
		Description: "Mana parole vairs nedarbojas pēc maiņas, nevaru pieslēgties."})
	blank := add("blank", ticket.NewTicket{Subject: "Printer is printing blank pages", GroupID: &e.desk,
		Description: "Every page comes out blank from the printer on the second floor."})
	add("globex", ticket.NewTicket{Subject: "Printer toner low", Requester: ticket.RequesterRef{Email: "boss@globex.example"},
		CompanyID: &other.ID, Description: "Our printer says the toner is low."})
	e.comment(t, vpn.ID, "Internal: the firewall at 10.0.0.1 resets the sessions; codeword zanzibar", false)
	e.comment(t, c.t["printers"].ID, "Перезапустили службу печати, проверьте, пожалуйста.", true)
	if _, err := e.tickets.UpdateTicket(ctx, e.admin, blank.ID, ticket.Update{Version: blank.Version,
		Status: ptr(ticket.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	for k, tk := range c.t {
		if cur, err := e.tickets.FindTicket(ctx, e.admin, tk.ID); err == nil {
			c.t[k] = cur
		}
	}
	return c
}

func (c *corpus) num(key string) int64 { return c.t[key].Number }
