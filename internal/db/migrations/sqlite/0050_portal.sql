-- +goose Up
-- Contacts' access to the customer portal: at most one account per
-- contact. A pending account waits for an administrator's approval; a
-- revoked one may no longer sign in.
CREATE TABLE portal_accounts (
    contact_id      BIGINT PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    manager         BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash   TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL,
    invited_by      BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    last_sign_in_at TIMESTAMP
);
CREATE INDEX portal_accounts_state ON portal_accounts (state, created_at);

-- One-time links sent by e-mail: sign in, accept an invitation, confirm
-- a registration (which names no contact yet, only the address). The
-- token is a MAC over the row's id and salt under the secret key, so the
-- table alone gives no working link.
CREATE TABLE portal_links (
    id         INTEGER PRIMARY KEY,
    purpose    TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT 'en',
    salt       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX portal_links_expiry ON portal_links (expires_at);
CREATE INDEX portal_links_contact ON portal_links (contact_id);

-- The portal's settings: one row (id 1), written when first saved.
CREATE TABLE portal_settings (
    id           INTEGER PRIMARY KEY,
    registration TEXT NOT NULL DEFAULT 'off',
    approval     BOOLEAN NOT NULL DEFAULT FALSE,
    mailbox_id   BIGINT REFERENCES mailboxes (id) ON DELETE SET NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Requests counted against the portal's limits (sign-in links,
-- registrations, form submissions) per address and per e-mail, kept in
-- the database so the limits hold across nodes.
CREATE TABLE portal_hits (
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX portal_hits_key ON portal_hits (key, at);

-- Mail to a person outside any ticket (sign-in links, invitations),
-- recorded before it is sent so a retried job never sends it twice.
CREATE TABLE letters (
    id         INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    address    TEXT NOT NULL,
    mailbox_id BIGINT REFERENCES mailboxes (id) ON DELETE SET NULL,
    state      TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP
);

-- Custom fields a customer fills in when opening a ticket in the portal.
ALTER TABLE custom_fields ADD COLUMN portal BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE custom_fields DROP COLUMN portal;
DROP TABLE letters;
DROP TABLE portal_hits;
DROP TABLE portal_settings;
DROP TABLE portal_links;
DROP TABLE portal_accounts;
