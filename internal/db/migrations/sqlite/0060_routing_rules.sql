-- +goose Up
-- Routing and automation rules: ordered, each with conditions and actions
-- kept as JSON (they are only ever read and written whole), evaluated
-- when a ticket is created and when it changes.
CREATE TABLE routing_rules (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL UNIQUE,
    position      INTEGER NOT NULL,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    on_create     BOOLEAN NOT NULL DEFAULT TRUE,
    on_update     BOOLEAN NOT NULL DEFAULT FALSE,
    changed_field TEXT NOT NULL DEFAULT '',
    conditions    TEXT NOT NULL DEFAULT '[]',
    actions       TEXT NOT NULL DEFAULT '[]',
    stop          BOOLEAN NOT NULL DEFAULT FALSE,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX routing_rules_position ON routing_rules (position);

-- How often each rule applied and whether it last failed; apart from the
-- rules so that counting never changes what the caches hold.
CREATE TABLE routing_rule_stats (
    rule_id         BIGINT PRIMARY KEY REFERENCES routing_rules (id) ON DELETE CASCADE,
    applied         BIGINT NOT NULL DEFAULT 0,
    last_applied_at TIMESTAMP,
    failed          BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_failed_at  TIMESTAMP
);

-- The generation of the rule set: every change raises it, and each node
-- reloads its cached rules when the generation it read differs.
CREATE TABLE routing_state (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO routing_state (id, generation) VALUES (1, 1);

-- Templated replies a rule decided to send, sent by a job once the
-- change has committed; automatic mail on the ticket cancels them.
CREATE TABLE routing_replies (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    rule_id    BIGINT REFERENCES routing_rules (id) ON DELETE SET NULL,
    rule_name  TEXT NOT NULL,
    reply_id   BIGINT NOT NULL,
    state      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    comment_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX routing_replies_ticket ON routing_replies (ticket_id, state);

-- +goose Down
DROP TABLE routing_replies;
DROP TABLE routing_state;
DROP TABLE routing_rule_stats;
DROP TABLE routing_rules;
