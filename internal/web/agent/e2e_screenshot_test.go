package agent_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/mailbox"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// TestE2EScreenshots saves the queue, a ticket with its conversation and
// the quick form in every language as LANG-named PNGs in
// $LINEDESK_SCREENSHOTS, for the documentation and for a human to look at.
func TestE2EScreenshots(t *testing.T) {
	if os.Getenv("LINEDESK_SCREENSHOTS") == "" {
		t.Skip("set LINEDESK_SCREENSHOTS=dir to save screenshots")
	}
	d := e2eStart(t)
	tk := d.showcase()
	mb := d.showcaseMailbox()
	ctx, admin := d.signedIn(d.anna), d.signedIn(d.admin)
	for _, lang := range []string{"en", "ru", "lv"} {
		for _, a := range []int64{d.anna.ID, d.admin.ID} {
			if _, err := d.app.Directory.UpdateAgent(context.Background(), a, directory.AgentUpdate{Language: &lang}); err != nil {
				t.Fatal(err)
			}
		}
		d.shows(ctx, "/queues/open")
		d.waitUntil(ctx, "the queue counts load", `!!document.querySelector("#queue-nav .count")`)
		e2eNoMarkers(t, d, ctx, "queue-"+lang)
		d.screenshot(ctx, "queue-"+lang)

		d.shows(ctx, fmt.Sprintf("/tickets/%d", tk.ID))
		d.waitUntil(ctx, "the images and the suggested article load", `[...document.images].every(i => i.complete) && !!document.querySelector("#kb-suggested .picker-item")`)
		e2eNoMarkers(t, d, ctx, "ticket-"+lang)
		d.screenshot(ctx, "ticket-"+lang)
		d.do(ctx, "scroll to the suggested article", chromedp.Evaluate[chromedp.Void](`document.getElementById("kb-suggested").scrollIntoView({block: "center"})`))
		d.screenshot(ctx, "ticket-suggested-"+lang)

		d.shows(ctx, "/new")
		e2eNoMarkers(t, d, ctx, "quick-"+lang)
		d.screenshot(ctx, "quick-"+lang)

		d.shows(admin, "/admin/agents")
		e2eNoMarkers(t, d, admin, "admin-agents-"+lang)
		d.screenshot(admin, "admin-agents-"+lang)

		d.shows(admin, fmt.Sprintf("/admin/mailboxes/%d", mb.ID))
		e2eNoMarkers(t, d, admin, "admin-mailbox-"+lang)
		d.screenshot(admin, "admin-mailbox-"+lang)
	}
	// The same desk on a phone, in the language with the longest words.
	phone := d.signedIn(d.anna)
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	d.shows(phone, "/queues/open")
	d.waitUntil(phone, "the queue counts load", `!!document.querySelector("#queue-nav .count")`)
	d.screenshot(phone, "phone-queue-lv")
	d.shows(phone, fmt.Sprintf("/tickets/%d", tk.ID))
	d.screenshot(phone, "phone-ticket-lv")
}

// showcaseMailbox is a support mailbox with its servers and a routing
// rule, as an administrator sets one up.
func (d *e2eDesk) showcaseMailbox() mailbox.Mailbox {
	mb, err := d.app.Mailboxes.CreateMailbox(context.Background(), mailbox.MailboxInput{Address: "support@sztk.example",
		Name: "Support", DefaultGroupID: &d.line1.ID, DefaultLanguage: "ru",
		IMAP: mailbox.IMAPInput{Host: "imap.sztk.example", Username: "support", Password: "secret", TLS: "tls"},
		SMTP: mailbox.SMTPInput{Host: "smtp.sztk.example", Username: "support", Password: "secret", TLS: "starttls"},
		RoutingRules: []mailbox.Rule{{Name: "Network problems", If: mailbox.Condition{SubjectContains: "VPN"},
			Then: mailbox.Action{GroupID: &d.line2.ID, Line: 2, Tags: []string{"vpn"}}}}})
	if err != nil {
		d.t.Fatal(err)
	}
	return mb
}

