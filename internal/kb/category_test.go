package kb_test

import (
	"context"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
)

func TestCategories(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mk := func(parent *int64, pos int, en string) kb.Category {
			t.Helper()
			c, err := f.kb.CreateCategory(f.ctx, f.admin, kb.CategoryInput{ParentID: parent, Position: pos, Names: map[string]string{"en": en}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		hw := mk(nil, 2, "Hardware")
		sw := mk(nil, 1, "Software")
		mouse := mk(&hw.ID, 1, "Mice")
		printers := mk(&hw.ID, 0, "Printers")

		t.Run("they come in tree order, by position", func(t *testing.T) {
			all, err := f.kb.Categories(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range all {
				names = append(names, c.Name("ru"))
			}
			if got := join(names); got != "Software Hardware Printers Mice" {
				t.Errorf("order %q", got)
			}
		})

		t.Run("nesting is one level", func(t *testing.T) {
			_, err := f.kb.CreateCategory(f.ctx, f.admin, kb.CategoryInput{ParentID: &mouse.ID, Names: map[string]string{"en": "Wireless"}})
			wantCode(t, err, apperr.Invalid, "parent_id")
			_, err = f.kb.UpdateCategory(f.ctx, f.admin, hw.ID, kb.CategoryInput{ParentID: &sw.ID, Names: hw.Names})
			wantCode(t, err, apperr.Invalid, "parent_id")
			_, err = f.kb.UpdateCategory(f.ctx, f.admin, sw.ID, kb.CategoryInput{ParentID: &sw.ID, Names: sw.Names})
			wantCode(t, err, apperr.Invalid, "parent_id")
			_, err = f.kb.CreateCategory(f.ctx, f.admin, kb.CategoryInput{Names: map[string]string{"en": " "}})
			wantCode(t, err, apperr.Invalid, "names")
			_, err = f.kb.CreateCategory(f.ctx, f.anna, kb.CategoryInput{Names: map[string]string{"en": "Mine"}})
			wantCode(t, err, apperr.Forbidden, "")
		})

		t.Run("a category in use is not deleted", func(t *testing.T) {
			f.article(t, kb.Settings{CategoryID: &printers.ID}, kb.Draft{Language: "en", Title: "Paper jam"})
			wantCode(t, f.kb.DeleteCategory(f.ctx, f.admin, printers.ID), apperr.Conflict, "")
			wantCode(t, f.kb.DeleteCategory(f.ctx, f.admin, hw.ID), apperr.Conflict, "")
			if err := f.kb.DeleteCategory(f.ctx, f.admin, sw.ID); err != nil {
				t.Fatal(err)
			}
			_, err := f.kb.FindCategory(f.ctx, sw.ID)
			wantCode(t, err, apperr.NotFound, "")
		})
	})
}

func TestSearchIndexOutbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		last := func() int64 {
			changes, err := f.kb.Changes(f.ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) == 0 {
				return 0
			}
			return changes[len(changes)-1].Seq
		}
		a := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Printer", Body: "**Turn** it on."})

		t.Run("every change is in the outbox, a refused one is not", func(t *testing.T) {
			seq := last()
			if _, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, 0, kb.Draft{Language: "ru", Title: "Принтер", Body: "Включите."}); err != nil {
				t.Fatal(err)
			}
			_, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, 1, kb.Draft{Language: "ru", Title: "Stale"})
			wantCode(t, err, apperr.Conflict, "version")
			changes, _ := f.kb.Changes(f.ctx, seq, 100)
			if len(changes) != 1 || changes[0].ArticleID != a.ID {
				t.Errorf("changes after %d: %+v", seq, changes)
			}
		})

		t.Run("documents are the published translations, as plain text", func(t *testing.T) {
			docs, err := f.kb.Documents(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].Language != "en" || docs[0].Text != "Turn it on." || docs[0].Visibility != kb.Public {
				t.Errorf("documents %+v", docs)
			}
		})

		t.Run("a deleted article has no documents; the index is told", func(t *testing.T) {
			seq := last()
			if err := f.kb.DeleteArticle(f.ctx, f.admin, a.ID); err != nil {
				t.Fatal(err)
			}
			changes, _ := f.kb.Changes(f.ctx, seq, 100)
			docs, err := f.kb.Documents(f.ctx, a.ID)
			if len(changes) != 1 || changes[0].ArticleID != a.ID || err != nil || len(docs) != 0 {
				t.Errorf("changes %+v, documents %+v, %v", changes, docs, err)
			}
			if err := f.kb.ForgetChanges(f.ctx, last()); err != nil {
				t.Fatal(err)
			}
			if rest, _ := f.kb.Changes(f.ctx, 0, 100); len(rest) != 0 {
				t.Errorf("left after forgetting: %+v", rest)
			}
		})
	})
}

// finder is a search engine that answers with fixed hits, to check what
// the knowledge base does with them.
type finder struct{ hits []kb.Hit }

func (f finder) FindArticles(context.Context, kb.Query) ([]kb.Hit, int, error) {
	return f.hits, len(f.hits), nil
}

func (f finder) SimilarArticles(context.Context, string, kb.Query) ([]kb.Hit, error) {
	return f.hits, nil
}

func TestSearchEngineHitsAreCheckedAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		_, err := f.kb.Suggest(f.ctx, "printer", kb.Query{Reader: kb.Reader{Agent: true}})
		wantCode(t, err, apperr.Conflict, "")
		pub := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Public"})
		internal := f.article(t, kb.Settings{Visibility: kb.Internal}, kb.Draft{Language: "en", Title: "Internal"})
		f.kb.SetFinder(finder{hits: []kb.Hit{{ArticleID: internal.ID, Language: "en", Snippet: "<mark>x</mark>"},
			{ArticleID: pub.ID, Language: "en"}, {ArticleID: pub.ID, Language: "ru"}, {ArticleID: 9999, Language: "en"}}})
		customer, _, err := f.kb.Search(f.ctx, kb.Query{Text: "x", Reader: kb.Reader{}})
		if err != nil {
			t.Fatal(err)
		}
		if titles(customer) != "Public" {
			t.Errorf("a customer gets %q", titles(customer))
		}
		agent, err := f.kb.Suggest(f.ctx, "x", kb.Query{Reader: kb.Reader{Agent: true}})
		if err != nil {
			t.Fatal(err)
		}
		if titles(agent) != "Internal, Public" || agent[0].Snippet != "<mark>x</mark>" {
			t.Errorf("an agent gets %q", titles(agent))
		}
	})
}
