-- Planned safety inspections (issue 10, INS-001 to INS-012, CAL-010).
--
-- Plans (INS-009): one per company and period (a month "2026-04", a
-- quarter "2026-Q2", a year "2026"), generated from the company's service
-- points and their inspection history under the company's pack. Each item
-- is one inspection due: a point, a track (periodic, grid_marketing, …)
-- with its winning cycle, or a campaign (INS-002), numbered (seq) within
-- its obligation in the plan so that regenerating the plan keeps the
-- item's team, inspector and completion. Items are broken down to a team
-- (an org unit of the company) by the department manager and to an
-- inspector by the team leader; a closed record completes them.
--
-- Records: an inspection of a service point by an inspector at a time,
-- with the pack's checklist answers (INS-010), the customer copy of a
-- two-copy form (INS-012), the acknowledgements, the customer's signature
-- or refusal, the hazards found (registered in the hazard register when
-- the record closes) and the work sheet's target (INS-011). A closed record
-- is never changed or deleted (triggers below): a correction is a new
-- record that references it (corrects_id).
--
-- Instants are Unix microseconds (UTC); 0 = not yet. Dates are YYYY-MM-DD
-- on the pack's calendar. List queries: a plan's items by status and due
-- time, by team and by inspector; the overdue items of a company; a
-- point's items (completion), a record's items; records by point and track (history), by
-- inspector and day (SMP-006 populations), newest first.

-- +goose Up
CREATE TABLE inspection_plans (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES org_units(id),
    pack         TEXT    NOT NULL,
    pack_version INTEGER NOT NULL,
    calendar     TEXT    NOT NULL,
    period       TEXT    NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    period_key   TEXT    NOT NULL,            -- 2026-04, 2026-Q2, 2026
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    points       INTEGER NOT NULL DEFAULT 0,  -- service points considered
    unplanned    INTEGER NOT NULL DEFAULT 0,  -- points no cycle or campaign applies to
    provisional  INTEGER NOT NULL DEFAULT 0,  -- a due date touched a year without an official notice
    generated_at INTEGER NOT NULL,
    generated_by INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    UNIQUE (company_id, period_key)
);
CREATE INDEX inspection_plans_company ON inspection_plans (company_id, starts_on);

CREATE TABLE inspection_plan_items (
    id               INTEGER PRIMARY KEY,
    plan_id          INTEGER NOT NULL REFERENCES inspection_plans(id),
    company_id       INTEGER NOT NULL REFERENCES org_units(id),
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    service_point_id INTEGER NOT NULL REFERENCES service_points(id),
    archive_no       TEXT    NOT NULL,
    address          TEXT    NOT NULL DEFAULT '',
    track            TEXT    NOT NULL DEFAULT '',  -- '' for a campaign
    cycle            TEXT    NOT NULL DEFAULT '',  -- the winning cycle (INS-008)
    campaign         TEXT    NOT NULL DEFAULT '',  -- INS-002; '' for a track
    seq              INTEGER NOT NULL,
    checklist        TEXT    NOT NULL DEFAULT '',
    rules            TEXT    NOT NULL DEFAULT '',  -- comma-separated rule IDs
    combinable       TEXT    NOT NULL DEFAULT '',  -- campaigns one visit may also satisfy
    basis            TEXT    NOT NULL,             -- completion, activation, now, window
    due_from         TEXT    NOT NULL DEFAULT '',
    due_on           TEXT    NOT NULL,             -- the last day; the period's first day when due now
    due_at           INTEGER NOT NULL,             -- the deadline
    overdue_at_start INTEGER NOT NULL DEFAULT 0,   -- already overdue when the period began
    provisional      INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL CHECK (status IN ('open', 'done', 'withdrawn')),
    team_id          INTEGER REFERENCES org_units(id),
    team_by          INTEGER REFERENCES users(id),
    team_at          INTEGER NOT NULL DEFAULT 0,
    inspector_id     INTEGER REFERENCES users(id),
    inspector_by     INTEGER REFERENCES users(id),
    inspector_at     INTEGER NOT NULL DEFAULT 0,
    record_id        INTEGER,                      -- the record that did it
    done_on          TEXT    NOT NULL DEFAULT '',
    UNIQUE (plan_id, service_point_id, track, campaign, seq)
);
CREATE INDEX inspection_plan_items_plan ON inspection_plan_items (plan_id, status, due_at);
CREATE INDEX inspection_plan_items_team ON inspection_plan_items (plan_id, team_id, status);
CREATE INDEX inspection_plan_items_inspector ON inspection_plan_items (inspector_id, status, due_at);
CREATE INDEX inspection_plan_items_overdue ON inspection_plan_items (company_id, status, due_at);
CREATE INDEX inspection_plan_items_point ON inspection_plan_items (service_point_id, plan_id);
CREATE INDEX inspection_plan_items_record ON inspection_plan_items (record_id, plan_id);

