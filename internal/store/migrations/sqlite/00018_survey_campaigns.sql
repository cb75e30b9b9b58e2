-- Satisfaction-survey campaigns (issue 9, SUR-001..SUR-011): the plan
-- (purpose, scope, channel, timing, cheating penalties), the counts of the
-- campaign, its status and, once closed, the last day each record is kept
-- (ARC-014: report and forms 2 years, plan 1 year from the close, not
-- extended off holidays). Instants are Unix microseconds (UTC); 0 = not
-- yet. Dates are YYYY-MM-DD; '' = not yet.

-- +goose Up
CREATE TABLE survey_sequences (
    year TEXT    PRIMARY KEY, -- DC2026
    last INTEGER NOT NULL
);

CREATE TABLE survey_campaigns (
    id                INTEGER PRIMARY KEY,
    number            TEXT    NOT NULL UNIQUE,                  -- DC2026-0001
    pack              TEXT    NOT NULL,
    pack_version      INTEGER NOT NULL,
    company_id        INTEGER NOT NULL REFERENCES org_units(id), -- the row scope
    title             TEXT    NOT NULL,
    purpose           TEXT    NOT NULL DEFAULT '',
    scope_text        TEXT    NOT NULL DEFAULT '',
    channel           TEXT    NOT NULL CHECK (channel IN ('phone', 'email', 'fax', 'face_to_face', 'paper')),
    starts_on         TEXT    NOT NULL,
    ends_on           TEXT    NOT NULL,
    households        INTEGER NOT NULL DEFAULT 0,
    distributed       INTEGER NOT NULL DEFAULT 0,
    returned          INTEGER NOT NULL DEFAULT 0,
    verified          INTEGER NOT NULL DEFAULT 0,
    genuine           INTEGER NOT NULL DEFAULT 0,
    answered          INTEGER NOT NULL DEFAULT 0,
    satisfied         INTEGER NOT NULL DEFAULT 0,
    status            TEXT    NOT NULL CHECK (status IN ('planned', 'running', 'closed')),
    penalties         TEXT    NOT NULL DEFAULT '', -- SUR-002/SUR-006: penalties for cheating
    improvement_plan  TEXT    NOT NULL DEFAULT '', -- SUR-011: required to close
    created_by        INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    closed_at         INTEGER NOT NULL DEFAULT 0,
    report_keep_until TEXT    NOT NULL DEFAULT '', -- ARC-014: 2 years
    forms_keep_until  TEXT    NOT NULL DEFAULT '', -- ARC-014: 2 years
    plan_keep_until   TEXT    NOT NULL DEFAULT ''  -- ARC-014: 1 year
);
CREATE INDEX survey_campaigns_company ON survey_campaigns (company_id, status);

-- +goose Down
DROP TABLE survey_campaigns;
DROP TABLE survey_sequences;
