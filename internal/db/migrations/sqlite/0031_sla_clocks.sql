-- +goose Up
-- A ticket's deadlines, where queues sort and filter on them. state is
-- running, paused, met or breached; '' when the plan sets no such target.
ALTER TABLE tickets ADD COLUMN sla_first_response_due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN sla_first_response_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_next_response_due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN sla_next_response_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_resolution_due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN sla_resolution_state TEXT NOT NULL DEFAULT '';
-- The nearest deadline of a running target, and when the ticket is at
-- risk (its warning share used up); null when no clock runs. The indexes
-- carry the columns an agent's visibility reads, so the at-risk queue and
-- its count are answered from them.
ALTER TABLE tickets ADD COLUMN sla_next_due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN sla_warn_at TIMESTAMP;
CREATE INDEX tickets_sla_next_due ON tickets (sla_next_due_at, sla_warn_at, group_id, assignee_id);
CREATE INDEX tickets_sla_warn ON tickets (sla_warn_at, sla_next_due_at, group_id, assignee_id);

-- An automation's history entry may name one agent to tell (a supervisor).
ALTER TABLE ticket_events ADD COLUMN notify_agent_id BIGINT REFERENCES agents (id) ON DELETE SET NULL;
CREATE INDEX ticket_events_notify ON ticket_events (notify_agent_id, id) WHERE notify_agent_id IS NOT NULL;

-- The plan, calendar and priority a ticket's clocks were last set from,
-- when the scheduler must look at it next, when an agent first answered
-- in public and since when a customer's reply waits for an answer.
CREATE TABLE sla_tickets (
    ticket_id     BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    plan_id       BIGINT REFERENCES plans (id) ON DELETE SET NULL,
    plan_name     TEXT NOT NULL DEFAULT '',
    calendar_id   BIGINT REFERENCES sla_calendars (id) ON DELETE SET NULL,
    priority      TEXT NOT NULL,
    warn_percent  INTEGER NOT NULL,
    next_check_at TIMESTAMP,
    replied_at     TIMESTAMP,
    awaiting_since TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX sla_tickets_check ON sla_tickets (next_check_at);
CREATE INDEX sla_tickets_plan ON sla_tickets (plan_id);
CREATE INDEX sla_tickets_calendar ON sla_tickets (calendar_id);

-- One clock per ticket and target. allowed and used are working time in
-- microseconds; since is when the clock last started running (null while
-- paused or stopped). A next-response clock starts a new cycle with each
-- customer reply.
CREATE TABLE sla_clocks (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target      TEXT NOT NULL,
    cycle       INTEGER NOT NULL DEFAULT 1,
    state       TEXT NOT NULL,
    allowed_us  BIGINT NOT NULL,
    used_us     BIGINT NOT NULL DEFAULT 0,
    started_at  TIMESTAMP NOT NULL,
    since       TIMESTAMP,
    due_at      TIMESTAMP,
    warn_at     TIMESTAMP,
    warned_at   TIMESTAMP,
    breached_at TIMESTAMP,
    stopped_at  TIMESTAMP,
    PRIMARY KEY (ticket_id, target)
);

-- The scheduler's runs, one row per slot: the first node to claim a slot
-- enqueues its run, so the chain of runs stays single across nodes.
CREATE TABLE sla_ticks (
    slot TIMESTAMP PRIMARY KEY
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
DROP TABLE sla_clocks;
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
