package agent_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linedesk/internal/kb"
	"linedesk/internal/ticket"
)

var e2eMissing = regexp.MustCompile(`\[[a-z_]+\.[a-z0-9_.\-]+\]`)

// get fetches a page and returns its status and body.
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

// TestFirstLinePages opens every page of the knowledge base, scripts,
// canned responses and macros, as an administrator and as an agent, in
// every language, and finds each whole and translated.
func TestFirstLinePages(t *testing.T) {
	d := e2eStartApp(t)
	f := d.firstLine()
	tk := d.ticket("Мышь не работает", "Курсор не двигается", &d.line1.ID)
	pages := []string{"/kb", fmt.Sprintf("/kb/%d", f.wifi.ID), fmt.Sprintf("/kb/%d?lang=ru", f.wifi.ID),
		fmt.Sprintf("/tickets/%d", tk.ID), fmt.Sprintf("/tickets/%d/kb?q=wi", tk.ID), fmt.Sprintf("/tickets/%d/responses", tk.ID),
		fmt.Sprintf("/tickets/%d/scripts/%d", tk.ID, f.mouse.ID), fmt.Sprintf("/tickets/%d/scripts/%d?v=%d&p=0.0.1", tk.ID, f.mouse.ID, *f.mouse.VersionID),
		fmt.Sprintf("/tickets/%d/macros/%d", tk.ID, f.toNet.ID), fmt.Sprintf("/tickets/%d/macros/%d", tk.ID, f.badMacro.ID),
		"/replies", "/replies/new?kind=macro", fmt.Sprintf("/replies/%d", f.greeting.ID)}
	admin := []string{"/admin", "/admin/articles", "/admin/articles/new", fmt.Sprintf("/admin/articles/%d?lang=ru", f.wifi.ID),
		fmt.Sprintf("/admin/articles/%d/revisions", f.wifi.ID), "/admin/articles/usage", "/admin/categories",
		fmt.Sprintf("/admin/categories/%d", f.category.ID), "/admin/scripts", fmt.Sprintf("/admin/scripts/%d", f.mouse.ID),
		"/admin/responses", "/admin/macros", fmt.Sprintf("/admin/macros/%d", f.toNet.ID), "/admin/responses/new"}
	revs, err := d.app.KB.Revisions(t.Context(), f.wifi.ID)
	if err != nil {
		t.Fatal(err)
	}
	admin = append(admin, fmt.Sprintf("/admin/articles/%d/revisions/%d", f.wifi.ID, revs[0].ID))
	anna, adm := d.client(d.anna), d.client(d.admin)
	for _, lang := range []string{"en", "ru", "lv"} {
		for c, list := range map[*http.Client][]string{anna: pages, adm: append(admin, pages...)} {
			if _, _, res := post(t, c, d.base+"/profile", url.Values{"language": {lang}, "time_zone": {"Europe/Riga"}}); res.StatusCode >= 400 {
				t.Fatalf("set language: %d", res.StatusCode)
			}
			for _, p := range list {
				status, body := get(t, c, d.base+p)
				want := http.StatusOK
				if strings.Contains(p, fmt.Sprintf("/macros/%d", f.badMacro.ID)) && strings.HasPrefix(p, "/tickets") {
					want = http.StatusUnprocessableEntity
				}
				if status != want {
					t.Errorf("%s %s: status %d, want %d: %.300s", lang, p, status, want, body)
				}
				if m := e2eMissing.FindAllString(body, 3); len(m) > 0 {
					t.Errorf("%s %s: missing messages %v", lang, p, m)
				}
			}
		}
	}
}

func TestFirstLineOverHTTP(t *testing.T) {
	d := e2eStartApp(t)
	f := d.firstLine()
	anna := d.client(d.anna)

	t.Run("an article put into the reply is counted, and its link points at the portal", func(t *testing.T) {
		tk := d.ticket("Wi-Fi", "", &d.line1.ID)
		status, body, _ := post(t, anna, fmt.Sprintf("%s/tickets/%d/kb/%d/insert", d.base, tk.ID, f.wifi.ID),
			url.Values{"mode": {"link"}, "lang": {"ru"}})
		var in kb.Insertion
		if status != http.StatusOK || json.Unmarshal([]byte(body), &in) != nil {
			t.Fatalf("insert: %d %s", status, body)
		}
		if in.Text != "Подключение к офисному Wi-Fi: "+d.app.KB.PortalURL("podklyuchenie-k-ofisnomu-wi-fi") ||
			!strings.HasPrefix(in.Text, "Подключение к офисному Wi-Fi: http") || !strings.Contains(in.Text, "/portal/kb/") {
			t.Errorf("link %q", in.Text)
		}
		u, _ := d.app.KB.ArticleUsage(t.Context(), f.wifi.ID)
		if u.Inserted != 1 {
			t.Errorf("insertions %d", u.Inserted)
		}
		status, _, _ = post(t, anna, fmt.Sprintf("%s/tickets/%d/kb/%d/insert", d.base, tk.ID, f.internal.ID),
			url.Values{"mode": {"link"}, "lang": {"en"}})
		if status != http.StatusUnprocessableEntity {
			t.Errorf("a link to an internal article: %d", status)
		}
	})

	t.Run("a failing macro shows why and changes nothing", func(t *testing.T) {
		tk := d.ticket("Printer", "", &d.line1.ID)
		status, body, _ := post(t, anna, fmt.Sprintf("%s/tickets/%d/macros/%d", d.base, tk.ID, f.badMacro.ID),
			url.Values{"version": {fmt.Sprint(tk.Version)}, "body": {"This reply must never be sent."}})
		if status != http.StatusConflict || !strings.Contains(body, "is not a member of group") {
			t.Errorf("apply: %d %.400s", status, body)
		}
		got, _ := d.app.Tickets.FindTicket(t.Context(), d.as(d.admin), tk.ID)
		comments, _ := d.app.Tickets.Comments(t.Context(), d.as(d.admin), tk.ID)
		if got.Version != tk.Version || len(comments) != 0 {
			t.Errorf("the ticket changed: version %d, %d comments", got.Version, len(comments))
		}
	})

	t.Run("a macro applied from its preview replies and changes the ticket", func(t *testing.T) {
		tk := d.ticket("VPN", "", &d.line1.ID)
		_, body := get(t, anna, fmt.Sprintf("%s/tickets/%d/macros/%d", d.base, tk.ID, f.toNet.ID))
		for _, want := range []string{"Hello Мария, our network team takes " + ticket.Number(tk.Number) + " over now.",
			"Line 2 — Network", e2eIvanName} {
			if !strings.Contains(body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		_, _, res := post(t, anna, fmt.Sprintf("%s/tickets/%d/macros/%d", d.base, tk.ID, f.toNet.ID),
			url.Values{"version": {fmt.Sprint(tk.Version)}, "lang": {"ru"}, "body": {"Мария, заявкой займётся сетевой отдел."}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("apply: %d", res.StatusCode)
		}
		got, _ := d.app.Tickets.FindTicket(t.Context(), d.as(d.admin), tk.ID)
		if got.Line != 2 || *got.GroupID != d.line2.ID || got.Priority != ticket.PriorityHigh {
			t.Errorf("after the macro: %+v", got)
		}
	})
}
