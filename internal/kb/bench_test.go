package kb_test

import (
	"fmt"
	"strings"
	"testing"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
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
// customer types a new request's subject, by the title match of its words
// (until the search engine is plugged in), over the same 2,000 articles.
func BenchmarkPortalSuggestions(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, plan := seedArticles(b, d, 2000)
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

// BenchmarkAgentPicker measures the article picker's title match on the
// ticket page, over the same 2,000 articles.
func BenchmarkAgentPicker(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		f, _ := seedArticles(b, d, 2000)
		var rec benchutil.Recorder
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			rec.Time(func() {
				list, _, err := f.kb.FindArticles(f.ctx, kb.Filter{Q: fmt.Sprintf("printer %d", i%200), Published: true, Limit: 20})
				if err != nil || len(list) == 0 {
					b.Fatalf("%d found, %v", len(list), err)
				}
			})
		}
		rec.Report(b)
	})
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
