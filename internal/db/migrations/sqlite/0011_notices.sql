-- +goose Up
-- The newest ticket event an agent has seen in their notifications.
ALTER TABLE agents ADD COLUMN notices_seen_id BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE agents DROP COLUMN notices_seen_id;
