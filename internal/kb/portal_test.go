package kb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
)

// translate publishes another translation of an article.
func (f *fixture) translate(t *testing.T, a kb.Article, d kb.Draft) kb.Article {
	t.Helper()
	a, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, 0, d)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.kb.Publish(f.ctx, f.admin, a.ID, 0, d.Language); err != nil {
		t.Fatal(err)
	}
	return a
}

// listed writes a portal list as "title (language, fallback)" items.
func listed(items []kb.PublicSummary) string {
	var out []string
	for _, it := range items {
		s := it.Title + " (" + it.Language
		if it.Fallback {
			s += ", fallback"
		}
		out = append(out, s+")")
	}
	return strings.Join(out, "; ")
}

// TestPortalLanguageFallback: a reader is shown every article they may
// read once, in their language where it has a translation, else in
// another one, marked so; never an internal article, another plan's, or a
// draft.
func TestPortalLanguageFallback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gold := f.plan(t, "Gold")
		cat, err := f.kb.CreateCategory(f.ctx, f.admin, kb.CategoryInput{Names: map[string]string{"en": "Printing"}})
		if err != nil {
			t.Fatal(err)
		}
		both := f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID, Position: 1},
			kb.Draft{Language: "en", Title: "Printer prints blank pages", Body: "Replace the toner."})
		f.translate(t, both, kb.Draft{Language: "ru", Title: "Принтер печатает пустые листы", Body: "Замените тонер."})
		enOnly := f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID, Position: 2},
			kb.Draft{Language: "en", Title: "Scanner to e-mail", Body: "Press **Scan**."})
		// A Russian draft of it is not a translation a reader sees.
		if _, err := f.kb.SaveDraft(f.ctx, f.admin, enOnly.ID, 0, kb.Draft{Language: "ru", Title: "Черновик: сканер",
			Body: "DRAFT TEXT"}); err != nil {
			t.Fatal(err)
		}
		f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID, Position: 3},
			kb.Draft{Language: "lv", Title: "Printera draiveri", Body: "Lejupielādējiet."})
		f.article(t, kb.Settings{Visibility: kb.Internal, CategoryID: &cat.ID, Position: 4},
			kb.Draft{Language: "ru", Title: "Пароль принтера", Body: "admin/admin"})
		f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID, Position: 5, PlanIDs: []int64{gold}},
			kb.Draft{Language: "ru", Title: "Принтер для Gold", Body: "Выездной инженер."})

		list := func(lang string, plan *int64, q string, fallback bool) string {
			t.Helper()
			items, total, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: lang, PlanID: plan, Q: q, Fallback: fallback})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(items) {
				t.Errorf("total %d for %d items", total, len(items))
			}
			return listed(items)
		}
		for _, c := range []struct {
			name, lang, q string
			plan          *int64
			fallback      bool
			want          string
		}{
			{"a Russian reader gets each article once, in Russian where it is translated", "ru", "", nil, true,
				"Принтер печатает пустые листы (ru); Scanner to e-mail (en, fallback); Printera draiveri (lv, fallback)"},
			{"a Gold customer gets their plan's article too", "ru", "", &gold, true,
				"Принтер печатает пустые листы (ru); Scanner to e-mail (en, fallback); Printera draiveri (lv, fallback); Принтер для Gold (ru)"},
			{"an English reader falls back to Latvian before nothing", "en", "", nil, true,
				"Printer prints blank pages (en); Scanner to e-mail (en); Printera draiveri (lv, fallback)"},
			{"without fallback only the reader's language is listed", "ru", "", nil, false,
				"Принтер печатает пустые листы (ru)"},
			{"a search finds an article by its title in any language, shown in the reader's", "ru", "blank", nil, true,
				"Принтер печатает пустые листы (ru)"},
			{"a search never finds a draft's title", "ru", "черновик", nil, true, ""},
			{"a search never finds an internal article", "ru", "пароль", &gold, true, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := list(c.lang, c.plan, c.q, c.fallback); got != c.want {
					t.Errorf("got  %s\nwant %s", got, c.want)
				}
			})
		}

		t.Run("categories count what the fallback lists", func(t *testing.T) {
			for _, c := range []struct {
				plan     *int64
				fallback bool
				want     int
			}{{nil, true, 3}, {&gold, true, 4}, {nil, false, 1}} {
				get := f.kb.PublicCategories
				if c.fallback {
					get = f.kb.PublicCategoriesFallback
				}
				cats, err := get(f.ctx, "ru", c.plan)
				if err != nil {
					t.Fatal(err)
				}
				if len(cats) != 1 || cats[0].Articles != c.want {
					t.Errorf("plan %v fallback %v: categories %+v, want one of %d", c.plan, c.fallback, cats, c.want)
				}
			}
		})

		t.Run("the excerpt is the published text, never the draft", func(t *testing.T) {
			items, _, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: "ru", Fallback: true, Q: "scanner"})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Excerpt != "Press Scan." {
				t.Errorf("items %+v", items)
			}
		})

		t.Run("search engine hits are one per article, in the reader's language when it has one", func(t *testing.T) {
			f.kb.SetFinder(finder{hits: []kb.Hit{{ArticleID: both.ID, Language: "en", Snippet: "<mark>blank</mark> pages"},
				{ArticleID: enOnly.ID, Language: "en"}, {ArticleID: both.ID, Language: "ru", Snippet: "<mark>пустые</mark>"}}})
			defer f.kb.SetFinder(nil)
			items, _, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: "ru", Fallback: true, Q: "blank"})
			if err != nil {
				t.Fatal(err)
			}
			if got := listed(items); got != "Принтер печатает пустые листы (ru); Scanner to e-mail (en, fallback)" {
				t.Errorf("got %s", got)
			}
			if items[0].Snippet != "<mark>пустые</mark>" || items[0].Excerpt != "" || items[1].Excerpt != "Press Scan." {
				t.Errorf("snippets %+v", items)
			}
		})
	})
}

