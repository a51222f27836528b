-- +goose Up
-- The groups that work at each support line (1–4); a group belongs to one
-- line at most. Escalation to a line without a named group lands in the
-- line's first group.
CREATE TABLE sla_line_groups (
    group_id BIGINT PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    line     INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sla_line_groups_line ON sla_line_groups (line, position);

-- Time a ticket spent at each line and group: one row per stay, closed
-- when the ticket moves on or is solved. working_us and wall_us are
-- microseconds, working time in the plan's calendar.
CREATE TABLE sla_line_spans (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    group_id   BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    working_us BIGINT NOT NULL DEFAULT 0,
    wall_us    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sla_line_spans_ticket ON sla_line_spans (ticket_id, id);

-- +goose Down
DROP TABLE sla_line_spans;
DROP TABLE sla_line_groups;
