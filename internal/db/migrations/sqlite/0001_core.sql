-- +goose Up
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
-- Ticket numbers shown to customers start at #1001.
INSERT INTO counters (name, value) VALUES ('ticket_number', 1000);

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE companies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    plan_id    BIGINT REFERENCES plans (id),
    notes      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX companies_plan ON companies (plan_id);

CREATE TABLE company_domains (
    domain     TEXT PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE
);
CREATE INDEX company_domains_company ON company_domains (company_id);

CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    company_id     BIGINT REFERENCES companies (id),
    phone          TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT 'en',
    notes          TEXT NOT NULL DEFAULT '',
    blocked        BOOLEAN NOT NULL DEFAULT FALSE,
    blocked_reason TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX contacts_company ON contacts (company_id);
CREATE INDEX contacts_phone ON contacts (phone);

CREATE TABLE contact_emails (
    email      TEXT PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL
);
CREATE INDEX contact_emails_contact ON contact_emails (contact_id, position);

CREATE TABLE agents (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    email                TEXT NOT NULL UNIQUE,
    password_hash        TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    line                 INTEGER NOT NULL DEFAULT 1,
    language             TEXT NOT NULL DEFAULT 'en',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE agent_groups (
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, group_id)
);
CREATE INDEX agent_groups_group ON agent_groups (group_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_agent ON api_tokens (agent_id);

CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    type       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    required   BOOLEAN NOT NULL DEFAULT FALSE,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    number        BIGINT NOT NULL UNIQUE,
    subject       TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    priority      TEXT NOT NULL,
    type          TEXT NOT NULL,
    line          INTEGER NOT NULL DEFAULT 1,
    group_id      BIGINT REFERENCES groups (id),
    assignee_id   BIGINT REFERENCES agents (id),
    requester_id  BIGINT NOT NULL REFERENCES contacts (id),
    company_id    BIGINT REFERENCES companies (id),
    channel       TEXT NOT NULL,
    parent_id     BIGINT REFERENCES tickets (id),
    custom_fields TEXT NOT NULL DEFAULT '{}',
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    solved_at     TIMESTAMP,
    closed_at     TIMESTAMP
);
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_group_status ON tickets (group_id, status, updated_at);
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status, updated_at);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at);
CREATE INDEX tickets_company ON tickets (company_id, updated_at);
CREATE INDEX tickets_parent ON tickets (parent_id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

CREATE TABLE ticket_followers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id   BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_followers_agent ON ticket_followers (agent_id);

CREATE TABLE comments (
    id                INTEGER PRIMARY KEY,
    ticket_id         BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_type       TEXT NOT NULL,
    author_agent_id   BIGINT REFERENCES agents (id),
    author_contact_id BIGINT REFERENCES contacts (id),
    body              TEXT NOT NULL,
    public            BOOLEAN NOT NULL,
    channel           TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    edited_at         TIMESTAMP
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE comment_revisions (
    id                 INTEGER PRIMARY KEY,
    comment_id         BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body               TEXT NOT NULL,
    edited_by_agent_id BIGINT REFERENCES agents (id),
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions (comment_id, id);

CREATE TABLE attachments (
    id                   INTEGER PRIMARY KEY,
    sha256               TEXT NOT NULL,
    filename             TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    size                 BIGINT NOT NULL,
    ticket_id            BIGINT REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id           BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    uploaded_by_agent_id BIGINT REFERENCES agents (id),
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_comment ON attachments (comment_id);
CREATE INDEX attachments_sha ON attachments (sha256);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_type TEXT NOT NULL,
    actor_id   BIGINT,
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL DEFAULT '',
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at);

-- +goose Down
DROP TABLE jobs;
DROP TABLE ticket_events;
DROP TABLE attachments;
DROP TABLE comment_revisions;
DROP TABLE comments;
DROP TABLE ticket_followers;
DROP TABLE ticket_tags;
DROP TABLE tickets;
DROP TABLE custom_fields;
DROP TABLE api_tokens;
DROP TABLE agent_groups;
DROP TABLE agents;
DROP TABLE contact_emails;
DROP TABLE contacts;
DROP TABLE company_domains;
DROP TABLE companies;
DROP TABLE groups;
DROP TABLE plans;
DROP TABLE counters;
