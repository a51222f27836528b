-- +goose Up
-- Canned responses and macros: texts in en/ru/lv with variables, an
-- agent's own or shared with a group; a macro adds actions on the ticket.
CREATE TABLE replies (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    owner_agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    group_id       BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    public         BOOLEAN NOT NULL DEFAULT TRUE,
    actions        TEXT NOT NULL DEFAULT '{}',
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX replies_owner ON replies (owner_agent_id, kind);
CREATE INDEX replies_group ON replies (group_id, kind);

CREATE TABLE reply_texts (
    reply_id BIGINT NOT NULL REFERENCES replies (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (reply_id, language)
);

-- +goose Down
DROP TABLE reply_texts;
DROP TABLE replies;
