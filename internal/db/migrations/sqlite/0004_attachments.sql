-- +goose Up
-- One row per stored blob (content-addressed file). Uploads and the orphan
-- pruner both upsert a blob's row before touching its file, so the row is
-- the lock that keeps "file placed, attachment row committed" and "no row
-- references the blob, file removed" from interleaving.
CREATE TABLE attachment_blobs (
    sha256     TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE attachment_blobs;
