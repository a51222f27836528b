package search_test

import (
	"context"
	"strings"
	"testing"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/search"
)

// kbEnv is the search with the knowledge base plugged in, as app wires
// it, and a few published articles.
type kbEnv struct {
	*env
	kb                       *kb.Service
	printer, password, vpn   kb.Article
	premium                  int64 // the plan the VPN article is limited to
	agent, customer, premier kb.Reader
}

func newKBEnv(t *testing.T, d *db.DB) *kbEnv {
	t.Helper()
	e := &kbEnv{env: newEnv(t, d)}
	e.kb = kb.NewService(d, quietLog(), attachment.NewService(d, t.TempDir(), 1<<20), e.tickets, kb.Config{BaseURL: "https://help.example"})
	e.search.Register(search.NewArticleSource(e.search, e.kb))
	plan, err := e.dir.CreatePlan(context.Background(), directory.PlanInput{Name: "Premium"})
	if err != nil {
		t.Fatal(err)
	}
	e.premium = plan.ID
	e.printer = e.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "ru", Title: "Принтеры перестали печатать",
		Body: "Проверьте картридж и **очередь печати**, затем перезапустите службу печати."})
	e.printer = e.translate(t, e.printer, kb.Draft{Language: "en", Title: "The printer stopped printing",
		Body: "Check the cartridge and the print queue, then restart the print spooler."})
	e.password = e.article(t, kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "lv", Title: "Kā atiestatīt paroli",
		Body: "Parole jāmaina domēna kontrolierī; lietotājam jāpiesakās no jauna."})
	e.vpn = e.article(t, kb.Settings{Visibility: kb.Public, PlanLimited: true, PlanIDs: []int64{plan.ID}},
		kb.Draft{Language: "en", Title: "Connecting to the office VPN", Body: "Install the VPN client and sign in with your domain password."})
	e.settle(t)
	e.agent, e.premier = kb.Reader{Agent: true}, kb.Reader{PlanID: &e.premium}
	return e
}

