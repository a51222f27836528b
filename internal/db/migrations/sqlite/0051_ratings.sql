-- +goose Up
-- The customer's rating of a solved ticket: one per ticket, changeable
-- for a week. The assignee and group at the time of rating are kept for
-- reports, whatever happens to the ticket later.
CREATE TABLE ticket_ratings (
    ticket_id   BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    contact_id  BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    score       INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    assignee_id BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    group_id    BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX ticket_ratings_updated ON ticket_ratings (updated_at);
CREATE INDEX ticket_ratings_assignee ON ticket_ratings (assignee_id, updated_at);

-- +goose Down
DROP TABLE ticket_ratings;
