-- +goose Up
-- Forms a client's web site embeds: their fields (JSON), where the
-- tickets they create go, the thank-you texts (JSON by language) and the
-- sites allowed to embed them and post to them (JSON list of origins).
CREATE TABLE web_forms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    fields     TEXT NOT NULL DEFAULT '[]',
    group_id   BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    line       INTEGER NOT NULL DEFAULT 1,
    priority   TEXT NOT NULL DEFAULT 'normal',
    thanks     TEXT NOT NULL DEFAULT '{}',
    origins    TEXT NOT NULL DEFAULT '[]',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE web_forms;
