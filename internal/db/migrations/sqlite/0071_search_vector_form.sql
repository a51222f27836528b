-- +goose Up
-- PostgreSQL's search index gains terms without positions here (bucket
-- twins of filter terms, prefixes of words). FTS5 reads its matches
-- newest first by rowid and keeps prefix indexes of its own: nothing
-- changes on SQLite, and the migration keeps both dialects' versions in
-- step.
SELECT 1;

-- +goose Down
SELECT 1;
