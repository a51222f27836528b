package agent_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/kb"
)

// publish creates and publishes an article with one translation.
func (d *desk) publish(st kb.Settings, dr kb.Draft) kb.Article {
	d.t.Helper()
	ctx, admin := context.Background(), d.principal(d.admin)
	a, err := d.a.KB.CreateArticle(ctx, admin, kb.NewArticle{Settings: st, Draft: dr})
	if err != nil {
		d.t.Fatal(err)
	}
	if a, err = d.a.KB.Publish(ctx, admin, a.ID, a.Version, dr.Language); err != nil {
		d.t.Fatal(err)
	}
	return a
}

// TestKBThroughSearch: the ticket page suggests the articles most like
// the ticket, for agents who may open it; the knowledge base's list and
// the workspace search find articles by any form of their words.
func TestKBThroughSearch(t *testing.T) {
	d := newDesk(t)
	printer := d.publish(kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "ru", Title: "Принтеры перестали печатать",
		Body: "Проверьте картридж и очередь печати, затем перезапустите службу печати."})
	d.publish(kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "en", Title: "Resetting a domain password",
		Body: "Reset it on the domain controller."})
	tk := d.ticket("Принтер в бухгалтерии не печатает", d.line1)
	other := d.ticket("Стул сломался", d.line1)
	d.indexed()
	anna := d.signIn(d.anna)

	t.Run("the ticket page asks for suggestions", func(t *testing.T) {
		_, body := anna.get("/tickets/" + itoa(tk.ID))
		wantContains(t, body, `hx-get="/tickets/`+itoa(tk.ID)+`/kb/suggested"`, "Suggested articles")
	})
	t.Run("suggestions with their insert buttons", func(t *testing.T) {
		res, body := partial(anna, "/tickets/"+itoa(tk.ID)+"/kb/suggested")
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, `href="/kb/`+itoa(printer.ID)+`?lang=ru"`, "Принтеры перестали печатать",
			`data-kb-insert="/tickets/`+itoa(tk.ID)+`/kb/`+itoa(printer.ID)+`/insert" data-mode="link" data-lang="ru"`)
		if strings.Contains(body, "domain password") {
			t.Error("an unrelated article is suggested")
		}
		_, body = partial(anna, "/tickets/"+itoa(other.ID)+"/kb/suggested")
		wantContains(t, body, "No article resembles this ticket yet.")
	})
	t.Run("nothing for an agent outside the ticket's group", func(t *testing.T) {
		res, body := partial(d.signIn(d.ivan), "/tickets/"+itoa(tk.ID)+"/kb/suggested")
		wantStatus(t, res, http.StatusNotFound)
		if strings.Contains(body, "Принтеры") {
			t.Error("the refusal names the article")
		}
	})
	t.Run("the list searches the full text", func(t *testing.T) {
		_, body := anna.get("/kb?q=" + url.QueryEscape("картриджи"))
		wantContains(t, body, `href="/kb/`+itoa(printer.ID)+`?lang=ru"`, "<mark>картридж</mark>", "Search articles")
		_, body = partial(anna, "/tickets/"+itoa(tk.ID)+"/kb?q="+url.QueryEscape("службы печати"))
		wantContains(t, body, "Принтеры перестали печатать")
	})
	t.Run("the workspace search finds articles", func(t *testing.T) {
		_, body := anna.get("/search?kind=article&q=" + url.QueryEscape("принтер не печатает"))
		wantContains(t, body, `href="/kb/`+itoa(printer.ID)+`?lang=ru"`, "<mark>Принтеры</mark>", `aria-current="page">Articles`)
		_, body = d.signIn(d.admin).get("/search?kind=article&q=password")
		wantContains(t, body, "Resetting a domain <mark>password</mark>", "/admin/articles/")
	})
}
