-- +goose Up
-- Automatic assignment per group: the mode, the default limit of open
-- tickets per agent, when an absent agent's unanswered tickets return to
-- the queue, and the round-robin position (its row is what concurrent
-- assignments to the group lock).
CREATE TABLE assign_groups (
    group_id             BIGINT PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    mode                 TEXT NOT NULL DEFAULT 'none',
    max_open             INTEGER NOT NULL DEFAULT 0,
    return_after_minutes INTEGER NOT NULL DEFAULT 0,
    last_agent_id        BIGINT,
    updated_at           TIMESTAMP NOT NULL
);

-- An agent's availability: own limit of open tickets (NULL: the group's),
-- away, and the weekly shifts (JSON windows in time_zone; no row or an
-- empty schedule means always on shift).
CREATE TABLE assign_agents (
    agent_id      BIGINT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    max_open      INTEGER,
    away          BOOLEAN NOT NULL DEFAULT FALSE,
    away_since    TIMESTAMP,
    shift_zone    TEXT NOT NULL DEFAULT '',
    shift_always  BOOLEAN NOT NULL DEFAULT FALSE,
    shift_windows TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL
);

-- Who holds each assigned ticket since when, for returning the tickets
-- of absent agents.
CREATE TABLE assign_tickets (
    ticket_id   BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id    BIGINT NOT NULL,
    group_id    BIGINT,
    assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX assign_tickets_agent ON assign_tickets (agent_id);

-- The return scheduler's slots: one run per slot whatever the nodes.
CREATE TABLE assign_ticks (
    slot TIMESTAMP PRIMARY KEY
);

-- +goose Down
DROP TABLE assign_ticks;
DROP TABLE assign_tickets;
DROP TABLE assign_agents;
DROP TABLE assign_groups;
