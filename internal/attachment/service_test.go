package attachment_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// fixture is a service on a real database and a real directory.
type fixture struct {
	t   *testing.T
	ctx context.Context
	d   *db.DB
	s   *attachment.Service
	dir string
	seq int
}

func newFixture(t *testing.T, d *db.DB, maxBytes int64) *fixture {
	dir := filepath.Join(t.TempDir(), "attachments")
	return &fixture{t: t, ctx: context.Background(), d: d, s: attachment.NewService(d, dir, maxBytes), dir: dir}
}

// agent inserts an agent and returns it as a principal.
func (f *fixture) agent(role auth.Role) auth.Principal {
	f.t.Helper()
	f.seq++
	var id int64
	err := f.d.W.QueryRowContext(f.ctx, `
		INSERT INTO agents (name, email, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
		fmt.Sprintf("Agent %d", f.seq), fmt.Sprintf("agent%d@example.com", f.seq), role, db.Now()).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return auth.Principal{AgentID: id, Role: role}
}

// ticket inserts a ticket (with its requester) and one comment on it.
func (f *fixture) ticket() (ticketID, commentID int64) {
	f.t.Helper()
	f.seq++
	now := db.Now()
	var contact int64
	must(f.t, f.d.W.QueryRowContext(f.ctx, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('Client', $1, $1) RETURNING id`, now).Scan(&contact))
	must(f.t, f.d.W.QueryRowContext(f.ctx, `
		INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, created_at, updated_at)
		VALUES ($1, 'Printer', 'new', 'normal', 'question', 'api', $2, $3, $3) RETURNING id`, 5000+f.seq, contact, now).Scan(&ticketID))
	must(f.t, f.d.W.QueryRowContext(f.ctx, `
		INSERT INTO comments (ticket_id, author_type, body, public, channel, created_at)
		VALUES ($1, 'agent', 'see attached', TRUE, 'api', $2) RETURNING id`, ticketID, now).Scan(&commentID))
	return ticketID, commentID
}

func (f *fixture) upload(p auth.Principal, name, typ, content string) attachment.Attachment {
	f.t.Helper()
	a, err := f.s.Upload(f.ctx, p, name, typ, strings.NewReader(content))
	if err != nil {
		f.t.Fatalf("upload %s: %v", name, err)
	}
	return a
}

