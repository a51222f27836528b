package portal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"linedesk/internal/auth"
	"linedesk/internal/i18n"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// clientPage is a client's page that embeds a form with the snippet the
// administration screen gives.
func clientPage(base string, formID int64, lang string) string {
	return fmt.Sprintf(`<!doctype html><html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SIA Ziemeļu Tīkli — Atbalsts</title>
<style>body{font-family:Georgia,serif;margin:0;background:#faf7f2;color:#222}header{background:#2d4a3e;color:#fff;padding:1rem 1.5rem}
main{max-width:44rem;margin:1.5rem auto;padding:0 1rem}h1{font-size:1.6rem}</style></head>
<body><header><strong>SIA Ziemeļu Tīkli</strong></header><main><h1>Support</h1><p>Write to our support team.</p>
<div id="linedesk-form-%d"></div>
<script src="%s/portal/forms/%d/embed.js?lang=%s" data-target="linedesk-form-%d" async></script>
</main></body></html>`, lang, formID, base, formID, lang, formID)
}

// framePage embeds the form's frame instead of its script.
func framePage(base string, formID int64, lang string) string {
	return fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>Frame</title></head><body>
<iframe id="frame" src="%s/portal/forms/%d?lang=%s" style="width:100%%;min-height:760px;border:0" title="Support"></iframe></body></html>`,
		base, formID, lang)
}

// webForm is the form the tests embed.
func (e *e2e) webForm(origins ...string) portal.Form {
	e.t.Helper()
	f, err := e.a.Portal.CreateForm(context.Background(), e.admin, portal.FormInput{Name: "Website support", Origins: origins,
		Priority: ticket.PriorityHigh, Thanks: map[string]string{"en": "Thank you for writing to us!", "lv": "Paldies, ka rakstījāt!"},
		Fields: []portal.FormField{
			{Key: "name", Type: portal.FieldText, Required: true, Labels: map[string]string{"en": "Your name", "ru": "Ваше имя", "lv": "Jūsu vārds"}},
			{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail", "ru": "Эл. почта", "lv": "E-pasts"}},
			{Key: "product", Type: portal.FieldSelect, Options: []string{"Router", "Switch"}, Labels: map[string]string{"en": "Product", "ru": "Устройство", "lv": "Ierīce"}},
			{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "How can we help?", "ru": "Чем помочь?", "lv": "Kā varam palīdzēt?"}},
		}})
	e.must(err)
	return f
}

// fillForm fills the embedded form in.
func (e *e2e) fillForm(tab context.Context, email string) {
	e.t.Helper()
	e.waitUntil(tab, "the form is shown", `!!document.querySelector(".ldf form [name='f.email']")`)
	e.do(tab, "fill the form in",
		chromedp.SetValue(chromedp.CSS(`.ldf [name='f.name']`), "Ilze Ozola"),
		chromedp.SetValue(chromedp.CSS(`.ldf [name='f.email']`), email),
		chromedp.SetValue(chromedp.CSS(`.ldf [name='f.product']`), "Router"),
		chromedp.SetValue(chromedp.CSS(`.ldf [name='f.message']`), "The router reboots every hour."))
}

// send sends the embedded form and returns what it then says.
func (e *e2e) send(tab context.Context) string {
	e.t.Helper()
	e.do(tab, "send the form", chromedp.Click(chromedp.CSS(".ldf button[type=submit]"), chromedp.NodeVisible))
	e.waitUntil(tab, "the form answers", `!!document.querySelector(".ldf-msg") && !document.querySelector(".ldf button[disabled]")`)
	return e.text(tab, ".ldf-msg")
}

func (e *e2e) tickets() int {
	e.t.Helper()
	_, n, err := e.a.Tickets.FindTickets(context.Background(), auth.System(), ticket.Filter{Channel: ticket.ChannelWebForm})
	e.must(err)
	return n
}

// TestE2EWebForm puts a form on a client's site on another origin and
// sends it as a person and as the robots it must refuse: a filled hidden
// field, a form sent too fast, a blocked domain, the fourth submission in
// five minutes, and a site the form does not allow.
func TestE2EWebForm(t *testing.T) {
	e := e2eStart(t)
	ctx := context.Background()
	pages := map[string]string{}
	client := site(t, pages)
	evil := site(t, map[string]string{"/": ""})
	f := e.webForm(client)
	pages["/"] = clientPage(e.base, f.ID, "en")
	pages["/lv"] = clientPage(e.base, f.ID, "lv")
	pages["/frame"] = framePage(e.base, f.ID, "ru")
	b, err := i18n.New()
	e.must(err)
	en := b.For("en", time.UTC)
	_, err = e.a.Mailboxes.BlockDomain(ctx, "spam.example", "sends spam")
	e.must(err)
	tab := e.tab(laptop)

	t.Run("a person's submission becomes a ticket with a receipt", func(t *testing.T) {
		e.open(tab, client+"/lv")
		e.fillForm(tab, "ilze@client.example")
		time.Sleep(3200 * time.Millisecond) // the time a person takes
		got := e.send(tab)
		if !strings.Contains(got, "Paldies, ka rakstījāt!") {
			t.Fatalf("after sending the form says %q", got)
		}
		list, _, err := e.a.Tickets.FindTickets(ctx, auth.System(), ticket.Filter{Channel: ticket.ChannelWebForm})
		e.must(err)
		if len(list) != 1 || list[0].Requester.Email != "ilze@client.example" || list[0].CompanyID == nil ||
			*list[0].CompanyID != e.company.ID || list[0].Priority != ticket.PriorityHigh {
			t.Fatalf("tickets %+v", list)
		}
		if !strings.Contains(got, ticket.Number(list[0].Number)) {
			t.Errorf("the answer does not give the ticket's number: %q", got)
		}
		e.mailTo("ilze@client.example", ticket.Number(list[0].Number))
	})
	refused := []struct {
		name, email, why string
		before           func(tab context.Context)
	}{
		{"a filled hidden field", "bot1@client.example", portal.RefusedSpam, func(tab context.Context) {
			eval[bool](e, tab, `(document.querySelector(".ldf [name=homepage]").value = "http://buy.example", true)`)
			time.Sleep(3200 * time.Millisecond)
		}},
		{"a form sent at once", "bot2@client.example", portal.RefusedTooFast, func(context.Context) {}},
		{"a blocked domain", "bot@spam.example", portal.RefusedBlocked, func(context.Context) { time.Sleep(3200 * time.Millisecond) }},
	}
	for _, c := range refused {
		t.Run(c.name+" is refused with a clear message", func(t *testing.T) {
			before := e.tickets()
			e.open(tab, client+"/")
			e.fillForm(tab, c.email)
			c.before(tab)
			if got, want := e.send(tab), en.T("portal.form.refused."+c.why); got != want {
				t.Errorf("the form says %q, want %q", got, want)
			}
			if n := e.tickets(); n != before {
				t.Errorf("%d tickets created", n-before)
			}
		})
	}
	t.Run("the fourth submission in five minutes creates nothing", func(t *testing.T) {
		for i := range 2 {
			e.open(tab, client+"/")
			e.fillForm(tab, fmt.Sprintf("person%d@client.example", i))
			time.Sleep(3200 * time.Millisecond)
			if got := e.send(tab); !strings.Contains(got, "Thank you for writing to us!") {
				t.Fatalf("submission %d: %q", i+2, got)
			}
		}
		before := e.tickets()
		e.open(tab, client+"/")
		e.fillForm(tab, "person9@client.example")
		time.Sleep(3200 * time.Millisecond)
		if got, want := e.send(tab), en.T("portal.form.refused.too_many"); got != want {
			t.Errorf("the fourth: %q, want %q", got, want)
		}
		if n := e.tickets(); n != before {
			t.Errorf("the fourth created %d tickets", n-before)
		}
	})
	t.Run("a site the form does not allow can neither show nor post it", func(t *testing.T) {
		before := e.tickets()
		e.open(tab, evil+"/")
		eval[bool](e, tab, fmt.Sprintf(`(() => { document.body.innerHTML = %q;
			const s = document.createElement("script"); s.src = %q; document.body.appendChild(s); return true; })()`,
			`<div id="linedesk-form-x"></div>`, fmt.Sprintf("%s/portal/forms/%d/embed.js?lang=en", e.base, f.ID)))
		e.waitUntil(tab, "the script says it cannot run here", `!!document.querySelector(".ldf-msg")`)
		if got, want := e.text(tab, ".ldf-msg"), en.T("portal.form.refused.origin"); got != want {
			t.Errorf("on a foreign site the form says %q, want %q", got, want)
		}
		posted := eval[string](e, tab, fmt.Sprintf(`(() => { const fd = new FormData();
			fd.append("f.email", "evil@client.example"); fd.append("f.name", "Evil"); fd.append("f.message", "spam");
			return fetch(%q, {method: "POST", body: fd, headers: {"X-Linedesk-Form": "1", "Accept": "application/json"}})
				.then(r => "answered " + r.status, err => "blocked: " + err.name); })()`, fmt.Sprintf("%s/portal/forms/%d", e.base, f.ID)))
		if !strings.HasPrefix(posted, "blocked") {
			t.Errorf("a post from a foreign site was let through: %s", posted)
		}
		if n := e.tickets(); n != before {
			t.Errorf("a foreign site created %d tickets", n-before)
		}
	})
}
