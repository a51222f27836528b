package attachment_test

import (
	"database/sql"
	"io"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestArticleFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, 1<<20)
		ada, bob, admin := f.agent(auth.RoleAgent), f.agent(auth.RoleAgent), f.agent(auth.RoleAdmin)
		article := f.article()
		toArticle := func(p auth.Principal, ids ...int64) error {
			return d.Tx(f.ctx, func(tx *sql.Tx) error { return f.s.AttachToArticle(f.ctx, tx, p, ids, article) })
		}
		ticket, comment := f.ticket()

		t.Run("an article's file is read by every agent, and by nobody else", func(t *testing.T) {
			a := f.upload(admin, "steps.png", "", "image")
			if err := toArticle(admin, a.ID); err != nil {
				t.Fatal(err)
			}
			for _, p := range []auth.Principal{ada, bob, admin} {
				if got, err := f.s.Find(f.ctx, p, a.ID, viewer{}); err != nil || got.ArticleID == nil || *got.ArticleID != article {
					t.Errorf("agent %d: %+v, %v", p.AgentID, got, err)
				}
			}
			if _, err := f.s.Find(f.ctx, auth.Principal{Role: auth.RoleAgent}, a.ID, viewer{}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("no agent: %v, want not found", err)
			}
			list, err := f.s.ForArticle(f.ctx, d.R, article)
			if err != nil || len(list) != 1 || list[0].ID != a.ID {
				t.Errorf("files of the article: %+v, %v", list, err)
			}
		})

		t.Run("a ticket's file never becomes an article's, nor the other way round", func(t *testing.T) {
			onTicket := f.upload(ada, "private.txt", "", "customer data")
			if err := d.Tx(f.ctx, func(tx *sql.Tx) error { return f.s.Attach(f.ctx, tx, ada, []int64{onTicket.ID}, ticket, comment) }); err != nil {
				t.Fatal(err)
			}
			if err := toArticle(admin, onTicket.ID); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("a ticket's file put on an article: %v", err)
			}
			if _, err := f.s.Find(f.ctx, bob, onTicket.ID, viewer{}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("bob, who may not see the ticket, reads its file: %v", err)
			}
			onArticle := f.upload(admin, "guide.txt", "", "guide")
			if err := toArticle(admin, onArticle.ID); err != nil {
				t.Fatal(err)
			}
			err := d.Tx(f.ctx, func(tx *sql.Tx) error { return f.s.Attach(f.ctx, tx, admin, []int64{onArticle.ID}, ticket, comment) })
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("an article's file moved onto a ticket: %v", err)
			}
			if _, _, err := f.s.OpenArticleFile(f.ctx, article, onTicket.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("the portal opens a ticket's file through the article: %v", err)
			}
		})

		t.Run("only one's own uploads are attached", func(t *testing.T) {
			b := f.upload(bob, "bob.txt", "", "bob's")
			if err := toArticle(ada, b.ID); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("ada attached bob's upload: %v", err)
			}
		})

		t.Run("the portal opens the article's own file; pruning keeps it", func(t *testing.T) {
			a := f.upload(admin, "kept.txt", "", "kept content")
			if err := toArticle(admin, a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.PruneOrphans(f.ctx, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got, file, err := f.s.OpenArticleFile(f.ctx, article, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(file)
			file.Close()
			if string(body) != "kept content" || got.ID != a.ID {
				t.Errorf("opened %+v: %q", got, body)
			}
			if _, _, err := f.s.OpenArticleFile(f.ctx, f.article(), a.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("another article opens it: %v", err)
			}
			if err := d.Tx(f.ctx, func(tx *sql.Tx) error { return f.s.RemoveFromArticle(f.ctx, tx, article, a.ID) }); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.OpenArticleFile(f.ctx, article, a.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a removed file opens: %v", err)
			}
		})
	})
}

// article inserts a knowledge-base article row.
func (f *fixture) article() int64 {
	f.t.Helper()
	var id int64
	must(f.t, f.d.W.QueryRowContext(f.ctx, `INSERT INTO kb_articles (visibility, created_at, updated_at)
		VALUES ('public', $1, $1) RETURNING id`, db.Now()).Scan(&id))
	return id
}
