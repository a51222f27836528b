-- +goose Up
-- A ticket's deadlines, where queues sort and filter on them. state is
-- running, paused, met or breached; '' when the plan sets no such target.
ALTER TABLE tickets ADD COLUMN sla_first_response_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_first_response_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_next_response_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_next_response_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_resolution_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_resolution_state TEXT NOT NULL DEFAULT '';
-- The nearest deadline of a running target, and when the ticket is at
-- risk (its warning share used up); null when no clock runs. The indexes
-- hold only tickets with a clock running, so other tickets cost them
-- nothing: the first gives queues their tickets in deadline order (ties
-- by id, as the queues sort), the second counts the tickets at risk from
-- itself, carrying the columns an agent's visibility reads.
ALTER TABLE tickets ADD COLUMN sla_next_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_warn_at TIMESTAMPTZ;
CREATE INDEX tickets_sla_next_due ON tickets (sla_next_due_at) WHERE sla_next_due_at IS NOT NULL;
CREATE INDEX tickets_sla_warn ON tickets (sla_warn_at, sla_next_due_at, group_id, assignee_id)
    WHERE sla_warn_at IS NOT NULL;

-- An automation's history entry may name one agent to tell (a supervisor).
ALTER TABLE ticket_events ADD COLUMN notify_agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL;
CREATE INDEX ticket_events_notify ON ticket_events (notify_agent_id, id) WHERE notify_agent_id IS NOT NULL;

-- What the package keeps of a ticket: the plan, calendar and priority its
-- clocks were last set from, when the scheduler must look at it next,
-- when an agent first answered in public, since when a customer's reply
-- waits for an answer, when the ticket was opened as the clocks count it
-- (its first stay at a line starts then), and the clocks themselves: one per target, as a
-- JSON list ({"target", "cycle", "state", "allowed_us", "used_us",
-- "started", "since", "due", "warn", "warned", "breached", "stopped"}),
-- since they are only ever read and written together. live is whether a
-- clock still counts (running or paused).
CREATE TABLE sla_tickets (
    ticket_id      BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    plan_id        BIGINT REFERENCES plans (id) ON DELETE SET NULL,
    plan_name      TEXT NOT NULL DEFAULT '',
    calendar_id    BIGINT REFERENCES sla_calendars (id) ON DELETE SET NULL,
    priority       TEXT NOT NULL,
    warn_percent   INTEGER NOT NULL,
    next_check_at  TIMESTAMPTZ,
    replied_at     TIMESTAMPTZ,
    awaiting_since TIMESTAMPTZ,
    opened_at      TIMESTAMPTZ,
    clocks         TEXT NOT NULL DEFAULT '[]',
    live           BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sla_tickets_check ON sla_tickets (next_check_at) WHERE next_check_at IS NOT NULL;

-- The scheduler's runs, one row per slot: the first node to claim a slot
-- enqueues its run, so the chain of runs stays single across nodes.
CREATE TABLE sla_ticks (
    slot TIMESTAMPTZ PRIMARY KEY
);

-- Whether that chain is stopped: it stops when no ticket has a deadline
-- to watch, and the first ticket to get one starts it again.
CREATE TABLE sla_scheduler (
    id   INTEGER PRIMARY KEY,
    idle BOOLEAN NOT NULL
);
INSERT INTO sla_scheduler (id, idle) VALUES (1, TRUE);

-- +goose Down
DROP TABLE sla_scheduler;
DROP TABLE sla_ticks;
DROP TABLE sla_tickets;
DROP INDEX ticket_events_notify;
ALTER TABLE ticket_events DROP COLUMN notify_agent_id;
DROP INDEX tickets_sla_warn;
DROP INDEX tickets_sla_next_due;
ALTER TABLE tickets DROP COLUMN sla_warn_at;
ALTER TABLE tickets DROP COLUMN sla_next_due_at;
ALTER TABLE tickets DROP COLUMN sla_resolution_state;
ALTER TABLE tickets DROP COLUMN sla_resolution_due_at;
ALTER TABLE tickets DROP COLUMN sla_next_response_state;
ALTER TABLE tickets DROP COLUMN sla_next_response_due_at;
ALTER TABLE tickets DROP COLUMN sla_first_response_state;
ALTER TABLE tickets DROP COLUMN sla_first_response_due_at;
