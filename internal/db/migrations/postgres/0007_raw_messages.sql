-- +goose Up
-- Raw e-mail, kept by content. In the database rather than a file each:
-- creating a file per message cost more than everything else intake does,
-- and the message is then exactly as durable as the row that records it.
CREATE TABLE raw_messages (
    sha256 TEXT PRIMARY KEY,
    data   BYTEA NOT NULL
);

-- +goose Down
DROP TABLE raw_messages;
