package agent_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// indexed brings the search index up to date, as its jobs would (the
// desk runs no job workers).
func (d *desk) indexed() {
	d.t.Helper()
	if err := d.a.Search.Rebuild(context.Background(), nil); err != nil {
		d.t.Fatal(err)
	}
}

func partial(b *browser, path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.d.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

func TestSearchPage(t *testing.T) {
	d := newDesk(t)
	printer := d.ticket("Принтеры перестали печатать", d.line1)
	vpn := d.ticket("VPN drops <b>every</b> hour", d.line2)
	if _, err := d.a.Tickets.AddComment(context.Background(), auth.System(), vpn.ID,
		ticket.NewComment{Body: "Internal: firewall resets the printer queue"}); err != nil {
		t.Fatal(err)
	}
	d.indexed()
	anna := d.signIn(d.anna)

	t.Run("results with marks, only from tickets the agent may open", func(t *testing.T) {
		res, body := anna.get("/search?q=" + url.QueryEscape("принтер не печатает"))
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, "/tickets/"+itoa(printer.ID), "<mark>Принтеры</mark> перестали <mark>печатать</mark>",
			"1 result", `<details class="panel syntax"`)
		if _, body := anna.get("/search?q=printer"); strings.Contains(body, "/tickets/"+itoa(vpn.ID)) {
			t.Error("Anna (line 1) found line 2's ticket by its note")
		}
		ivan := d.signIn(d.ivan)
		_, body = ivan.get("/search?q=printer+queue")
		wantContains(t, body, "/tickets/"+itoa(vpn.ID), "<mark>printer</mark> <mark>queue</mark>",
			"VPN drops &lt;b&gt;every&lt;/b&gt; hour")
	})

	t.Run("kinds and contacts", func(t *testing.T) {
		_, body := anna.get("/search?q=kalnins&kind=contact")
		wantContains(t, body, "Jānis <mark>Kalniņš</mark>", "janis@client.example", `aria-current="page">Contacts`,
			"/search?kind=ticket&amp;q=from%3A%22janis%40client.example%22")
		if strings.Contains(body, "/admin/contacts/") {
			t.Error("an agent who is not an administrator is offered the administration link")
		}
		_, body = d.signIn(d.admin).get("/search?q=kalnins&kind=contact")
		wantContains(t, body, "/admin/contacts/"+itoa(d.caller.ID))
	})

	t.Run("instant results while typing", func(t *testing.T) {
		res, body := partial(anna, "/search/instant?q="+url.QueryEscape("принт"))
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, `role="option"`, "/tickets/"+itoa(printer.ID), "<mark>Принтеры</mark>", `id="search-opt-all"`)
		if strings.Contains(body, "<html") {
			t.Error("the instant answer is a whole page")
		}
		_, body = partial(anna, "/search/instant?q="+url.QueryEscape("zzqqxx"))
		wantContains(t, body, "Nothing found")
		_, body = partial(anna, "/search/instant?q=")
		if strings.TrimSpace(body) != "" {
			t.Errorf("an empty box answers %q", body)
		}
	})

	t.Run("the header's box leads to the search", func(t *testing.T) {
		_, body := anna.get("/")
		wantContains(t, body, `action="/search"`, `hx-get="/search/instant"`, `id="search-results"`)
	})
	t.Run("an invalid query is explained where it goes wrong", func(t *testing.T) {
		res, body := anna.get("/search?q=" + url.QueryEscape("printer stauts:open"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, body, "There is no filter stauts: — did you mean status:?", "<code>printer <mark>stauts:open</mark></code>")
		ru := "ru"
		if _, err := d.a.Directory.UpdateAgent(context.Background(), d.anna.ID, directory.AgentUpdate{Language: &ru}); err != nil {
			t.Fatal(err)
		}
		res, body = d.signIn(d.anna).get("/search?q=" + url.QueryEscape(`"не закрыта`))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, body, "Кавычка не закрыта", "<code><mark>&#34;не</mark> закрыта</code>")
	})

}
