-- Calendars (issue 3, CAL-001, CAL-002): calendars with their zone and
-- business hours; day tables shared by calendars (cn and cn-office share
-- "cn"); official arrangements imported from State Council notices; days set
-- by an administrator. The built-in 2024–2026 arrangements live in the binary.

-- +goose Up
CREATE TABLE calendars (
    id             TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    time_zone      TEXT    NOT NULL,
    business_hours TEXT    NOT NULL DEFAULT '[]',
    day_table      TEXT    NOT NULL,
    builtin        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);

CREATE TABLE calendar_years (
    day_table   TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    days        TEXT    NOT NULL,
    notice      TEXT    NOT NULL DEFAULT '',
    imported_at BIGINT  NOT NULL,
    imported_by BIGINT,
    PRIMARY KEY (day_table, year)
);

CREATE TABLE calendar_days (
    day_table  TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('workday', 'rest', 'holiday')),
    name       TEXT    NOT NULL DEFAULT '',
    updated_at BIGINT  NOT NULL,
    updated_by BIGINT,
    PRIMARY KEY (day_table, date)
);

-- One row whose counter every calendar change bumps, so that each kefu
-- process of a cluster notices changes made by the others.
CREATE TABLE calendar_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 0);

-- +goose Down
DROP TABLE calendar_version;
DROP TABLE calendar_days;
DROP TABLE calendar_years;
DROP TABLE calendars;
