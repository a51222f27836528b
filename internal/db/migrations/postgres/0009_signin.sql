-- +goose Up
-- Web sessions. Only a hash of each token is kept, so a copy of the
-- database holds no live session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data       BYTEA NOT NULL,
    expiry     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Failed sign-in attempts per source (address, account, device, second
-- factor), kept in the database so the limits hold across restarts and
-- nodes.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ,
    blocks        INTEGER NOT NULL DEFAULT 0
);

-- Browsers an agent signed in from: an attempt from one of them is not
-- held up by failures elsewhere.
CREATE TABLE login_devices (
    token_hash TEXT PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_devices_agent ON login_devices (agent_id);

ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE agents ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agents ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE agents DROP COLUMN totp_last_step;
ALTER TABLE agents DROP COLUMN totp_enabled;
ALTER TABLE agents DROP COLUMN totp_secret;
ALTER TABLE agents DROP COLUMN time_zone;
DROP TABLE login_devices;
DROP TABLE login_throttle;
DROP TABLE sessions;
