package attachment_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestAttach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, 1<<20)
		ada, bob, admin := f.agent(auth.RoleAgent), f.agent(auth.RoleAgent), f.agent(auth.RoleAdmin)
		attach := func(p auth.Principal, ticket, comment int64, ids ...int64) error {
			return d.Tx(f.ctx, func(tx *sql.Tx) error {
				return f.s.Attach(f.ctx, tx, p, ids, ticket, comment)
			})
		}
		refused := func(t *testing.T, err error, id int64) {
			t.Helper()
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != "attachment_ids" ||
				e.Message != fmt.Sprintf("attachment %d cannot be attached", id) {
				t.Errorf("err %v, want attachment_ids error about %d", err, id)
			}
		}
		unattached := func(t *testing.T, ids ...int64) {
			t.Helper()
			for _, id := range ids {
				a, err := f.s.Find(f.ctx, admin, id, viewer{})
				if err != nil || a.TicketID != nil || a.CommentID != nil {
					t.Errorf("attachment %d: %+v, %v; want unattached", id, a, err)
				}
			}
		}
		ticket, comment := f.ticket()

		t.Run("another agent's upload is refused", func(t *testing.T) {
			b := f.upload(bob, "bob.txt", "", "bob's")
			refused(t, attach(ada, ticket, comment, b.ID), b.ID)
			unattached(t, b.ID)
		})

		t.Run("nothing is half-attached when one id is bad", func(t *testing.T) {
			a := f.upload(ada, "a.txt", "", "a")
			b := f.upload(bob, "b.txt", "", "b")
			refused(t, attach(ada, ticket, comment, a.ID, b.ID), b.ID)
			refused(t, attach(ada, ticket, comment, a.ID, 999999), 999999)
			unattached(t, a.ID, b.ID)
		})

		t.Run("own uploads attach and list by comment", func(t *testing.T) {
			a := f.upload(ada, "1.txt", "", "one")
			b := f.upload(ada, "2.txt", "", "two")
			must(t, attach(ada, ticket, comment, b.ID, a.ID, a.ID))
			byComment, err := f.s.ForComments(f.ctx, d.R, []int64{comment, comment + 1000})
			must(t, err)
			got := byComment[comment]
			if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID || *got[0].TicketID != ticket {
				t.Errorf("ForComments %+v", byComment)
			}
			if _, ok := byComment[comment+1000]; ok {
				t.Error("comment without attachments listed")
			}

			t.Run("already attached is refused", func(t *testing.T) {
				other, otherComment := f.ticket()
				refused(t, attach(ada, other, otherComment, a.ID), a.ID)
				refused(t, attach(admin, other, otherComment, a.ID), a.ID)
			})
		})

		t.Run("an administrator may attach anyone's upload", func(t *testing.T) {
			b := f.upload(bob, "bob2.txt", "", "bob 2")
			must(t, attach(admin, ticket, 0, b.ID))
			got, err := f.s.Find(f.ctx, bob, b.ID, viewer{ticket: true})
			must(t, err)
			if got.TicketID == nil || *got.TicketID != ticket || got.CommentID != nil {
				t.Errorf("got %+v", got)
			}
		})
	})
}

func TestOpenPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, 1<<20)
		ada, bob, admin := f.agent(auth.RoleAgent), f.agent(auth.RoleAgent), f.agent(auth.RoleAdmin)
		ticket, comment := f.ticket()
		attached := f.upload(ada, "attached.txt", "", "attached")
		must(t, f.s.Attach(f.ctx, d.W, ada, []int64{attached.ID}, ticket, comment))
		loose := f.upload(ada, "loose.txt", "", "loose")

		tests := []struct {
			name string
			p    auth.Principal
			id   int64
			v    viewer
			ok   bool
		}{
			{"attached, ticket visible", bob, attached.ID, viewer{ticket: true}, true},
			{"attached, ticket hidden, even to its uploader", ada, attached.ID, viewer{}, false},
			{"unattached, its uploader", ada, loose.ID, viewer{}, true},
			{"unattached, another agent", bob, loose.ID, viewer{ticket: true}, false},
			{"unattached, an administrator", admin, loose.ID, viewer{}, true},
			{"no such attachment", admin, loose.ID + 1000, viewer{ticket: true}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a, file, err := f.s.Open(f.ctx, tt.p, tt.id, tt.v)
				if tt.ok {
					must(t, err)
					file.Close()
					if a.ID != tt.id {
						t.Errorf("opened %d, want %d", a.ID, tt.id)
					}
					return
				}
				if !apperr.Is(err, apperr.NotFound) || file != nil {
					t.Errorf("err %v, want not found", err)
				}
				if _, err := f.s.Find(f.ctx, tt.p, tt.id, tt.v); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("Find: err %v, want not found", err)
				}
			})
		}
	})
}