// files lists every file under the attachments directory, temporary
// files included.
func (f *fixture) files() []string {
	f.t.Helper()
	var out []string
	err := filepath.WalkDir(f.dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	must(f.t, f.d.R.QueryRowContext(f.ctx, query, args...).Scan(&n))
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// viewer is a TicketViewer that shows exactly the listed tickets.
type viewer map[int64]bool

func (v viewer) CanViewTicket(_ context.Context, _ auth.Principal, id int64) error {
	if v[id] {
		return nil
	}
	return apperr.NotFoundf("ticket %d not found", id)
}

func read(t *testing.T, s *attachment.Service, p auth.Principal, id int64, v attachment.TicketViewer) string {
	t.Helper()
	_, f, err := s.Open(context.Background(), p, id, v)
	if err != nil {
		t.Fatalf("open %d: %v", id, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	must(t, err)
	return string(b)
}

func TestStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, 1024)
		ada := f.agent(auth.RoleAgent)

		t.Run("round trip", func(t *testing.T) {
			a := f.upload(ada, "report.pdf", "application/pdf", "%PDF-1.7\nbody")
			if a.ID == 0 || a.Filename != "report.pdf" || a.Size != 13 || a.ContentType != "application/pdf" ||
				a.TicketID != nil || a.CommentID != nil || len(a.SHA256) != 64 {
				t.Errorf("got %+v", a)
			}
			got, err := f.s.Find(f.ctx, ada, a.ID, viewer{})
			must(t, err)
			if got.Filename != a.Filename || got.SHA256 != a.SHA256 || !got.CreatedAt.Equal(a.CreatedAt) {
				t.Errorf("found %+v, want %+v", got, a)
			}
			if body := read(t, f.s, ada, a.ID, viewer{}); body != "%PDF-1.7\nbody" {
				t.Errorf("content %q", body)
			}
		})

		t.Run("same bytes are stored once", func(t *testing.T) {
			before := len(f.files())
			a := f.upload(ada, "one.txt", "text/plain", "same bytes")
			b := f.upload(ada, "two.txt", "text/plain", "same bytes")
			if a.ID == b.ID || a.SHA256 != b.SHA256 {
				t.Errorf("a %+v, b %+v", a, b)
			}
			if n := len(f.files()) - before; n != 1 {
				t.Errorf("%d new files on disk, want 1: %v", n, f.files())
			}
			if read(t, f.s, ada, b.ID, viewer{}) != "same bytes" {
				t.Error("second upload does not read back")
			}
		})

		t.Run("over the limit leaves no row and no file", func(t *testing.T) {
			g := newFixture(t, d, 1024)
			_, err := g.s.Upload(g.ctx, ada, "big.bin", "", bytes.NewReader(make([]byte, 1025)))
			if code := apperr.CodeOf(err); code != apperr.TooLarge {
				t.Fatalf("err %v, want too_large", err)
			}
			if e := apperr.As(err); e.Message != "file is over 1 KB" {
				t.Errorf("message %q", e.Message)
			}
			if n := g.count(`SELECT count(*) FROM attachments WHERE filename = 'big.bin'`); n != 0 {
				t.Errorf("%d rows", n)
			}
			if files := g.files(); len(files) != 0 {
				t.Errorf("files left: %v", files)
			}
			if _, err := g.s.Upload(g.ctx, ada, "exact.bin", "", bytes.NewReader(make([]byte, 1024))); err != nil {
				t.Errorf("exactly the limit refused: %v", err)
			}
		})

		t.Run("Cyrillic name kept, path stripped", func(t *testing.T) {
			a := f.upload(ada, `C:\Documents\Иван\Отчёт за май.txt`, "text/plain", "привет")
			if a.Filename != "Отчёт за май.txt" {
				t.Errorf("filename %q", a.Filename)
			}
			got, err := f.s.Find(f.ctx, ada, a.ID, viewer{})
			must(t, err)
			if got.Filename != "Отчёт за май.txt" {
				t.Errorf("stored filename %q", got.Filename)
			}
		})

		t.Run("HTML declared as PNG is not inline", func(t *testing.T) {
			a := f.upload(ada, "cat.png", "image/png", "<html><script>alert(document.cookie)</script></html>")
			if a.Inline() || strings.HasPrefix(a.ContentType, "image/") {
				t.Errorf("stored as %q, inline %v", a.ContentType, a.Inline())
			}
			png := f.upload(ada, "real.png", "image/png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			if !png.Inline() || png.ContentType != "image/png" {
				t.Errorf("real PNG stored as %q, inline %v", png.ContentType, png.Inline())
			}
		})

		t.Run("system intake is attached straight away", func(t *testing.T) {
			ticket, comment := f.ticket()
			err := d.Tx(f.ctx, func(tx *sql.Tx) error {
				_, err := f.s.Store(f.ctx, tx, "scan.pdf", "application/pdf", strings.NewReader("%PDF-1.4 scan"), ticket, comment)
				return err
			})
			must(t, err)
			a, err := f.s.Store(f.ctx, d.W, "", "", strings.NewReader("no comment"), ticket, 0)
			must(t, err)
			if a.Filename != "attachment" || a.CommentID != nil || a.TicketID == nil || *a.TicketID != ticket {
				t.Errorf("got %+v", a)
			}
			list, err := f.s.ForTicket(f.ctx, d.R, ticket)
			must(t, err)
			if len(list) != 2 || list[0].Filename != "scan.pdf" || list[1].ID != a.ID {
				t.Errorf("ForTicket %+v", list)
			}
		})
	})
}

// TestStoreBytes: content held in memory is stored like a stream, and a
// second copy of the same bytes writes no new file.
func TestStoreBytes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		s := attachment.NewService(d, dir, 1<<20)
		ticketID := insertTicketForBytes(t, d)
		logo := []byte("\x89PNG\r\n\x1a\n logo bytes")
		a, err := s.StoreBytes(ctx, d.W, "logo.png", "image/png", logo, ticketID, 0)
		if err != nil || a.Size != int64(len(logo)) || a.ContentType != "image/png" {
			t.Fatalf("%+v %v", a, err)
		}
		b, err := s.StoreBytes(ctx, d.W, "logo-again.png", "image/png", logo, ticketID, 0)
		if err != nil || b.SHA256 != a.SHA256 || b.ID == a.ID {
			t.Fatalf("%+v %v", b, err)
		}
		var files []string
		filepath.WalkDir(dir, func(p string, e fs.DirEntry, _ error) error {
			if e != nil && !e.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if len(files) != 1 {
			t.Errorf("files on disk %v, want one shared copy", files)
		}
		if _, err := s.StoreBytes(ctx, d.W, "big.bin", "", make([]byte, 1<<20+1), ticketID, 0); !apperr.Is(err, apperr.TooLarge) {
			t.Errorf("over the limit: %v", err)
		}
	})
}

func insertTicketForBytes(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var contact, ticket int64
	now := db.Now()
	d.W.QueryRow(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('C', $1, $1) RETURNING id`, now).Scan(&contact)
	if err := d.W.QueryRow(`INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, created_at, updated_at)
		VALUES (9001, 's', 'new', 'normal', 'question', 'email', $1, $2, $2) RETURNING id`, contact, now).Scan(&ticket); err != nil {
		t.Fatal(err)
	}
	return ticket
}
