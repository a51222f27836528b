-- +goose Up
-- A ticket merged into another points at the ticket its conversation
-- continues in.
ALTER TABLE tickets ADD COLUMN merged_into_id BIGINT REFERENCES tickets (id);

-- Tickets that belong together, stored once per pair: the lower id first.
CREATE TABLE ticket_links (
    ticket_id           BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    linked_id           BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,
    created_by_agent_id BIGINT REFERENCES agents (id),
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, linked_id),
    CHECK (ticket_id < linked_id)
);
CREATE INDEX ticket_links_linked ON ticket_links (linked_id);

-- +goose Down
DROP TABLE ticket_links;
ALTER TABLE tickets DROP COLUMN merged_into_id;
