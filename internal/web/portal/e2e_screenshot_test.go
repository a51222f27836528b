package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// TestE2EScreenshots saves the portal's ticket list, a ticket page, the
// new-ticket form (empty, and with articles suggested for its subject),
// the knowledge base and an article, and a web form on a client's page,
// in every language, on a laptop and on a phone, as PNGs in
// $LINEDESK_SCREENSHOTS, for the documentation and for a human to look
// at.
func TestE2EScreenshots(t *testing.T) {
	if os.Getenv("LINEDESK_SCREENSHOTS") == "" {
		t.Skip("set LINEDESK_SCREENSHOTS=dir to save screenshots")
	}
	e := e2eStart(t)
	boss, tk := e.showcase()
	vpn := e.kbShowcase(boss)
	pages := map[string]string{}
	client := site(t, pages)
	f := e.webForm(client)
	for _, lang := range []string{"en", "ru", "lv"} {
		pages["/"+lang] = clientPage(e.base, f.ID, lang)
		pages["/frame-"+lang] = framePage(e.base, f.ID, lang)
	}
	ctx := context.Background()
	for _, q := range listSearches {
		e.indexedFor(boss, q, 1)
	}
	for _, size := range [][2]int64{laptop, phone} {
		kind := "laptop"
		if size == phone {
			kind = "phone"
		}
		tab := e.signIn(boss.Email, size)
		for _, lang := range []string{"en", "ru", "lv"} {
			e.must(e.a.Portal.SetLanguage(ctx, boss.ContactID, lang))
			name := func(page string) string { return fmt.Sprintf("portal-%s-%s-%s", page, lang, kind) }
			e.open(tab, "/portal/tickets?scope=company&status=all")
			e.noMarkers(tab, name("list"))
			e.screenshot(tab, name("list"))

			e.open(tab, "/portal/tickets?scope=company&status=all&q="+url.QueryEscape(listSearches[lang]))
			e.waitUntil(tab, "the search's hits show", `!!document.querySelector("#search-found")`)
			e.noMarkers(tab, name("list-search"))
			e.screenshot(tab, name("list-search"))

			e.open(tab, fmt.Sprintf("/portal/tickets/%d", tk.Number))
			e.waitUntil(tab, "the images load", `[...document.images].every(i => i.complete)`)
			e.noMarkers(tab, name("ticket"))
			e.screenshot(tab, name("ticket"))

			e.open(tab, "/portal/tickets/new")
			e.noMarkers(tab, name("new"))
			e.screenshot(tab, name("new"))

			e.do(tab, "type a subject", chromedp.Evaluate[chromedp.Void](`sessionStorage.clear(); document.querySelector("#subject").value = ""`),
				chromedp.SendKeys(chromedp.CSS("#subject"), kbSubjects[lang]))
			e.waitUntil(tab, "articles are suggested", `document.querySelectorAll("#suggestion-list a").length >= 2`)
			e.noMarkers(tab, name("new-suggestions"))
			e.screenshot(tab, name("new-suggestions"))
			e.do(tab, "open a suggestion", chromedp.Click(chromedp.CSS("#suggestion-list a"), chromedp.NodeVisible))
			e.waitUntil(tab, "the article asks whether it helped", `!!document.querySelector("#deflect") && [...document.images].every(i => i.complete)`)
			e.do(tab, "scroll to the question", chromedp.Evaluate[chromedp.Void](`document.querySelector("#deflect").scrollIntoView({block: "end"})`))
			e.noMarkers(tab, name("kb-suggested"))
			e.screenshot(tab, name("kb-suggested"))

			e.open(tab, "/portal/kb")
			e.noMarkers(tab, name("kb"))
			e.screenshot(tab, name("kb"))

			e.open(tab, "/portal/kb/"+slugOf(vpn, lang))
			e.waitUntil(tab, "the images load", `[...document.images].every(i => i.complete)`)
			e.noMarkers(tab, name("kb-article"))
			e.screenshot(tab, name("kb-article"))

			e.open(tab, client+"/"+lang)
			e.waitUntil(tab, "the form is shown", `!!document.querySelector(".ldf form")`)
			e.screenshot(tab, name("form"))
		}
		e.open(tab, "/portal/tickets?scope=company&q="+url.QueryEscape(`status:urgent "VPN`))
		e.noMarkers(tab, "the search's error")
		e.screenshot(tab, "portal-list-search-error-lv-"+kind)
		e.open(tab, client+"/frame-lv")
		e.screenshot(tab, "portal-frame-lv-"+kind)
		signedOut := e.tab(size)
		e.open(signedOut, "/portal/?lang=ru")
		e.screenshot(signedOut, "portal-signin-ru-"+kind)
		e.open(signedOut, "/portal/kb?lang=lv")
		e.noMarkers(signedOut, "the visitor's knowledge base")
		e.screenshot(signedOut, "portal-kb-visitor-lv-"+kind)
		e.open(signedOut, "/portal/kb?q=vpn&lang=ru")
		e.screenshot(signedOut, "portal-kb-search-ru-"+kind)
		e.open(signedOut, "/portal/kb/the-printer-prints-blank-pages?lang=ru")
		e.noMarkers(signedOut, "an article in another language")
		e.screenshot(signedOut, "portal-kb-fallback-ru-"+kind)
	}
}