// showcase fills the desk as on a working day and returns a ticket with a
// conversation: replies both ways, a note and files.
func (d *e2eDesk) showcase() ticket.Ticket {
	t, ctx := d.t, context.Background()
	anna := d.as(d.anna)
	other, err := d.app.Directory.CreateContact(ctx, directory.ContactInput{Name: "Jānis Kalniņš",
		Email: "janis@kalnins.example", Phone: "+371 2000 1234"})
	if err != nil {
		t.Fatal(err)
	}
	d.showcasePlan()
	rows := []struct {
		subject  string
		who      int64
		group    *int64
		priority ticket.Priority
		status   ticket.Status
		tags     []string
	}{
		{"Не печатает принтер в бухгалтерии после обновления драйвера", d.caller.ID, &d.line1.ID, ticket.PriorityHigh, "", []string{"printer"}},
		{"VPN atvienojas ik pēc stundas", other.ID, &d.line2.ID, ticket.PriorityUrgent, ticket.StatusOpen, []string{"vpn", "network"}},
		{"New employee needs an account and a laptop", d.caller.ID, nil, ticket.PriorityNormal, ticket.StatusPending, nil},
		{"Ошибка 0x80070005 при установке обновлений Windows на всех компьютерах филиала", d.caller.ID, &d.line1.ID, ticket.PriorityLow, ticket.StatusOpen, nil},
		{"E-pasts nenāk no ārējiem sūtītājiem", other.ID, &d.line1.ID, ticket.PriorityNormal, "", []string{"mail"}},
	}
	for _, r := range rows {
		if _, err := d.app.Tickets.CreateTicket(ctx, anna, ticket.NewTicket{Subject: r.subject, Description: r.subject,
			Requester: ticket.RequesterRef{ID: &r.who}, GroupID: r.group, Priority: r.priority, Status: r.status,
			Tags: r.tags, Channel: ticket.ChannelEmail}); err != nil {
			t.Fatal(err)
		}
	}
	tk, err := d.app.Tickets.CreateTicket(ctx, anna, ticket.NewTicket{
		Subject:     "Сканер не отправляет документы на почту",
		Description: "Здравствуйте!\n\nС понедельника сканер Kyocera на 3 этаже не отправляет сканы на почту. На экране пишет «Ошибка отправки».\n\nМария",
		Requester:   ticket.RequesterRef{ID: &d.caller.ID}, GroupID: &d.line1.ID, Priority: ticket.PriorityHigh,
		Channel: ticket.ChannelEmail, Tags: []string{"scanner", "smtp"}})
	if err != nil {
		t.Fatal(err)
	}
	shot := d.upload("scanner-error.png", "image/png", e2ePNG())
	log := d.upload("smtp-test.log", "text/plain", []byte("220 mail ready\nAUTH LOGIN\n535 5.7.8 Authentication failed\n"))
	comments := []struct {
		p       bool
		contact bool
		body    string
		files   []int64
	}{
		{true, false, "Мария, добрый день! Подскажите, пожалуйста, какая ошибка точно написана на экране сканера? Если можно, пришлите фото.", nil},
		{true, true, "Вот фото экрана. Ошибка появляется на всех адресах.", []int64{shot}},
		{false, false, "SMTP-сервер отклоняет вход сканера: 535 Authentication failed. Похоже, пароль учётной записи scanner@ истёк.", []int64{log}},
	}
	for _, c := range comments {
		in := ticket.NewComment{Body: c.body, Public: c.p, AttachmentIDs: c.files, Channel: ticket.ChannelWeb}
		p := anna
		if c.contact {
			in.AuthorContactID, in.Channel = &d.caller.ID, ticket.ChannelEmail
			p = d.as(d.admin)
		}
		if _, err := d.app.Tickets.AddComment(ctx, p, tk.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	d.article(kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "ru", Title: "Сканер не отправляет сканы на почту",
		Body: "Если сканер пишет «Ошибка отправки», проверьте пароль почтовой учётной записи сканера и настройки SMTP-сервера."})
	if err := d.app.Search.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return tk
}

// showcasePlan puts the client on a business plan with deadlines for
// every priority.
func (d *e2eDesk) showcasePlan() {
	ctx := context.Background()
	in := sla.NewPlanInput()
	in.Name = "Business"
	minutes := func(n int) *int { return &n }
	for _, p := range []ticket.Priority{ticket.PriorityLow, ticket.PriorityNormal, ticket.PriorityHigh, ticket.PriorityUrgent} {
		in.Targets[p] = sla.Targets{FirstResponse: minutes(240), NextResponse: minutes(480), Resolution: minutes(2400)}
	}
	in.Targets[ticket.PriorityHigh] = sla.Targets{FirstResponse: minutes(60), NextResponse: minutes(120), Resolution: minutes(480)}
	plan, err := d.app.SLA.CreatePlan(ctx, in)
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.app.Directory.UpdateCompany(ctx, d.company.ID, directory.CompanyUpdate{
		PlanID: directory.Ref{Set: true, ID: &plan.ID}}); err != nil {
		d.t.Fatal(err)
	}
}

// upload stores a file in Anna's name and returns its id.
func (d *e2eDesk) upload(name, contentType string, body []byte) int64 {
	d.t.Helper()
	a, err := d.app.Attachments.Upload(context.Background(), d.as(d.anna), name, contentType, bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	return a.ID
}

// e2ePNG is a small picture of a device screen with an error on it.
func e2ePNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for y := range 180 {
		for x := range 320 {
			c := color.RGBA{0x22, 0x33, 0x44, 0xff}
			if x > 20 && x < 300 && y > 60 && y < 120 {
				c = color.RGBA{0xd0, 0x30, 0x30, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// shows opens a page for a screenshot, failing unless it answers 200: an
// error page is no picture of the workspace.
func (d *e2eDesk) shows(ctx context.Context, path string) {
	d.t.Helper()
	if st := d.open(ctx, path); st != http.StatusOK {
		d.t.Fatalf("%s answered %d", path, st)
	}
}
