package kb_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/search"
)

// BenchmarkPortalList measures the page the customer portal lists: 20
// public articles in one language for a customer of one plan, from 2,000
// articles (a quarter internal, a quarter limited to other plans), each in
// three languages.
func BenchmarkPortalList(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, plan := seedArticles(b, d, 2000)
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				items, _, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: kb.Languages[i%3], PlanID: &plan,
					Offset: (i % 10) * 20, Limit: 20})
				if err != nil || len(items) != 20 {
					b.Fatalf("%d items, %v", len(items), err)
				}
			})
		}
		rec.Report(b)
	})
}

// BenchmarkPortalListFallback measures the portal's list as readers see
// it: each article once, in the reader's language or another, over the
// same 2,000 articles, with the excerpts.
func BenchmarkPortalListFallback(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, plan := seedArticles(b, d, 2000)
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				items, _, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: kb.Languages[i%3], Fallback: true, PlanID: &plan,
					Offset: (i % 10) * 20, Limit: 20})
				if err != nil || len(items) != 20 {
					b.Fatalf("%d items, %v", len(items), err)
				}
			})
		}
		rec.Report(b)
	})
}

// BenchmarkPortalSuggestions measures the articles suggested while a
// customer types a new request's subject over the same 2,000 articles: by
// the title match of its words (without the search engine) and by the
// search engine's similarity.
func BenchmarkPortalSuggestions(b *testing.B) {
	eachEngine(b, func(b *testing.B, f *fixture, plan int64) {
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				items, err := f.kb.PublicSuggestions(f.ctx, kb.PublicFilter{Language: kb.Languages[i%3], PlanID: &plan,
					Q: fmt.Sprintf("my printer %d does not print since Monday", i%200)})
				if err != nil || len(items) == 0 {
					b.Fatalf("%d items, %v", len(items), err)
				}
			})
		}
		rec.Report(b)
	})
}

// BenchmarkAgentPicker measures the article picker's search on the
// ticket page, over the same 2,000 articles: a title match without the
// search engine, full text with it.
func BenchmarkAgentPicker(b *testing.B) {
	eachEngine(b, func(b *testing.B, f *fixture, _ int64) {
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				q := fmt.Sprintf("printer %d", i%200)
				var n int
				var err error
				if f.kb.HasFinder() {
					var list []kb.Found
					list, _, err = f.kb.Search(f.ctx, kb.Query{Text: q, Reader: kb.Reader{Agent: true}, Limit: 20})
					n = len(list)
				} else {
					var list []kb.Article
					list, _, err = f.kb.FindArticles(f.ctx, kb.Filter{Q: q, Published: true, Limit: 20})
					n = len(list)
				}
				if err != nil || n == 0 {
					b.Fatalf("%d found, %v", n, err)
				}
			})
		}
		rec.Report(b)
	})
}

// BenchmarkTicketSuggestions measures the articles the ticket page
// suggests for a ticket of a subject and a 60-word description, with the
// search engine, over the same 2,000 articles.
func BenchmarkTicketSuggestions(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, _ := seedArticles(b, d, 2000)
		withSearch(b, f)
		text := "Printer %d does not print\n" + strings.Repeat("Since Monday the office printer shows an error and the queue is stuck; ", 5)
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				list, err := f.kb.Suggest(f.ctx, fmt.Sprintf(text, i%200), kb.Query{Reader: kb.Reader{Agent: true}, Limit: 5})
				if err != nil || len(list) == 0 {
					b.Fatalf("%d suggested, %v", len(list), err)
				}
			})
		}
		rec.Report(b)
	})
}

// eachEngine runs a benchmark over 2,000 articles on both databases,
// without and with the search engine.
func eachEngine(b *testing.B, fn func(b *testing.B, f *fixture, plan int64)) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, plan := seedArticles(b, d, 2000)
		b.Run("title", func(b *testing.B) { fn(b, f, plan) })
		withSearch(b, f)
		b.Run("search", func(b *testing.B) { fn(b, f, plan) })
	})
}

// withSearch plugs the search engine into f's knowledge base, as app
// wires it, and indexes the articles.
func withSearch(b *testing.B, f *fixture) {
	b.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := search.NewService(f.d, log, job.NewQueue(f.d, log), f.dir, search.Config{})
	s.Register(search.NewArticleSource(s, f.kb))
	if err := s.Rebuild(f.ctx, nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRender measures turning a typical 4 KB article into sanitised
// HTML.
func BenchmarkRender(b *testing.B) {
	md := strings.Repeat("## Step\n\n1. Open **Devices** and choose the printer.\n2. Press *Remove*, then [reinstall](https://docs.example/p).\n\n"+
		"| Model | Driver |\n|---|---|\n| Kyocera | 8.2 |\n\n```\nnet stop spooler\n```\n\n", 16)
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		if len(kb.Render(md, nil)) == 0 {
			b.Fatal("empty")
		}
	}
}

func seedArticles(b *testing.B, d *db.DB, n int) (*fixture, int64) {
	b.Helper()
	f := newFixture(b, d)
	plan, other := f.plan(b, "Gold"), f.plan(b, "Silver")
	for i := range n {
		st := kb.Settings{Visibility: kb.Public}
		switch i % 4 {
		case 1:
			st.Visibility = kb.Internal
		case 2:
			st.PlanIDs = []int64{other}
		case 3:
			st.PlanIDs = []int64{plan}
		}
		a, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{Settings: st, Draft: kb.Draft{Language: "en",
			Title: fmt.Sprintf("Printer %d does not print", i), Body: "Turn it off and on."}})
		if err != nil {
			b.Fatal(err)
		}
		for _, lang := range kb.Languages {
			if lang != "en" {
				if a, err = f.kb.SaveDraft(f.ctx, f.admin, a.ID, 0, kb.Draft{Language: lang, Title: fmt.Sprintf("Принтер %d (%s)", i, lang),
					Body: "Выключите и включите."}); err != nil {
					b.Fatal(err)
				}
			}
			if a, err = f.kb.Publish(f.ctx, f.admin, a.ID, 0, lang); err != nil {
				b.Fatal(err)
			}
		}
	}
	return f, plan
}
