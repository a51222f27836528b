-- +goose Up
-- Working-hours calendars: a time zone, weekly windows, and dates that
-- differ from the week (holidays, moved working days).
CREATE TABLE sla_calendars (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    time_zone   TEXT NOT NULL,
    always_open BOOLEAN NOT NULL DEFAULT FALSE,
    overnight   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- weekday: 1 Monday … 7 Sunday; minutes after local midnight. A window
-- whose end is not after its start ends the next day (night calendars).
CREATE TABLE sla_calendar_windows (
    calendar_id BIGINT NOT NULL REFERENCES sla_calendars (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL,
    from_min    INTEGER NOT NULL,
    to_min      INTEGER NOT NULL
);
CREATE INDEX sla_calendar_windows_calendar ON sla_calendar_windows (calendar_id, weekday, from_min);

-- day: YYYY-MM-DD in the calendar's zone; kind holiday or working (a
-- moved working day, with the hours of as_weekday).
CREATE TABLE sla_calendar_days (
    calendar_id BIGINT NOT NULL REFERENCES sla_calendars (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    as_weekday  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (calendar_id, day)
);

-- What a plan promises beyond its name: kept beside directory's plan row.
CREATE TABLE sla_plans (
    plan_id            BIGINT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    calendar_id        BIGINT REFERENCES sla_calendars (id),
    is_default         BOOLEAN NOT NULL DEFAULT FALSE,
    channels           TEXT NOT NULL DEFAULT '',
    portal_access      BOOLEAN NOT NULL DEFAULT TRUE,
    pause_on_hold      BOOLEAN NOT NULL DEFAULT FALSE,
    warn_percent       INTEGER NOT NULL DEFAULT 75,
    included_minutes   INTEGER NOT NULL DEFAULT 0,
    hourly_rate_cents  BIGINT NOT NULL DEFAULT 0,
    currency           TEXT NOT NULL DEFAULT '',
    escalate_on        TEXT NOT NULL DEFAULT '',
    escalate_next_line BOOLEAN NOT NULL DEFAULT FALSE,
    escalate_group_id  BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    raise_priority     BOOLEAN NOT NULL DEFAULT FALSE,
    notify_agent_id    BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX sla_plans_calendar ON sla_plans (calendar_id);
-- At most one plan is the default.
CREATE UNIQUE INDEX sla_plans_default ON sla_plans (is_default) WHERE is_default;

-- Targets in working minutes per priority; a null target is not tracked.
CREATE TABLE sla_targets (
    plan_id            BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    priority           TEXT NOT NULL,
    first_response_min INTEGER,
    next_response_min  INTEGER,
    resolution_min     INTEGER,
    PRIMARY KEY (plan_id, priority)
);

-- +goose Down
DROP TABLE sla_targets;
DROP TABLE sla_plans;
DROP TABLE sla_calendar_days;
DROP TABLE sla_calendar_windows;
DROP TABLE sla_calendars;