// listSearches are the screenshots' searches of the list, one a
// language, each finding tickets by other forms of their words.
var listSearches = map[string]string{"en": "laptop", "ru": "сервер тормозит", "lv": "printeri drukā"}

// noMarkers fails when a page shows a message id instead of its text.
func (e *e2e) noMarkers(tab context.Context, what string) {
	e.t.Helper()
	if body := e.text(tab, "body"); strings.Contains(body, "[portal.") {
		e.t.Errorf("%s shows an untranslated message: %q", what, body)
	}
}

// showcase fills the portal as a company manager sees it on a working
// day, and returns the manager and a ticket with a conversation.
func (e *e2e) showcase() (portal.Account, ticket.Ticket) {
	ctx := context.Background()
	dir := e.a.Directory
	long, err := dir.CreateCompany(ctx, directory.CompanyInput{Name: "Общество с ограниченной ответственностью «Северо-Западная телекоммуникационная компания»",
		Domains: []string{"sztk.example"}})
	e.must(err)
	ivan, err := dir.CreateAgent(ctx, directory.AgentInput{Name: "Иван Александрович Петров-Водкин", Email: "ivan@desk.example",
		Password: "correct horse battery", Role: auth.RoleAgent})
	e.must(err)
	_, err = e.a.Tickets.CreateField(ctx, e.admin, ticket.FieldInput{Key: "office", Label: "Офис / Birojs / Office",
		Type: ticket.FieldSelect, Options: []string{"Rīga", "Санкт-Петербург", "Tallinn"}, Portal: true})
	e.must(err)
	boss := e.customerOf("Анастасия Константиновна Преображенская-Вишневецкая", "anastasia@sztk.example", long.ID, true)
	staff := e.customerOf("Jānis Kalniņš", "janis@sztk.example", long.ID, false)
	open := func(a portal.Account, subject, description string) ticket.Ticket {
		tk, err := e.a.Portal.OpenTicket(ctx, a, portal.NewTicket{Subject: subject, Description: description,
			Fields: map[string]any{"office": "Rīga"}})
		e.must(err)
		return tk
	}
	set := func(tk ticket.Ticket, st ticket.Status, assignee int64) ticket.Ticket {
		cur, err := e.a.Tickets.FindTicket(ctx, auth.System(), tk.ID)
		e.must(err)
		u := ticket.Update{Version: cur.Version, AssigneeID: ticket.IDChange{Set: true, ID: &assignee}}
		if st != cur.Status {
			u.Status = &st
		}
		next, err := e.a.Tickets.UpdateTicket(ctx, e.admin, tk.ID, u)
		e.must(err)
		return next
	}
	set(open(staff, "Printeris 3. stāvā drukā tukšas lapas", "Kopš rīta visas lapas iznāk tukšas."), ticket.StatusOpen, e.agent.AgentID)
	set(open(boss, "Не работает VPN из дома у бухгалтерии после обновления клиента до версии 5.2", "Ошибка 809."), ticket.StatusPending, ivan.ID)
	open(staff, "New laptop for the sales team", "We need three laptops by Friday.")
	set(open(boss, "Продление сертификата почтового сервера", "Сертификат истекает в пятницу."), ticket.StatusSolved, ivan.ID)
	tk := open(boss, "Сервер 1С тормозит по утрам", "С 9 до 10 утра 1С открывает документы по минуте.")
	_, err = e.a.Tickets.AddComment(ctx, e.agent, tk.ID, ticket.NewComment{Public: true,
		Body: "Good morning! We see a nightly backup still running at 9:00. We will move it to 3:00 tonight and check tomorrow."})
	e.must(err)
	e.must(e.a.Portal.Reply(ctx, boss, tk.ID, "Спасибо! Прикладываю снимок экрана, как это выглядит.", []ticket.Upload{{
		Filename: "screenshot.png", ContentType: "image/png", Content: strings.NewReader(string(screenshotPNG()))}}))
	tk = set(tk, ticket.StatusOpen, ivan.ID)
	child, err := e.a.Tickets.CreateTicket(ctx, e.admin, ticket.NewTicket{Subject: "Перенести резервное копирование на 3:00",
		Requester: ticket.RequesterRef{ID: &boss.ContactID}, ParentID: &tk.ID})
	e.must(err)
	set(child, ticket.StatusOnHold, ivan.ID)
	return boss, tk
}

func (e *e2e) customerOf(name, email string, company int64, manager bool) portal.Account {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.a.Directory.CreateContact(ctx, directory.ContactInput{Name: name, Email: email, CompanyID: &company})
	e.must(err)
	_, err = e.a.Portal.Invite(ctx, e.agent, c.ID)
	e.must(err)
	e.must(e.a.Portal.SetPassword(ctx, c.ID, password))
	a, err := e.a.Portal.UpdateAccount(ctx, e.admin, c.ID, portal.AccountUpdate{Manager: &manager})
	e.must(err)
	return a
}

// screenshotPNG draws a small picture of a slow application window.
func screenshotPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 270))
	for y := range 270 {
		for x := range 480 {
			c := color.RGBA{0xf3, 0xf5, 0xf8, 0xff}
			switch {
			case y < 28:
				c = color.RGBA{0x2d, 0x4a, 0x3e, 0xff}
			case x < 110:
				c = color.RGBA{0xe4, 0xe9, 0xef, 0xff}
			case y > 120 && y < 150 && x > 180 && x < 180+(x%7)*40:
				c = color.RGBA{0x1f, 0x5f, 0xbf, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