// TestDeflections: a visit of the new-request form counts each article's
// view once and one deflection at most; plain readings count every time;
// the usage report shows deflections beside the other numbers.
func TestDeflections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		toner := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Replace the toner"})
		paper := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Paper jams"})
		c, err := f.dir.CreateContact(f.ctx, directory.ContactInput{Name: "Ilze", Email: "ilze@client.example"})
		if err != nil {
			t.Fatal(err)
		}
		view := func(a kb.Article, visit string) {
			t.Helper()
			if err := f.kb.CountPortalView(f.ctx, kb.PortalView{ArticleID: a.ID, Language: "en", Visit: visit, ContactID: &c.ID}); err != nil {
				t.Fatal(err)
			}
		}
		deflect := func(a kb.Article, visit string) bool {
			t.Helper()
			ok, err := f.kb.Deflect(f.ctx, kb.PortalView{ArticleID: a.ID, Language: "en", Visit: visit, ContactID: &c.ID})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		usage := func(a kb.Article) kb.Usage {
			t.Helper()
			u, err := f.kb.ArticleUsage(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}

		view(toner, "visit-1")
		view(toner, "visit-1")
		view(paper, "visit-1")
		view(toner, "")
		view(toner, "")
		if u := usage(toner); u.Views != 3 {
			t.Errorf("toner: %d views, want one of the visit and two plain readings", u.Views)
		}
		if u := usage(paper); u.Views != 1 {
			t.Errorf("paper: %d views", u.Views)
		}

		if !deflect(toner, "visit-1") {
			t.Error("the first deflection of a visit was not counted")
		}
		if deflect(toner, "visit-1") || deflect(paper, "visit-1") {
			t.Error("one visit deflected twice")
		}
		if !deflect(paper, "visit-2") {
			t.Error("another visit's deflection was not counted")
		}
		if u := usage(toner); u.Deflected != 1 {
			t.Errorf("toner deflected %d requests", u.Deflected)
		}

		_, err = f.kb.Deflect(f.ctx, kb.PortalView{ArticleID: paper.ID, Language: "en"})
		wantCode(t, err, apperr.Invalid, "visit")
		if u := usage(paper); u.Deflected != 1 {
			t.Errorf("a refused deflection counted: %d", u.Deflected)
		}

		report, _, err := f.kb.UsageReport(f.ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64][2]int64{}
		for _, u := range report {
			got[u.Article.ID] = [2]int64{u.Views, u.Deflected}
		}
		if got[toner.ID] != [2]int64{3, 1} || got[paper.ID] != [2]int64{1, 1} {
			t.Errorf("report (views, deflected) %v", got)
		}

		forgotten, err := f.kb.ForgetVisitViews(f.ctx, time.Now().Add(time.Minute))
		if err != nil || forgotten != 2 {
			t.Errorf("forgot %d visit views, %v", forgotten, err)
		}
		if deflect(toner, "visit-1") {
			t.Error("a visit deflected again once its views were forgotten")
		}
		if u := usage(toner); u.Views != 3 || u.Deflected != 1 {
			t.Errorf("forgetting changed the counts: %+v", u)
		}
	})
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct{ name, md, want string }{
		{"headings, code and images are left out", "# Title\n\nOpen **Settings**.\n\n```\nnet stop\n```\n\n![shot](attachment:1)\n\nThen *Save*.",
			"Open Settings. Then Save."},
		{"links keep their text, not their target", "See [the guide](https://docs.example/x) or <https://docs.example/y>.",
			"See the guide or ."},
		{"raw HTML is dropped", "<script>alert(1)</script>\n\nSafe <b>text</b>.", "Safe text."},
		{"lists are words, tables are left out", "1. One\n2. Two\n\n| a | b |\n|---|---|\n| c | d |\n\nEnd.", "One Two End."},
		{"long text is cut at a word", strings.Repeat("Перезагрузите принтер ", 20), strings.TrimSpace(strings.Repeat("Перезагрузите принтер ", 3)) + " Перезагрузите…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := kb.Excerpt(c.md, 80); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestSnippetHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"replace the <mark>toner</mark>", "replace the <mark>toner</mark>"},
		{"<mark onclick=\"x()\">a</mark><script>alert(1)</script>b", "<mark>a</mark>b"},
		{"<img src=x onerror=alert(1)>&lt;b&gt; stays text", "&lt;b&gt; stays text"},
	} {
		if got := string(kb.SnippetHTML(c.in)); got != c.want {
			t.Errorf("SnippetHTML(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPublicSuggestions: while a customer types a subject, the articles
// they may read whose titles hold most of its words are suggested, at
// most five, each once; with the search engine, its suggestions are.
func TestPublicSuggestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gold := f.plan(t, "Gold")
		blank := f.article(t, kb.Settings{Visibility: kb.Public, Position: 2},
			kb.Draft{Language: "en", Title: "Printer prints blank pages"})
		f.translate(t, blank, kb.Draft{Language: "ru", Title: "Принтер печатает пустые страницы"})
		f.article(t, kb.Settings{Visibility: kb.Public, Position: 1}, kb.Draft{Language: "en", Title: "Install a printer driver"})
		f.article(t, kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "en", Title: "Printer admin password"})
		f.article(t, kb.Settings{Visibility: kb.Public, PlanIDs: []int64{gold}}, kb.Draft{Language: "en", Title: "Printer swap for Gold"})
		draft, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{Settings: kb.Settings{Visibility: kb.Public},
			Draft: kb.Draft{Language: "en", Title: "Printer draft"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			f.article(t, kb.Settings{Visibility: kb.Public, Position: 10 + i}, kb.Draft{Language: "en", Title: fmt.Sprintf("Pages %d", i)})
		}
		suggest := func(lang, text string, plan *int64) string {
			t.Helper()
			items, err := f.kb.PublicSuggestions(f.ctx, kb.PublicFilter{Language: lang, Q: text, PlanID: plan})
			if err != nil {
				t.Fatal(err)
			}
			return listed(items)
		}
		for _, c := range []struct {
			name, lang, text string
			plan             *int64
			want             string
		}{
			{"the title holding most words comes first", "en", "my printer prints blank pages since Monday", nil,
				"Printer prints blank pages (en); Install a printer driver (en); Pages 0 (en); Pages 1 (en); Pages 2 (en)"},
			{"words are matched whatever their ending, in the reader's language", "ru", "Принтера печатают пустые", nil,
				"Принтер печатает пустые страницы (ru)"},
			{"a reader of another language gets the article in theirs", "ru", "printer blank", nil,
				"Принтер печатает пустые страницы (ru); Install a printer driver (en, fallback)"},
			{"a plan's article only for the plan", "en", "printer swap", &gold,
				"Printer swap for Gold (en); Install a printer driver (en); Printer prints blank pages (en)"},
			{"never an internal article, a draft, or another plan's", "en", "printer password draft swap", nil,
				"Install a printer driver (en); Printer prints blank pages (en)"},
			{"short words find nothing", "en", "a pc is", nil, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := suggest(c.lang, c.text, c.plan); got != c.want {
					t.Errorf("got  %s\nwant %s", got, c.want)
				}
			})
		}
		t.Run("with the search engine its suggestions are taken, checked again", func(t *testing.T) {
			f.kb.SetFinder(finder{hits: []kb.Hit{{ArticleID: draft.ID, Language: "en"}, {ArticleID: blank.ID, Language: "en"},
				{ArticleID: blank.ID, Language: "ru"}}})
			defer f.kb.SetFinder(nil)
			if got := suggest("ru", "anything", nil); got != "Принтер печатает пустые страницы (ru)" {
				t.Errorf("got %s", got)
			}
		})
	})
}
