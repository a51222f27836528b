-- +goose Up
-- PostgreSQL's search index gains filter-term bucket twins here. FTS5
-- reads its matches newest first by rowid and needs no buckets: nothing
-- changes on SQLite, and the migration keeps both dialects' versions in
-- step.
SELECT 1;

-- +goose Down
SELECT 1;
