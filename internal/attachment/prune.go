package attachment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"linedesk/internal/db"
)

// PruneOrphans deletes unattached uploads created before olderThan, then
// removes blob files no attachment references any more: those of the
// deleted uploads, and any blob file modified before olderThan that no
// row names (left when a transaction placed a file and then rolled back
// or crashed). Temporary upload files go too once older than both
// olderThan and a day, so that no upload in progress loses its file.
// It returns how many unattached uploads it deleted.
//
// Why removing a file is safe while the same bytes are being uploaded:
// an upload runs { lock blob row; put file in place if missing; insert
// attachment row } in one transaction, and removal runs { lock blob row;
// count rows naming the blob; if none, delete the file } in another. The
// lock row (attachment_blobs) serialises the two for one blob — a row
// lock on PostgreSQL, and SQLite runs write transactions one at a time:
//   - upload first: the count, a statement begun after the lock was
//     granted, sees its committed row, and the file stays;
//   - removal first: the upload gets the lock after the file is gone,
//     finds it missing and renames its own spooled copy into place — a
//     racing upload re-creates the file;
//   - an upload that rolls back after placing the file leaves an orphan
//     file, which is harmless and removed by a later run.
//
// Attaching only updates rows that already name the blob, so it needs no
// lock. Hence no committed row ever names a missing file.
func (s *Service) PruneOrphans(ctx context.Context, olderThan time.Time) (int, error) {
	shas, err := s.deleteUnattached(ctx, olderThan)
	if err != nil {
		return 0, err
	}
	if err := s.releaseUnreferenced(ctx, shas); err != nil {
		return len(shas), err
	}
	if err := s.pruneFiles(ctx, olderThan); err != nil {
		return len(shas), err
	}
	return len(shas), nil
}

// deleteUnattached deletes old unattached uploads and returns their blobs.
func (s *Service) deleteUnattached(ctx context.Context, olderThan time.Time) ([]string, error) {
	var shas []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			DELETE FROM attachments
			WHERE ticket_id IS NULL AND comment_id IS NULL AND article_id IS NULL AND created_at < $1
			RETURNING sha256`, olderThan.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				return err
			}
			shas = append(shas, sha)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("prune unattached uploads: %w", err)
	}
	return shas, nil
}

// tmpGrace is the least age of a temporary file PruneOrphans removes:
// far longer than any upload takes.
const tmpGrace = 24 * time.Hour

// pruneFiles walks dir: old temporary files are removed, old blob files
// are released when no row names them. It works one leaf directory at a
// time, so memory stays small however many files there are.
func (s *Service) pruneFiles(ctx context.Context, olderThan time.Time) error {
	top, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("prune blobs: %w", err)
	}
	tmpCutoff := time.Now().Add(-tmpGrace)
	if olderThan.Before(tmpCutoff) {
		tmpCutoff = olderThan
	}
	for _, e := range top {
		if strings.HasPrefix(e.Name(), tmpPrefix) && fileAge(e).Before(tmpCutoff) {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
	for _, a := range top {
		if !a.IsDir() || len(a.Name()) != 2 {
			continue
		}
		inner, err := os.ReadDir(filepath.Join(s.dir, a.Name()))
		if err != nil {
			return fmt.Errorf("prune blobs: %w", err)
		}
		for _, b := range inner {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !b.IsDir() || len(b.Name()) != 2 {
				continue
			}
			if err := s.pruneLeaf(ctx, filepath.Join(s.dir, a.Name(), b.Name()), a.Name()+b.Name(), olderThan); err != nil {
				return err
			}
		}
	}
	return nil
}

// pruneLeaf releases the old, unreferenced blobs of one dir/ab/cd.
func (s *Service) pruneLeaf(ctx context.Context, dir, prefix string, olderThan time.Time) error {
	files, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("prune blobs: %w", err)
	}
	var old []string
	for _, f := range files {
		if f.Type().IsRegular() && isBlobName(f.Name()) && strings.HasPrefix(f.Name(), prefix) &&
			fileAge(f).Before(olderThan) {
			old = append(old, f.Name())
		}
	}
	return s.releaseUnreferenced(ctx, old)
}

// releaseUnreferenced releases each blob no row names. A first, unlocked
// read skips the referenced ones in bulk; release re-checks under the lock.
func (s *Service) releaseUnreferenced(ctx context.Context, shas []string) error {
	shas = slices.Compact(slices.Sorted(slices.Values(shas)))
	for chunk := range slices.Chunk(shas, 500) {
		in, args := db.In(chunk, 1)
		rows, err := s.db.R.QueryContext(ctx, `SELECT DISTINCT sha256 FROM attachments WHERE sha256 IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("prune blobs: %w", err)
		}
		used := map[string]bool{}
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				rows.Close()
				return fmt.Errorf("prune blobs: %w", err)
			}
			used[sha] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("prune blobs: %w", err)
		}
		for _, sha := range chunk {
			if used[sha] {
				continue
			}
			if err := s.release(ctx, sha); err != nil {
				return err
			}
		}
	}
	return nil
}

// release removes a blob's file if, under its lock, no row names it.
func (s *Service) release(ctx context.Context, sha string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockBlob(ctx, tx, sha); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE sha256 = $1`, sha).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM attachment_blobs WHERE sha256 = $1`, sha); err != nil {
			return err
		}
		if err := os.Remove(s.path(sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release blob %s: %w", sha, err)
	}
	return nil
}
