package kb_test

import (
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
)

func TestArticleLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)

		t.Run("a draft is seen by nobody until published; a pending edit leaves the published text", func(t *testing.T) {
			a, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{
				Settings: kb.Settings{Visibility: kb.Public},
				Draft:    kb.Draft{Language: "en", Title: "VPN keeps disconnecting", Body: "1. Restart the client."}})
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := a.Translation("en")
			if tr.State() != kb.StateDraft || tr.Slug != "vpn-keeps-disconnecting" {
				t.Fatalf("new translation %+v", tr)
			}
			if found, _, _ := f.kb.Search(f.ctx, kb.Query{Reader: kb.Reader{Agent: true}, Text: "vpn"}); len(found) != 0 {
				t.Errorf("a draft is found: %s", titles(found))
			}
			a, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "en")
			if err != nil {
				t.Fatal(err)
			}
			a, err = f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version, kb.Draft{Language: "en", Title: "VPN drops every hour",
				Body: "1. Update the client."})
			if err != nil {
				t.Fatal(err)
			}
			tr, _ = a.Translation("en")
			if tr.State() != kb.StateChanged || tr.Title != "VPN keeps disconnecting" || tr.DraftTitle != "VPN drops every hour" {
				t.Fatalf("after a draft edit: %+v", tr)
			}
			found, _, _ := f.kb.Search(f.ctx, kb.Query{Reader: kb.Reader{Agent: true}, Text: "VPN"})
			if titles(found) != "VPN keeps disconnecting" {
				t.Errorf("agents find %q, want the published title", titles(found))
			}
			a, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "en")
			if err != nil {
				t.Fatal(err)
			}
			tr, _ = a.Translation("en")
			if tr.State() != kb.StatePublished || tr.Title != "VPN drops every hour" || tr.Body != "1. Update the client." {
				t.Errorf("published: %+v", tr)
			}
			_, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "en")
			wantCode(t, err, apperr.Conflict, "")
		})

		t.Run("translations share the article; each has its own address", func(t *testing.T) {
			a := f.article(t, kb.Settings{Visibility: kb.Public}, kb.Draft{Language: "en", Title: "Mouse does not work", Body: "Check the cable."})
			a, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version, kb.Draft{Language: "ru", Title: "Мышь не работает", Body: "Проверьте кабель."})
			if err != nil {
				t.Fatal(err)
			}
			a, err = f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version, kb.Draft{Language: "lv", Title: "Pele nestrādā", Body: "Pārbaudiet vadu.",
				Slug: "pele-nestrada"})
			if err != nil {
				t.Fatal(err)
			}
			ru, _ := a.Translation("ru")
			lv, _ := a.Translation("lv")
			if len(a.Translations) != 3 || ru.Slug != "mysh-ne-rabotaet" || lv.Slug != "pele-nestrada" {
				t.Errorf("translations %+v", a.Translations)
			}
			b, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{Draft: kb.Draft{Language: "ru", Title: "Мышь не работает"}})
			if err != nil {
				t.Fatal(err)
			}
			if tr, _ := b.Translation("ru"); tr.Slug != "mysh-ne-rabotaet-2" {
				t.Errorf("a second article with the same title gets %q", tr.Slug)
			}
			_, err = f.kb.SaveDraft(f.ctx, f.admin, b.ID, b.Version, kb.Draft{Language: "ru", Title: "Мышь", Slug: "pele-nestrada"})
			wantCode(t, err, apperr.Invalid, "slug")
			_, err = f.kb.SaveDraft(f.ctx, f.admin, b.ID, 0, kb.Draft{Language: "ru", Title: "Мышь", Slug: "Мышь"})
			wantCode(t, err, apperr.Invalid, "slug")
			_, err = f.kb.SaveDraft(f.ctx, f.admin, b.ID, 0, kb.Draft{Language: "de", Title: "Maus"})
			wantCode(t, err, apperr.Invalid, "language")
			_, err = f.kb.DeleteTranslation(f.ctx, f.admin, b.ID, 0, "ru")
			wantCode(t, err, apperr.Conflict, "")
		})

		t.Run("a stale edit, bad input or an agent changes nothing", func(t *testing.T) {
			a := f.article(t, kb.Settings{}, kb.Draft{Language: "en", Title: "Printer offline", Body: "Turn it on."})
			before := f.count(t, `SELECT count(*) FROM kb_revisions WHERE article_id = $1`, a.ID)
			_, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version-1, kb.Draft{Language: "en", Title: "Stale", Body: "x"})
			wantCode(t, err, apperr.Conflict, "version")
			_, err = f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version, kb.Draft{Language: "en", Title: " ", Body: "x"})
			wantCode(t, err, apperr.Invalid, "title")
			_, err = f.kb.SaveDraft(f.ctx, f.anna, a.ID, a.Version, kb.Draft{Language: "en", Title: "Mine", Body: "x"})
			wantCode(t, err, apperr.Forbidden, "")
			_, err = f.kb.UpdateSettings(f.ctx, f.admin, a.ID, a.Version, kb.Settings{Visibility: "secret"})
			wantCode(t, err, apperr.Invalid, "visibility")
			_, err = f.kb.UpdateSettings(f.ctx, f.admin, a.ID, a.Version, kb.Settings{PlanLimited: true})
			wantCode(t, err, apperr.Invalid, "plan_ids")
			_, err = f.kb.UpdateSettings(f.ctx, f.admin, a.ID, a.Version, kb.Settings{CategoryID: ptr(int64(999))})
			wantCode(t, err, apperr.Invalid, "category_id")
			got, _ := f.kb.FindArticle(f.ctx, a.ID)
			tr, _ := got.Translation("en")
			if got.Version != a.Version || tr.Title != "Printer offline" || tr.HasDraft || got.Visibility != kb.Internal ||
				f.count(t, `SELECT count(*) FROM kb_revisions WHERE article_id = $1`, a.ID) != before {
				t.Errorf("refused edits changed the article: %+v", got)
			}
		})

		t.Run("settings changes are in the history with who made them", func(t *testing.T) {
			plan := f.plan(t, "Gold")
			a := f.article(t, kb.Settings{}, kb.Draft{Language: "en", Title: "Backup restore", Body: "Ask line 2."})
			a, err := f.kb.UpdateSettings(f.ctx, f.admin, a.ID, a.Version, kb.Settings{Visibility: kb.Public, PlanIDs: []int64{plan}})
			if err != nil {
				t.Fatal(err)
			}
			if !a.PlanLimited || len(a.PlanIDs) != 1 || a.Visibility != kb.Public {
				t.Fatalf("settings %+v", a)
			}
			revs, err := f.kb.Revisions(f.ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := revs[0]
			if last.Action != kb.ActionSettings || last.AgentName != "Ada Admin" || len(last.Changes) != 2 ||
				last.Changes[0] != (kb.SettingChange{Field: "visibility", From: "internal", To: "public"}) ||
				last.Changes[1].Field != "plan_ids" || last.Changes[1].To != itoa(plan) {
				t.Errorf("last revision %+v", last)
			}
			var actions []string
			for _, r := range revs {
				actions = append(actions, r.Action)
			}
			if want := "settings published created"; join(actions) != want {
				t.Errorf("history %q, want %q", join(actions), want)
			}
		})
	})
}
