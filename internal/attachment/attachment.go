// Package attachment stores files attached to tickets: content-addressed
// blobs under the data directory and their metadata rows.
package attachment

import (
	"linedesk/internal/db"
)

// Service stores and serves attachments.
type Service struct {
	db       *db.DB
	dir      string
	maxBytes int64
}

// NewService returns an attachment service keeping files under dir.
func NewService(d *db.DB, dir string, maxBytes int64) *Service {
	return &Service{db: d, dir: dir, maxBytes: maxBytes}
}
