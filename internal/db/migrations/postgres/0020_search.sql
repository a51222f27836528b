-- +goose Up
-- The search index. search_docs keeps each indexed document's analyzed
-- terms (space-separated, per column) for ranking, and tsv, the same
-- terms as a tsvector built by Linedesk (title weight A, body B, internal
-- notes C) with positions as SQLite's FTS5 counts them, with the filter
-- terms (status, group, …) and the term of its seq's bucket.
-- A document gets a new seq every time it is written, so the
-- newest-written documents come first.
CREATE SEQUENCE search_seq;
CREATE TABLE search_docs (
    kind         TEXT NOT NULL,
    ref_id       BIGINT NOT NULL,
    seq          BIGINT NOT NULL DEFAULT nextval('search_seq'),
    title_terms  TEXT NOT NULL,
    body_terms   TEXT NOT NULL,
    notes_terms  TEXT NOT NULL,
    sort_at      TIMESTAMPTZ NOT NULL,
    is_open      BOOLEAN NOT NULL,
    indexed_at   TIMESTAMPTZ NOT NULL,
    tsv          TSVECTOR NOT NULL,
    PRIMARY KEY (kind, ref_id)
);
CREATE UNIQUE INDEX search_docs_seq ON search_docs (seq);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
-- Terms and vectors live out of line, so the rows a search visits stay
-- small and many fit a page.
ALTER TABLE search_docs SET (toast_tuple_target = 128);

-- Collection statistics for ranking, kept in step by every index write.
CREATE TABLE search_stats (
    id          INTEGER PRIMARY KEY,
    docs        BIGINT NOT NULL,
    title_count BIGINT NOT NULL,
    body_count  BIGINT NOT NULL,
    notes_count BIGINT NOT NULL
);
INSERT INTO search_stats (id, docs, title_count, body_count, notes_count) VALUES (1, 0, 0, 0, 0);

-- Documents waiting for an index job: one row (and one pending job) per
-- document however often it changes before the job runs.
CREATE TABLE search_pending (
    kind         TEXT NOT NULL,
    ref_id       BIGINT NOT NULL,
    job_id       BIGINT,
    requested_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, ref_id)
);

-- +goose Down
DROP TABLE search_pending;
DROP TABLE search_stats;
DROP TABLE search_docs;
DROP SEQUENCE search_seq;
