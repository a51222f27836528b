-- +goose Up
-- First-line scripts: decision trees an administrator drafts and
-- publishes as numbered versions, and the runs agents make on tickets.
CREATE TABLE scripts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    draft       TEXT NOT NULL DEFAULT '{}',
    rev         BIGINT NOT NULL DEFAULT 1,
    version_id  BIGINT,
    created_by  BIGINT REFERENCES agents (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- A published version never changes: runs name the version they used.
CREATE TABLE script_versions (
    id           INTEGER PRIMARY KEY,
    script_id    BIGINT NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    tree         TEXT NOT NULL,
    published_by BIGINT REFERENCES agents (id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (script_id, number)
);

CREATE TABLE script_runs (
    id         INTEGER PRIMARY KEY,
    script_id  BIGINT NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES script_versions (id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id   BIGINT REFERENCES agents (id),
    path       TEXT NOT NULL,
    leaf       TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    comment_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX script_runs_script ON script_runs (script_id, version_id, leaf);
CREATE INDEX script_runs_ticket ON script_runs (ticket_id);

-- +goose Down
DROP TABLE script_runs;
DROP TABLE script_versions;
DROP TABLE scripts;
