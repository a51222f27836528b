-- +goose Up
CREATE TABLE mailboxes (
    id               INTEGER PRIMARY KEY,
    address          TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL DEFAULT '',
    imap_host        TEXT NOT NULL DEFAULT '',
    imap_port        INTEGER NOT NULL DEFAULT 0,
    imap_username    TEXT NOT NULL DEFAULT '',
    imap_password    TEXT NOT NULL DEFAULT '',
    imap_tls         TEXT NOT NULL DEFAULT 'tls',
    imap_folder      TEXT NOT NULL DEFAULT 'INBOX',
    imap_after       TEXT NOT NULL DEFAULT 'seen',
    imap_move_to     TEXT NOT NULL DEFAULT '',
    smtp_host        TEXT NOT NULL DEFAULT '',
    smtp_port        INTEGER NOT NULL DEFAULT 0,
    smtp_username    TEXT NOT NULL DEFAULT '',
    smtp_password    TEXT NOT NULL DEFAULT '',
    smtp_tls         TEXT NOT NULL DEFAULT 'starttls',
    default_group_id BIGINT REFERENCES groups (id),
    default_line     INTEGER NOT NULL DEFAULT 1,
    default_priority TEXT NOT NULL DEFAULT 'normal',
    default_language TEXT NOT NULL DEFAULT 'en',
    routing_rules    TEXT NOT NULL DEFAULT '[]',
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- Where each mailbox's IMAP poller stands.
CREATE TABLE mailbox_state (
    mailbox_id   BIGINT PRIMARY KEY REFERENCES mailboxes (id) ON DELETE CASCADE,
    uidvalidity  BIGINT NOT NULL DEFAULT 0,
    last_uid     BIGINT NOT NULL DEFAULT 0,
    last_poll_at TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMP NOT NULL
);

-- Every message taken in, stored before it is acknowledged.
CREATE TABLE inbound_messages (
    id            INTEGER PRIMARY KEY,
    mailbox_id    BIGINT REFERENCES mailboxes (id),
    source        TEXT NOT NULL,
    uidvalidity   BIGINT,
    uid           BIGINT,
    message_id    TEXT NOT NULL DEFAULT '',
    content_key   TEXT NOT NULL UNIQUE,
    raw_sha256    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    envelope_from TEXT NOT NULL DEFAULT '',
    envelope_to   TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    ticket_id     BIGINT REFERENCES tickets (id),
    comment_id    BIGINT REFERENCES comments (id),
    received_at   TIMESTAMP NOT NULL,
    processed_at  TIMESTAMP
);
CREATE UNIQUE INDEX inbound_messages_uid ON inbound_messages (mailbox_id, uidvalidity, uid);
CREATE INDEX inbound_messages_state ON inbound_messages (state, id);
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id);

-- Every Message-ID seen or sent, for threading.
CREATE TABLE message_ids (
    message_id TEXT PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    direction  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX message_ids_ticket ON message_ids (ticket_id);

CREATE TABLE ticket_participants (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, contact_id)
);
CREATE INDEX ticket_participants_contact ON ticket_participants (contact_id);

ALTER TABLE tickets ADD COLUMN mailbox_id BIGINT REFERENCES mailboxes (id);
ALTER TABLE tickets ADD COLUMN follow_up_of BIGINT REFERENCES tickets (id);
ALTER TABLE tickets ADD COLUMN flag TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN inbound_message_id BIGINT REFERENCES inbound_messages (id);
ALTER TABLE comments ADD COLUMN thread_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN bouncing BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE blocked_domains (
    domain     TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE outbound_emails (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id),
    mailbox_id BIGINT REFERENCES mailboxes (id),
    kind       TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    subject    TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP
);
CREATE INDEX outbound_emails_ticket ON outbound_emails (ticket_id);

CREATE TABLE outbound_recipients (
    outbound_id BIGINT NOT NULL REFERENCES outbound_emails (id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (outbound_id, address)
);

-- Automatic mail sent per address, for the rate limit that stops loops
-- with machines that strip every header.
CREATE TABLE auto_mail_log (
    address TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL
);
CREATE INDEX auto_mail_log_address ON auto_mail_log (address, sent_at);

-- +goose Down
DROP TABLE auto_mail_log;
DROP TABLE outbound_recipients;
DROP TABLE outbound_emails;
DROP TABLE blocked_domains;
ALTER TABLE contacts DROP COLUMN bouncing;
ALTER TABLE comments DROP COLUMN html;
ALTER TABLE comments DROP COLUMN thread_reason;
ALTER TABLE comments DROP COLUMN inbound_message_id;
ALTER TABLE tickets DROP COLUMN flag;
ALTER TABLE tickets DROP COLUMN follow_up_of;
ALTER TABLE tickets DROP COLUMN mailbox_id;
DROP TABLE ticket_participants;
DROP TABLE message_ids;
DROP TABLE inbound_messages;
DROP TABLE mailbox_state;
DROP TABLE mailboxes;
