package kb_test

import (
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/kb"
)

func TestRevisionsRestoreExactly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := kb.Draft{Language: "ru", Title: "Принтер не печатает — «Ошибка 0x80070005»",
			Body: "## Шаги\n\n1. Откройте *Устройства*  \n2. Удалите драйвер\t(см. ниже)\n\n```\nnet stop spooler\n```\n\n— Мария"}
		a := f.article(t, kb.Settings{Visibility: kb.Public}, first)
		second := kb.Draft{Language: "ru", Title: "Принтер не печатает", Body: "Перезагрузите компьютер."}
		a, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, a.Version, second)
		if err != nil {
			t.Fatal(err)
		}
		if a, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "ru"); err != nil {
			t.Fatal(err)
		}
		revs, err := f.kb.Revisions(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var published kb.Revision
		for _, r := range revs {
			if r.Action == kb.ActionPublished && r.Title == first.Title {
				published = r
			}
		}
		if published.ID == 0 || published.Body != first.Body || published.AgentName != "Ada Admin" {
			t.Fatalf("no revision with the first published text among %+v", revs)
		}

		t.Run("restore puts the old text back as the draft, byte for byte", func(t *testing.T) {
			a, err := f.kb.Restore(f.ctx, f.admin, a.ID, a.Version, published.ID)
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := a.Translation("ru")
			if tr.Title != second.Title || tr.DraftTitle != first.Title || tr.DraftBody != first.Body {
				t.Fatalf("after restore: published %q, draft %q / %q", tr.Title, tr.DraftTitle, tr.DraftBody)
			}
			if a, err = f.kb.Publish(f.ctx, f.admin, a.ID, a.Version, "ru"); err != nil {
				t.Fatal(err)
			}
			tr, _ = a.Translation("ru")
			if tr.Title != first.Title || tr.Body != first.Body {
				t.Errorf("published after restore:\n%q\nwant\n%q", tr.Body, first.Body)
			}
			revs, _ := f.kb.Revisions(f.ctx, a.ID)
			restored := revs[1]
			if restored.Action != kb.ActionRestored || restored.RestoredFrom == nil || *restored.RestoredFrom != published.ID {
				t.Errorf("the restore's own revision %+v", restored)
			}
		})

		t.Run("a diff shows what a revision changed", func(t *testing.T) {
			revs, _ := f.kb.Revisions(f.ctx, a.ID)
			var draft kb.Revision
			for _, r := range revs {
				if r.Action == kb.ActionDraft {
					draft = r
				}
			}
			prev, ok, err := f.kb.PreviousText(f.ctx, draft)
			if err != nil || !ok || prev.Body != first.Body {
				t.Fatalf("text before the draft: %+v %v %v", prev, ok, err)
			}
			lines := kb.Diff(prev.Body, draft.Body)
			var added, removed int
			for _, l := range lines {
				switch l.Op {
				case '+':
					added++
				case '-':
					removed++
				}
			}
			if added != 1 || removed != 10 {
				t.Errorf("diff: %d added, %d removed: %+v", added, removed, lines)
			}
		})

		t.Run("a deleted translation comes back from its revision", func(t *testing.T) {
			a, err := f.kb.SaveDraft(f.ctx, f.admin, a.ID, 0, kb.Draft{Language: "lv", Title: "Printeris nedrukā", Body: "Pārstartējiet."})
			if err != nil {
				t.Fatal(err)
			}
			if a, err = f.kb.DeleteTranslation(f.ctx, f.admin, a.ID, a.Version, "lv"); err != nil {
				t.Fatal(err)
			}
			if _, ok := a.Translation("lv"); ok {
				t.Fatal("the translation is still there")
			}
			revs, _ := f.kb.Revisions(f.ctx, a.ID)
			if revs[0].Action != kb.ActionDeleted || revs[0].Title != "Printeris nedrukā" {
				t.Fatalf("deletion revision %+v", revs[0])
			}
			a, err = f.kb.Restore(f.ctx, f.admin, a.ID, a.Version, revs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			tr, ok := a.Translation("lv")
			if !ok || tr.DraftTitle != "Printeris nedrukā" || tr.DraftBody != "Pārstartējiet." || tr.State() != kb.StateDraft {
				t.Errorf("restored translation %+v", tr)
			}
		})

		t.Run("a settings revision has no text to restore", func(t *testing.T) {
			a, _ := f.kb.FindArticle(f.ctx, a.ID)
			a, err := f.kb.UpdateSettings(f.ctx, f.admin, a.ID, a.Version, kb.Settings{Visibility: kb.Internal})
			if err != nil {
				t.Fatal(err)
			}
			revs, _ := f.kb.Revisions(f.ctx, a.ID)
			_, err = f.kb.Restore(f.ctx, f.admin, a.ID, a.Version, revs[0].ID)
			wantCode(t, err, apperr.Conflict, "")
			_, err = f.kb.Restore(f.ctx, f.admin, a.ID, a.Version, 999999)
			wantCode(t, err, apperr.NotFound, "")
		})
	})
}

func TestDiff(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"a\nb\nc", "a\nb\nc", "=a =b =c"},
		{"a\nb\nc", "a\nx\nc", "=a -b +x =c"},
		{"", "a\nb", "+a +b"},
		{"a\nb", "", "-a -b"},
		{"one\ntwo\nthree\nfour", "zero\none\nthree\nfour\nfive", "+zero =one -two =three =four +five"},
	} {
		var got []string
		for _, l := range kb.Diff(c.old, c.new) {
			op := string(l.Op)
			if l.Op == ' ' {
				op = "="
			}
			got = append(got, op+l.Text)
		}
		if join(got) != c.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", c.old, c.new, join(got), c.want)
		}
	}
}