-- A plan generation reads a company's service points in id order, 500 at
-- a time.
CREATE INDEX inspection_service_points_company ON service_points (company_id, id);

CREATE TABLE inspection_records (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES org_units(id),
    pack              TEXT    NOT NULL,
    pack_version      INTEGER NOT NULL,
    customer_id       INTEGER NOT NULL REFERENCES customers(id),
    service_point_id  INTEGER NOT NULL REFERENCES service_points(id),
    archive_no        TEXT    NOT NULL,
    track             TEXT    NOT NULL DEFAULT '',  -- the periodic obligation inspected
    cycle             TEXT    NOT NULL DEFAULT '',
    campaign          TEXT    NOT NULL DEFAULT '',  -- the campaign inspected (INS-002)
    rules             TEXT    NOT NULL DEFAULT '',  -- the rules it satisfies (INS-008)
    inspector_id      INTEGER NOT NULL REFERENCES users(id),
    inspected_at      INTEGER NOT NULL,
    inspected_on      TEXT    NOT NULL,              -- the day, on the pack's calendar
    answers           TEXT    NOT NULL DEFAULT '{}', -- checklist → item → entry (the stub copy)
    customer_copy     TEXT    NOT NULL DEFAULT '{}', -- checklist → item → entry (INS-012)
    acknowledgements  TEXT    NOT NULL DEFAULT '{}', -- INS-010
    signature         TEXT    NOT NULL DEFAULT '',   -- the customer's signature (INS-012)
    signature_refused INTEGER NOT NULL DEFAULT 0,
    refusal_witness   TEXT    NOT NULL DEFAULT '',
    hazards           TEXT    NOT NULL DEFAULT '[]', -- findings; hazard ids once closed
    note              TEXT    NOT NULL DEFAULT '',
    work_sheet        TEXT    NOT NULL DEFAULT '',   -- INS-011 work sheet key, '' none
    work_sheet_due_at INTEGER NOT NULL DEFAULT 0,    -- its warning target
    corrects_id       INTEGER REFERENCES inspection_records(id),
    status            TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at         INTEGER NOT NULL DEFAULT 0,
    closed_by         INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    created_by        INTEGER REFERENCES users(id),
    updated_at        INTEGER NOT NULL
);
CREATE INDEX inspection_records_point ON inspection_records (service_point_id, status, inspected_on);
CREATE INDEX inspection_records_inspector ON inspection_records (inspector_id, status, inspected_at);
CREATE INDEX inspection_records_company ON inspection_records (company_id, id);
CREATE INDEX inspection_records_corrects ON inspection_records (corrects_id);

-- +goose StatementBegin
CREATE TRIGGER inspection_records_closed_no_update BEFORE UPDATE ON inspection_records
WHEN OLD.status = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'a closed inspection record is not changed: record a correction');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_records_no_delete BEFORE DELETE ON inspection_records
BEGIN
    SELECT RAISE(ABORT, 'inspection_records are not deleted');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_records_no_replace BEFORE INSERT ON inspection_records
WHEN EXISTS (SELECT 1 FROM inspection_records WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'inspection_records are not replaced');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE inspection_records;
DROP INDEX inspection_service_points_company;
DROP TABLE inspection_plan_items;
DROP TABLE inspection_plans;
