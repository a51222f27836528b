package kb

import (
	"context"
	"database/sql"

	"linedesk/internal/attachment"
	"linedesk/internal/auth"
)

// Files returns an article's files and images, in upload order.
func (s *Service) Files(ctx context.Context, id int64) ([]attachment.Attachment, error) {
	if _, err := s.FindArticle(ctx, id); err != nil {
		return nil, err
	}
	return s.files.ForArticle(ctx, s.db.R, id)
}

func (s *Service) fileIDs(ctx context.Context, id int64) ([]int64, error) {
	list, err := s.files.ForArticle(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	return ids, nil
}

// AgentFiles is the FileURL of an article's files in the workspace.
func (s *Service) AgentFiles(ctx context.Context, id int64) (FileURL, error) {
	ids, err := s.fileIDs(ctx, id)
	if err != nil {
		return nil, err
	}
	return FileLinks(ids, func(f int64) string { return "/attachments/" + itoa(f) + "/content" }), nil
}

// AttachFiles makes p's uploads files of an article; its Markdown then
// names each as attachment:ID (FileRef).
func (s *Service) AttachFiles(ctx context.Context, p auth.Principal, id int64, uploads []int64) error {
	if err := canEdit(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.lockArticle(ctx, tx, id, 0); err != nil {
			return err
		}
		if err := s.files.AttachToArticle(ctx, tx, p, uploads, id); err != nil {
			return err
		}
		return s.touch(ctx, tx, p, id, revision{Action: ActionSettings,
			Changes: []SettingChange{{Field: "file_added", To: idList(uploads)}}})
	})
}

// RemoveFile deletes one of an article's files.
func (s *Service) RemoveFile(ctx context.Context, p auth.Principal, id, fileID int64) error {
	if err := canEdit(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.lockArticle(ctx, tx, id, 0); err != nil {
			return err
		}
		if err := s.files.RemoveFromArticle(ctx, tx, id, fileID); err != nil {
			return err
		}
		return s.touch(ctx, tx, p, id, revision{Action: ActionSettings,
			Changes: []SettingChange{{Field: "file_removed", From: itoa(fileID)}}})
	})
}