func TestPruneOrphans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, 1<<20)
		ada := f.agent(auth.RoleAgent)
		ticket, comment := f.ticket()
		exists := func(a attachment.Attachment) bool {
			_, err := os.Stat(filepath.Join(f.dir, a.SHA256[:2], a.SHA256[2:4], a.SHA256))
			return err == nil
		}

		kept := f.upload(ada, "kept.txt", "", "shared bytes")
		must(t, f.s.Attach(f.ctx, d.W, ada, []int64{kept.ID}, ticket, comment))
		sharing := f.upload(ada, "sharing.txt", "", "shared bytes")
		alone := f.upload(ada, "alone.txt", "", "nobody else has these")
		stray := filepath.Join(f.dir, "ab", "cd", "abcd"+strings.Repeat("0", 60))
		must(t, os.MkdirAll(filepath.Dir(stray), 0o750))
		must(t, os.WriteFile(stray, []byte("left by a crash"), 0o600))

		n, err := f.s.PruneOrphans(f.ctx, time.Now().Add(-time.Hour))
		must(t, err)
		if n != 0 || !exists(alone) {
			t.Fatalf("recent uploads pruned: n=%d", n)
		}
		n, err = f.s.PruneOrphans(f.ctx, time.Now().Add(time.Hour))
		must(t, err)
		if n != 2 {
			t.Errorf("pruned %d uploads, want 2", n)
		}
		if _, err := f.s.Find(f.ctx, ada, sharing.ID, viewer{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("pruned upload still found: %v", err)
		}
		if !exists(kept) || read(t, f.s, ada, kept.ID, viewer{ticket: true}) != "shared bytes" {
			t.Error("file of an attached row was removed")
		}
		if exists(alone) {
			t.Error("file of a pruned upload is still there")
		}
		if _, err := os.Stat(stray); !os.IsNotExist(err) {
			t.Errorf("stray file kept: %v", err)
		}

		t.Run("upload after prune re-creates the file", func(t *testing.T) {
			again := f.upload(ada, "again.txt", "", "nobody else has these")
			if read(t, f.s, ada, again.ID, viewer{}) != "nobody else has these" {
				t.Error("content lost")
			}
		})

		t.Run("no row ever points at a missing file under concurrent prune", func(t *testing.T) {
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := f.s.PruneOrphans(context.Background(), time.Now().Add(time.Hour)); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			var uploaders sync.WaitGroup
			for w := range 4 {
				uploaders.Go(func() {
					for i := range 15 {
						content := fmt.Sprintf("racing bytes %d", (i+w)%3)
						a, err := f.s.Upload(f.ctx, ada, "race.txt", "", strings.NewReader(content))
						if err != nil {
							t.Error(err)
							return
						}
						if _, err := f.s.Store(f.ctx, d.W, "race.txt", "", strings.NewReader(content), ticket, 0); err != nil {
							t.Error(err)
							return
						}
						if _, file, err := f.s.Open(f.ctx, ada, a.ID, viewer{}); err == nil {
							file.Close()
						} else if !apperr.Is(err, apperr.NotFound) { // pruned meanwhile is fine
							t.Errorf("upload %d: %v", a.ID, err)
						}
					}
				})
			}
			uploaders.Wait()
			close(stop)
			wg.Wait()
			list, err := f.s.ForTicket(f.ctx, d.R, ticket)
			must(t, err)
			for _, a := range list {
				if !exists(a) {
					t.Errorf("attachment %d points at a missing file", a.ID)
				}
			}
		})
	})
}
