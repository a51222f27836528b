-- +goose Up
-- A filtered list an agent saved for themself, or shared with a group.
CREATE TABLE saved_views (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    owner_agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    group_id       BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    queue          TEXT NOT NULL,
    query          TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX saved_views_owner ON saved_views (owner_agent_id);
CREATE INDEX saved_views_group ON saved_views (group_id);

-- +goose Down
DROP TABLE saved_views;
