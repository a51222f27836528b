package kb_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
)

// TestPortalVisibility tests the API the customer portal reads the
// knowledge base through: an internal article, a draft, or an article
// limited to other plans never appears, however it is asked for.
func TestPortalVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gold, silver := f.plan(t, "Gold"), f.plan(t, "Silver")
		cat, err := f.kb.CreateCategory(f.ctx, f.admin, kb.CategoryInput{Names: map[string]string{"en": "Network", "ru": "Сеть"}})
		if err != nil {
			t.Fatal(err)
		}
		pub := f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID},
			kb.Draft{Language: "en", Title: "Connect to Wi-Fi", Body: "Choose **Office**."})
		internal := f.article(t, kb.Settings{Visibility: kb.Internal, CategoryID: &cat.ID},
			kb.Draft{Language: "en", Title: "Wi-Fi controller password", Body: "Root password: hunter2"})
		goldOnly := f.article(t, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID, PlanIDs: []int64{gold}},
			kb.Draft{Language: "en", Title: "Wi-Fi for Gold clients", Body: "Priority line."})
		draft, err := f.kb.CreateArticle(f.ctx, f.admin, kb.NewArticle{Settings: kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID},
			Draft: kb.Draft{Language: "en", Title: "Wi-Fi 7 (coming soon)", Body: "Not yet."}})
		if err != nil {
			t.Fatal(err)
		}
		slug := func(a kb.Article) string { tr, _ := a.Translation("en"); return tr.Slug }
		img := f.fileOn(t, internal.ID, "secret.png")

		list := func(plan *int64, q string) string {
			t.Helper()
			items, total, err := f.kb.PublicArticles(f.ctx, kb.PublicFilter{Language: "en", PlanID: plan, Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.Title)
			}
			if total != len(items) {
				t.Errorf("total %d for %d items", total, len(items))
			}
			return strings.Join(out, ", ")
		}
		for _, c := range []struct {
			name string
			plan *int64
			want string
		}{
			{"a visitor or a customer without a plan", nil, "Connect to Wi-Fi"},
			{"a customer on Silver", &silver, "Connect to Wi-Fi"},
			{"a customer on Gold", &gold, "Connect to Wi-Fi, Wi-Fi for Gold clients"},
		} {
			t.Run(c.name+" lists only what they may read", func(t *testing.T) {
				if got := list(c.plan, ""); got != c.want {
					t.Errorf("listed %q, want %q", got, c.want)
				}
				if got := list(c.plan, "wi-fi"); got != c.want {
					t.Errorf("searched %q, want %q", got, c.want)
				}
				if got := list(c.plan, "password"); got != "" {
					t.Errorf("a search for the internal article finds %q", got)
				}
				cats, err := f.kb.PublicCategories(f.ctx, "en", c.plan)
				if err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(c.want, ",") + 1; len(cats) != 1 || cats[0].Articles != n {
					t.Errorf("categories %+v, want one with %d articles", cats, n)
				}
			})
		}

		t.Run("the page of an internal article, a draft or another plan's article is not found", func(t *testing.T) {
			for _, plan := range []*int64{nil, &silver, &gold} {
				_, err := f.kb.PublicArticle(f.ctx, slug(internal), plan)
				wantCode(t, err, apperr.NotFound, "")
				_, err = f.kb.PublicArticle(f.ctx, slug(draft), plan)
				wantCode(t, err, apperr.NotFound, "")
				_, _, err = f.kb.PublicFile(f.ctx, slug(internal), plan, img)
				wantCode(t, err, apperr.NotFound, "")
				_, _, err = f.kb.PublicFile(f.ctx, slug(pub), plan, img)
				wantCode(t, err, apperr.NotFound, "")
			}
			_, err := f.kb.PublicArticle(f.ctx, slug(goldOnly), &silver)
			wantCode(t, err, apperr.NotFound, "")
			_, err = f.kb.PublicArticle(f.ctx, slug(goldOnly), nil)
			wantCode(t, err, apperr.NotFound, "")
			page, err := f.kb.PublicArticle(f.ctx, slug(goldOnly), &gold)
			if err != nil || page.Title != "Wi-Fi for Gold clients" {
				t.Errorf("Gold reads %+v, %v", page, err)
			}
		})

		t.Run("an article made internal leaves the portal at once", func(t *testing.T) {
			a, err := f.kb.UpdateSettings(f.ctx, f.admin, pub.ID, 0, kb.Settings{Visibility: kb.Internal, CategoryID: &cat.ID})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.kb.PublicArticle(f.ctx, slug(pub), nil)
			wantCode(t, err, apperr.NotFound, "")
			if got := list(&gold, ""); got != "Wi-Fi for Gold clients" {
				t.Errorf("Gold lists %q", got)
			}
			if _, err := f.kb.UpdateSettings(f.ctx, f.admin, pub.ID, a.Version, kb.Settings{Visibility: kb.Public, CategoryID: &cat.ID}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("a plan-limited article whose plans are gone is shown to nobody", func(t *testing.T) {
			bronze := f.plan(t, "Bronze")
			a := f.article(t, kb.Settings{Visibility: kb.Public, PlanIDs: []int64{bronze}},
				kb.Draft{Language: "en", Title: "Bronze extras", Body: "…"})
			if err := f.dir.DeletePlan(f.ctx, bronze); err != nil {
				t.Fatal(err)
			}
			for _, plan := range []*int64{nil, &gold, &silver} {
				_, err := f.kb.PublicArticle(f.ctx, slug(a), plan)
				wantCode(t, err, apperr.NotFound, "")
			}
		})

		t.Run("a page shows its files and the other languages; an old address leads on", func(t *testing.T) {
			shot := f.fileOn(t, pub.ID, "office.png")
			a, err := f.kb.SaveDraft(f.ctx, f.admin, pub.ID, 0, kb.Draft{Language: "en", Title: "Connect to Wi-Fi",
				Body: "Choose **Office**.\n\n![the network list](" + kb.FileRef(shot) + ")\n\n![stolen](" + kb.FileRef(img) + ")",
				Slug: "wifi"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "en"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, 0, kb.Draft{Language: "ru", Title: "Подключение к Wi-Fi", Body: "Выберите сеть."}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.kb.Publish(f.ctx, f.admin, a.ID, 0, "ru"); err != nil {
				t.Fatal(err)
			}
			page, err := f.kb.PublicArticle(f.ctx, "connect-to-wi-fi", nil)
			if err != nil {
				t.Fatal(err)
			}
			if !page.Moved || page.Slug != "wifi" {
				t.Errorf("old address: %+v", page)
			}
			html := string(page.HTML)
			if !strings.Contains(html, `src="/portal/kb/wifi/files/`+itoa(shot)+`"`) ||
				strings.Contains(html, "files/"+itoa(img)) || len(page.Translations) != 1 || page.Translations[0].Language != "ru" {
				t.Errorf("page %s, translations %+v", html, page.Translations)
			}
			got, file, err := f.kb.PublicFile(f.ctx, "wifi", nil, shot)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(file)
			file.Close()
			if got.ID != shot || !bytes.Equal(body, pngBytes) {
				t.Errorf("file %+v, %d bytes", got, len(body))
			}
		})
	})
}

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// fileOn uploads an image and makes it a file of the article.
func (f *fixture) fileOn(t *testing.T, article int64, name string) int64 {
	t.Helper()
	up, err := f.files.Upload(f.ctx, f.admin, name, "image/png", bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.kb.AttachFiles(f.ctx, f.admin, article, []int64{up.ID}); err != nil {
		t.Fatal(err)
	}
	return up.ID
}
