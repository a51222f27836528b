-- +goose Up
-- The search index. search_docs keeps each indexed document's analyzed
-- terms (space-separated, per column) for ranking; search_fts indexes
-- them. A document gets a new seq (the FTS rowid) every time it is
-- written, so the newest-written documents come first.
CREATE TABLE search_docs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    ref_id       BIGINT NOT NULL,
    title_terms  TEXT NOT NULL,
    body_terms   TEXT NOT NULL,
    notes_terms  TEXT NOT NULL,
    sort_at      TIMESTAMP NOT NULL,
    is_open      BOOLEAN NOT NULL,
    indexed_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX search_docs_ref ON search_docs (kind, ref_id);

-- Terms are written by Linedesk's analyzer, separated by spaces; the
-- tokenizer only splits them again. '~' starts filter terms (meta).
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, notes, meta, content = '', contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '._@-:/\#+~'");

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
    requested_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, ref_id)
);

-- +goose Down
DROP TABLE search_pending;
DROP TABLE search_stats;
DROP TABLE search_fts;
DROP TABLE search_docs;
