package attachment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Blobs live at dir/ab/cd/<sha256>, named by their content. An upload is
// first written to dir/.tmp-* while it is hashed and counted, then renamed
// into place: a blob file is always complete.
//
// The crash-safety rule is one-way: a file without a row is harmless (an
// orphan, removed later by PruneOrphans), but a row must never point at a
// missing file. So a blob is put in place inside the transaction that
// inserts its row, after locking the blob's attachment_blobs row, and
// PruneOrphans removes a file only while holding that same lock and after
// seeing that no row references it. See PruneOrphans for the interleavings.

// tmpPrefix names upload files in progress, in the root of dir (the same
// file system as the blobs, so the final rename is atomic).
const tmpPrefix = ".tmp-"

// headSize is how many leading bytes content sniffing looks at.
const headSize = 512

// spooled is an upload written to a temporary file and hashed, not yet in
// place.
type spooled struct {
	tmp  string // the temporary file; "" once moved into place
	data []byte // or the bytes, when the caller held them in memory
	sha  string
	size int64
	head []byte
}

// spoolBytes describes bytes already in memory without writing them: a
// file is written only if no copy exists yet (see place), so a repeated
// attachment, such as a logo in every signature, costs no file at all.
func (s *Service) spoolBytes(data []byte) (*spooled, error) {
	if int64(len(data)) > s.maxBytes {
		return nil, TooLargeError(s.maxBytes)
	}
	sum := sha256.Sum256(data)
	return &spooled{data: data, sha: hex.EncodeToString(sum[:]), size: int64(len(data)), head: data[:min(len(data), 512)]}, nil
}

// writeTemp writes in-memory bytes to a temporary file beside the blobs.
func (s *Service) writeTemp(b *spooled) error {
	name, err := s.tempFile(func(w io.Writer) error {
		_, err := w.Write(b.data)
		return err
	})
	b.tmp = name
	return err
}

// tempFile creates a temporary file beside the blobs and fills it with
// write, syncing it when commits are synced. On any error the file is
// removed and "" returned.
func (s *Service) tempFile(write func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.dir, tmpPrefix+"*")
	if err != nil {
		return "", err
	}
	err = write(f)
	if err == nil && s.db.SyncsCommits() {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// discard removes the temporary file if it is still there: after a
// deduplicated upload, or when anything failed.
func (b *spooled) discard() {
	if b.tmp != "" {
		os.Remove(b.tmp)
		b.tmp = ""
	}
}

// spool copies r to a temporary file, hashing and counting it. Over the
// size limit it removes the file and returns TooLarge.
func (s *Service) spool(ctx context.Context, r io.Reader) (*spooled, error) {
	h := sha256.New()
	head := &headWriter{}
	var n int64
	name, err := s.tempFile(func(w io.Writer) error {
		var err error
		n, err = io.Copy(io.MultiWriter(w, h, head), io.LimitReader(ctxReader{ctx, r}, s.maxBytes+1))
		if err == nil && n > s.maxBytes {
			err = TooLargeError(s.maxBytes)
		}
		return err
	})
	if err != nil {
		if apperr.As(err) != nil {
			return nil, err
		}
		return nil, fmt.Errorf("spool attachment: %w", err)
	}
	return &spooled{tmp: name, sha: hex.EncodeToString(h.Sum(nil)), size: n, head: head.buf}, nil
}

// TooLargeError is the error for a file over the limit of maxBytes.
func TooLargeError(maxBytes int64) error {
	return apperr.Errorf(apperr.TooLarge, "file is over %s", humanSize(maxBytes))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// lockBlob takes the blob's lock row inside q's transaction: a row lock
// on PostgreSQL, held until commit; on SQLite every write transaction is
// already exclusive. Uploads and PruneOrphans both take it before
// touching the blob's file.
func lockBlob(ctx context.Context, q db.Queryer, sha string) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO attachment_blobs (sha256, created_at) VALUES ($1, $2)
		ON CONFLICT (sha256) DO UPDATE SET created_at = attachment_blobs.created_at`, sha, db.Now())
	if err != nil {
		return fmt.Errorf("lock blob %s: %w", sha, err)
	}
	return nil
}

// place moves the spooled file to its content address, unless an intact
// copy is there already (deduplication). Call it holding the blob's lock.
func (s *Service) place(b *spooled) error {
	final := s.path(b.sha)
	if fi, err := os.Stat(final); err == nil && fi.Size() == b.size {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("place blob: %w", err)
	}
	if b.tmp == "" {
		if err := s.writeTemp(b); err != nil {
			return fmt.Errorf("place blob: %w", err)
		}
	}
	// Files are synced exactly when commits are (see db.SyncsCommits): a
	// file must not be less durable than the row that names it.
	sync := s.db.SyncsCommits()
	mkdir := mkdirSynced
	if !sync {
		mkdir = func(dir string) error { return os.MkdirAll(dir, 0o750) }
	}
	if err := mkdir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("place blob: %w", err)
	}
	if err := os.Rename(b.tmp, final); err != nil {
		return fmt.Errorf("place blob: %w", err)
	}
	b.tmp = ""
	if !sync {
		return nil
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("place blob: %w", err)
	}
	return nil
}

// path is where the blob with the given SHA-256 (hex) lives.
func (s *Service) path(sha string) string {
	return filepath.Join(s.dir, sha[0:2], sha[2:4], sha)
}

// mkdirSynced creates dir and any missing parents, syncing the parent of
// each directory it creates so the new entries survive a crash.
func mkdirSynced(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// syncDir makes a directory's entries (a rename, a new file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// isBlobName reports whether name looks like a blob file's name: 64
// lower-case hex digits.
func isBlobName(name string) bool {
	if len(name) != sha256.Size*2 {
		return false
	}
	for _, c := range []byte(name) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// headWriter keeps the first headSize bytes written to it.
type headWriter struct{ buf []byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if room := headSize - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// ctxReader stops a long copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fileAge is a blob or temporary file's modification time, the zero time
// when it cannot be read.
func fileAge(e fs.DirEntry) time.Time {
	fi, err := e.Info()
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
