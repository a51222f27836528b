-- +goose Up
-- Files and images of knowledge-base articles: an attachment belongs to a
-- ticket (ticket_id), to an article (article_id), or to nothing yet.
ALTER TABLE attachments ADD COLUMN article_id BIGINT REFERENCES kb_articles (id) ON DELETE CASCADE;
CREATE INDEX attachments_article ON attachments (article_id);

-- +goose Down
DROP INDEX attachments_article;
ALTER TABLE attachments DROP COLUMN article_id;