func (e *kbEnv) article(t *testing.T, st kb.Settings, d kb.Draft) kb.Article {
	t.Helper()
	a, err := e.kb.CreateArticle(context.Background(), e.admin, kb.NewArticle{Settings: st, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.kb.Publish(context.Background(), e.admin, a.ID, a.Version, d.Language); err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *kbEnv) translate(t *testing.T, a kb.Article, d kb.Draft) kb.Article {
	t.Helper()
	a, err := e.kb.SaveDraft(context.Background(), e.admin, a.ID, a.Version, d)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.kb.Publish(context.Background(), e.admin, a.ID, a.Version, d.Language); err != nil {
		t.Fatal(err)
	}
	return a
}

// found searches the knowledge base and names the hits "id/lang".
func (e *kbEnv) found(t *testing.T, r kb.Reader, text string, langs ...string) []string {
	t.Helper()
	list, total, err := e.kb.Search(context.Background(), kb.Query{Text: text, Reader: r, Languages: langs})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	if total < len(list) {
		t.Errorf("search %q: total %d for %d hits", text, total, len(list))
	}
	return foundNames(list)
}

func foundNames(list []kb.Found) []string {
	out := []string{}
	for _, f := range list {
		out = append(out, f.Translation.Title+"/"+f.Translation.Language)
	}
	return out
}

func wantFound(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("%s: found %q, want %q", what, got, want)
	}
}

// TestArticleSearch: the knowledge base's search runs on the index and
// understands inflections in each language; a customer finds public
// articles only, and articles limited to plans only under one of them.
func TestArticleSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newKBEnv(t, d)
		customer := kb.Reader{}
		wantFound(t, "inflected Russian", e.found(t, e.agent, "принтер не печатает"), "Принтеры перестали печатать/ru")
		wantFound(t, "English", e.found(t, customer, "printers"), "The printer stopped printing/en")
		wantFound(t, "Latvian paroli→parole", e.found(t, e.agent, "parole"), "Kā atiestatīt paroli/lv")
		wantFound(t, "an internal article for a customer", e.found(t, customer, "paroli"))
		wantFound(t, "a plan's article without the plan", e.found(t, customer, "vpn"))
		wantFound(t, "a plan's article under the plan", e.found(t, e.premier, "vpn"), "Connecting to the office VPN/en")
		wantFound(t, "only English", e.found(t, e.agent, "принтер", "en"))
		wantFound(t, "only Russian", e.found(t, e.agent, "принтер", "ru"), "Принтеры перестали печатать/ru")
		wantFound(t, "an unpaired quote is searched as words", e.found(t, e.agent, `"print queue`), "The printer stopped printing/en")
		wantFound(t, "syntax only", e.found(t, e.agent, `"" -`))

		list, _, _ := e.kb.Search(context.Background(), kb.Query{Text: "картридж", Reader: customer})
		if len(list) != 1 || !strings.Contains(list[0].Snippet, "<mark>картридж</mark>") {
			t.Errorf("snippet of картридж: %+v", list)
		}

		// Unpublished and deleted articles leave the index.
		if _, err := e.kb.Unpublish(context.Background(), e.admin, e.printer.ID, e.printer.Version, "ru"); err != nil {
			t.Fatal(err)
		}
		if err := e.kb.DeleteArticle(context.Background(), e.admin, e.password.ID); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		wantFound(t, "unpublished Russian", e.found(t, e.agent, "принтер"))
		wantFound(t, "English still published", e.found(t, e.agent, "printer"), "The printer stopped printing/en")
		wantFound(t, "deleted", e.found(t, e.agent, "parole"))
		// A plan-limited article made public to all reaches every customer.
		if _, err := e.kb.UpdateSettings(context.Background(), e.admin, e.vpn.ID, e.vpn.Version, kb.Settings{Visibility: kb.Public}); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		wantFound(t, "no longer limited", e.found(t, customer, "vpn"), "Connecting to the office VPN/en")

		// A rebuild finds the same, and walks each published translation once.
		var last search.Progress
		if err := e.search.Rebuild(context.Background(), func(p search.Progress) { last = p }); err != nil {
			t.Fatal(err)
		}
		if last.Done != last.Total {
			t.Errorf("the rebuild did %d of %d documents", last.Done, last.Total)
		}
		wantFound(t, "after a rebuild", e.found(t, e.agent, "printer"), "The printer stopped printing/en")
		wantFound(t, "after a rebuild, Russian", e.found(t, e.agent, "принтер"))
	})
}

// TestArticleSuggestions: a ticket's text suggests the articles that
// share its words, in the reader's reach; a text sharing one common word
// suggests nothing, but a short subject may share one.
func TestArticleSuggestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newKBEnv(t, d)
		suggest := func(r kb.Reader, text string) []string {
			t.Helper()
			list, err := e.kb.Suggest(context.Background(), text, kb.Query{Reader: r, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			return foundNames(list)
		}
		ticket := "Принтер в бухгалтерии перестал печатать\nДокументы висят в очереди печати, картридж новый."
		wantFound(t, "a printer ticket", suggest(e.agent, ticket), "Принтеры перестали печатать/ru")
		wantFound(t, "a password ticket", suggest(e.agent, "Nevaru pieslēgties, aizmirsu paroli. Lūdzu atiestatīt."),
			"Kā atiestatīt paroli/lv")
		wantFound(t, "an internal article for a customer", suggest(kb.Reader{}, "Aizmirsu paroli, lūdzu atiestatīt"))
		wantFound(t, "one common word", suggest(e.agent, "The office chair is broken and the desk lamp flickers"))
		wantFound(t, "nothing to go on", suggest(e.agent, "и в на"))
		wantFound(t, "a short subject", suggest(e.premier, "VPN"), "Connecting to the office VPN/en")
		got := suggest(e.premier, "VPN client does not connect, my domain password is refused")
		wantFound(t, "a VPN ticket under the plan", got, "Connecting to the office VPN/en")
	})
}
