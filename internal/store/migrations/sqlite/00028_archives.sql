-- Archives (issue 13, ARC-001 to ARC-019, SEC-009): the archive
-- departments a company binds to its org units with their custodians;
-- files (一户一档 per property unit or shop, per customer, litigation
-- cases, yearly complaint case files) with their volumes per category
-- (立卷/编号) and the documents checked in and filed the same day;
-- cross-references; legal holds; confidentiality level changes; loans
-- with their approvals and chasing; destruction lists and records;
-- scheduled handovers between departments; inspections with findings.
--
-- Evidence is append-only in the database: approvals, chases, holds and
-- the volumes of a destruction list; an executed destruction record is
-- never changed or deleted (ARC-015). Rows belong to the company
-- (company_id). Instants are Unix microseconds (UTC), 0 = not yet; dates
-- are YYYY-MM-DD.

-- +goose Up
CREATE TABLE archive_sequences (
    company_id BIGINT NOT NULL REFERENCES org_units(id),
    kind       TEXT   NOT NULL,                                   -- loan, destruction, handover, litigation, general
    year       BIGINT NOT NULL,
    last       BIGINT NOT NULL,
    PRIMARY KEY (company_id, kind, year)
);

-- Which org unit plays which archive department of the pack, per company,
-- and its dedicated custodian (ARC-004).
CREATE TABLE archive_departments (
    id           INTEGER PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES org_units(id),
    dept_key     TEXT   NOT NULL,                                 -- pack archives.departments key: gmo, customer_affairs …
    unit_id      BIGINT NOT NULL REFERENCES org_units(id),
    custodian_id BIGINT REFERENCES users(id),
    updated_by   BIGINT REFERENCES users(id),
    updated_at   BIGINT NOT NULL,
    UNIQUE (company_id, dept_key)
);

-- A file (档案): one per property unit or shop (一户一档, ARC-002), per
-- customer without a unit, per litigation case, per year of complaints
-- (ARC-017), or a general file.
CREATE TABLE archive_files (
    id               INTEGER PRIMARY KEY,
    company_id       BIGINT NOT NULL REFERENCES org_units(id),
    number           TEXT   NOT NULL,
    kind             TEXT   NOT NULL CHECK (kind IN ('unit', 'shop', 'customer', 'litigation', 'case_year', 'general')),
    title            TEXT   NOT NULL,
    customer_id      BIGINT REFERENCES customers(id),
    service_point_id BIGINT REFERENCES service_points(id),
    project          TEXT   NOT NULL DEFAULT '',
    building         TEXT   NOT NULL DEFAULT '',
    unit_no          TEXT   NOT NULL DEFAULT '',
    year             BIGINT NOT NULL DEFAULT 0,                   -- case_year files: the year of receipt
    sort_key         TEXT   NOT NULL,                             -- project, homes before shops (ARC-010)
    level            TEXT   NOT NULL,                             -- confidentiality level (ARC-005)
    chain            TEXT   NOT NULL DEFAULT '',                  -- lending chain key; '' = the pack's default (ARC-012)
    holder_unit_id   BIGINT NOT NULL REFERENCES org_units(id),    -- the department holding it (ARC-004)
    location         TEXT   NOT NULL DEFAULT '',                  -- shelf, cabinet
    on_hold          BIGINT NOT NULL DEFAULT 0,                   -- 1 under legal hold (archive_holds)
    state            TEXT   NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'destroyed')),
    created_by       BIGINT REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE UNIQUE INDEX archive_files_point ON archive_files (service_point_id) WHERE service_point_id IS NOT NULL;
CREATE UNIQUE INDEX archive_files_case_year ON archive_files (company_id, year) WHERE kind = 'case_year';
CREATE INDEX archive_files_customer ON archive_files (customer_id, id);
CREATE INDEX archive_files_sort ON archive_files (company_id, sort_key, id);
CREATE INDEX archive_files_holder ON archive_files (holder_unit_id, id);

-- A volume (案卷): the documents of one category of a file, assembled and
-- numbered (立卷/编号, ARC-010); retention runs per volume from its
-- archiving date (ARC-014).
CREATE TABLE archive_volumes (
    id               INTEGER PRIMARY KEY,
    file_id          BIGINT NOT NULL REFERENCES archive_files(id),
    company_id       BIGINT NOT NULL REFERENCES org_units(id),
    category         TEXT   NOT NULL,
    number           TEXT   NOT NULL,                             -- XD-03-0501-3.2
    state            TEXT   NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'archived', 'destroyed')),
    archived_on      TEXT   NOT NULL DEFAULT '',                  -- YYYY-MM-DD, '' while open
    archived_by      BIGINT REFERENCES users(id),
    retention_months BIGINT NOT NULL DEFAULT 0,                   -- 0 = permanent
    eligible_on      TEXT   NOT NULL DEFAULT '',                  -- first day it may be destroyed; '' = never / open
    pages            BIGINT NOT NULL DEFAULT 0,
    destruction_id   BIGINT,
    destroyed_at     BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (file_id, category),
    UNIQUE (company_id, number)
);
CREATE INDEX archive_volumes_eligible ON archive_volumes (company_id, state, eligible_on, category);

-- A document (文件/资料) checked in (签收) and filed (归档) the same day
-- (ARC-009): paper or electronic, with its electronic copy in documents.
CREATE TABLE archive_items (
    id             INTEGER PRIMARY KEY,
    company_id     BIGINT NOT NULL REFERENCES org_units(id),
    file_id        BIGINT REFERENCES archive_files(id),            -- NULL while in the intake tray
    volume_id      BIGINT REFERENCES archive_volumes(id),
    category       TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    medium         TEXT   NOT NULL CHECK (medium IN ('paper', 'electronic', 'photo', 'audio', 'video')),
    copy           BIGINT NOT NULL DEFAULT 0,                     -- 1 a copy, 0 the original
    pages          BIGINT NOT NULL DEFAULT 0,
    document_id    BIGINT REFERENCES documents(id),               -- the electronic copy
    sub_category   TEXT   NOT NULL DEFAULT '',                    -- lease_period (ARC-002 c)
    source_type    TEXT   NOT NULL DEFAULT '',                    -- ticket, sales_deal …
    source_id      BIGINT,
    received_from  TEXT   NOT NULL DEFAULT '',                    -- who handed it in
    holder_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    received_at    BIGINT NOT NULL,
    received_by    BIGINT REFERENCES users(id),
    filing_due_at  BIGINT NOT NULL,                               -- ARC-009: the end of the day of receipt
    filed_at       BIGINT NOT NULL DEFAULT 0,
    filed_by       BIGINT REFERENCES users(id),
    state          TEXT   NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'filed', 'destroyed')),
    created_at     BIGINT NOT NULL
);
CREATE INDEX archive_items_file ON archive_items (file_id, category, id);
CREATE INDEX archive_items_volume ON archive_items (volume_id);
CREATE INDEX archive_items_tray ON archive_items (company_id, state, filing_due_at);
CREATE UNIQUE INDEX archive_items_source ON archive_items (source_type, source_id, category) WHERE source_id IS NOT NULL;

-- Cross-references between files (ARC-002): same owner, litigation
-- pointer, lease to sale, copy.
CREATE TABLE archive_links (
    id            INTEGER PRIMARY KEY,
    file_id       BIGINT NOT NULL REFERENCES archive_files(id),
    other_file_id BIGINT NOT NULL REFERENCES archive_files(id),
    relation      TEXT   NOT NULL CHECK (relation IN ('same_owner', 'litigation', 'lease_sale', 'copy', 'related')),
    note          TEXT   NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    UNIQUE (file_id, other_file_id, relation)
);
CREATE INDEX archive_links_other ON archive_links (other_file_id);

-- Legal holds, placed and released (never destroyed while held, ARC-015).
CREATE TABLE archive_holds (
    id         INTEGER PRIMARY KEY,
    file_id    BIGINT NOT NULL REFERENCES archive_files(id),
    action     TEXT   NOT NULL CHECK (action IN ('place', 'release')),
    reason     TEXT   NOT NULL,
    by_user    BIGINT REFERENCES users(id),
    at         BIGINT NOT NULL
);
CREATE INDEX archive_holds_file ON archive_holds (file_id, id);

-- Raising (or lowering) a file's confidentiality level: both the handling
-- department and the archive office approve (ARC-005).
CREATE TABLE archive_level_changes (
    id           INTEGER PRIMARY KEY,
    file_id      BIGINT NOT NULL REFERENCES archive_files(id),
    from_level   TEXT   NOT NULL,
    to_level     TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    state        TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected', 'cancelled')),
    requested_by BIGINT REFERENCES users(id),
    requested_at BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX archive_level_changes_file ON archive_level_changes (file_id, id);

-- Loans (借阅, ARC-011, ARC-012): requested, approved step by step,
-- registered and lent with a due date, chased, returned.
CREATE TABLE archive_loans (
    id            INTEGER PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES org_units(id),
    number        TEXT   NOT NULL,
    file_id       BIGINT NOT NULL REFERENCES archive_files(id),
    borrower_id   BIGINT NOT NULL REFERENCES users(id),
    purpose       TEXT   NOT NULL,
    mode          TEXT   NOT NULL CHECK (mode IN ('take_out', 'view')),  -- take the file out, or view it in the archive / on screen
    chain         TEXT   NOT NULL,
    state         TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'lent', 'returned')),
    requested_at  BIGINT NOT NULL,
    wanted_days   BIGINT NOT NULL DEFAULT 0,                      -- 0 = the pack's loan period
    approved_at   BIGINT NOT NULL DEFAULT 0,
    lent_at       BIGINT NOT NULL DEFAULT 0,
    lent_by       BIGINT REFERENCES users(id),
    due_at        BIGINT NOT NULL DEFAULT 0,
    returned_at   BIGINT NOT NULL DEFAULT 0,
    returned_to   BIGINT REFERENCES users(id),
    return_note   TEXT   NOT NULL DEFAULT '',
    reminded_on   TEXT   NOT NULL DEFAULT '',                     -- last reminder day (YYYY-MM-DD)
    reminders     BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX archive_loans_file ON archive_loans (file_id, id);
CREATE INDEX archive_loans_borrower ON archive_loans (borrower_id, state, id);
CREATE INDEX archive_loans_due ON archive_loans (state, due_at);

-- Approval decisions of loans, destruction lists and level changes
-- (ARC-005, ARC-012, ARC-015); append-only.
CREATE TABLE archive_approvals (
    id         INTEGER PRIMARY KEY,
    subject    TEXT   NOT NULL CHECK (subject IN ('loan', 'destruction', 'level')),
    subject_id BIGINT NOT NULL,
    step       BIGINT NOT NULL,                                   -- 0-based index in the chain
    step_key   TEXT   NOT NULL,
    decision   TEXT   NOT NULL CHECK (decision IN ('approve', 'reject')),
    by_user    BIGINT NOT NULL REFERENCES users(id),
    at         BIGINT NOT NULL,
    note       TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX archive_approvals_subject ON archive_approvals (subject, subject_id, id);

-- Reminders and chasing of overdue loans (催收, ARC-011); append-only.
CREATE TABLE archive_chases (
    id      INTEGER PRIMARY KEY,
    loan_id BIGINT NOT NULL REFERENCES archive_loans(id),
    kind    TEXT   NOT NULL CHECK (kind IN ('reminder', 'chase')),  -- automatic reminder, or the custodian's chase
    by_user BIGINT REFERENCES users(id),
    at      BIGINT NOT NULL,
    note    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX archive_chases_loan ON archive_chases (loan_id, id);

-- Destruction lists and, once executed, the permanent destruction record
-- (销毁记录, ARC-015).
CREATE TABLE archive_destructions (
    id          INTEGER PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES org_units(id),
    number      TEXT   NOT NULL,
    state       TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'executed')),
    note        TEXT   NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    approved_at BIGINT NOT NULL DEFAULT 0,
    executed_at BIGINT NOT NULL DEFAULT 0,
    executed_by BIGINT REFERENCES users(id),
    method      TEXT   NOT NULL DEFAULT '',                       -- shredding, incineration, erasure
    witness     TEXT   NOT NULL DEFAULT '',
    UNIQUE (company_id, number)
);
CREATE TABLE archive_destruction_volumes (
    destruction_id BIGINT NOT NULL REFERENCES archive_destructions(id),
    volume_id      BIGINT NOT NULL REFERENCES archive_volumes(id),
    eligible_on    TEXT   NOT NULL,
    PRIMARY KEY (destruction_id, volume_id)
);
CREATE INDEX archive_destruction_volumes_volume ON archive_destruction_volumes (volume_id);

-- Scheduled handovers between departments (ARC-006 to ARC-009).
CREATE TABLE archive_handovers (
    id            INTEGER PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES org_units(id),
    number        TEXT   NOT NULL,
    schedule      TEXT   NOT NULL,                                -- pack handovers key
    period        TEXT   NOT NULL,                                -- event: the event date and reference; else the period (2026-Q3, 2026-H1, 2026-04-06)
    from_unit_id  BIGINT NOT NULL REFERENCES org_units(id),
    to_unit_id    BIGINT NOT NULL REFERENCES org_units(id),
    event_on      TEXT   NOT NULL DEFAULT '',                     -- the event date of an event handover
    event_note    TEXT   NOT NULL DEFAULT '',
    due_at        BIGINT NOT NULL,
    provisional   BIGINT NOT NULL DEFAULT 0,
    state         TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'submitted', 'received')),
    submitted_at  BIGINT NOT NULL DEFAULT 0,
    submitted_by  BIGINT REFERENCES users(id),
    received_at   BIGINT NOT NULL DEFAULT 0,
    received_by   BIGINT REFERENCES users(id),
    note          TEXT   NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    UNIQUE (company_id, number),
    UNIQUE (company_id, schedule, period)
);
CREATE INDEX archive_handovers_due ON archive_handovers (company_id, state, due_at);
CREATE TABLE archive_handover_files (
    handover_id BIGINT NOT NULL REFERENCES archive_handovers(id),
    file_id     BIGINT NOT NULL REFERENCES archive_files(id),
    missing     TEXT   NOT NULL DEFAULT '[]',                     -- ARC-003 checklist items missing, JSON
    copy_kept   BIGINT NOT NULL DEFAULT 0,                        -- a copy stays with the sender (ARC-009)
    PRIMARY KEY (handover_id, file_id)
);

-- Archive inspections and their findings tracked to closure (ARC-019).
CREATE TABLE archive_inspections (
    id           INTEGER PRIMARY KEY,
    company_id   BIGINT NOT NULL REFERENCES org_units(id),
    unit_id      BIGINT NOT NULL REFERENCES org_units(id),        -- the department inspected
    inspected_on TEXT   NOT NULL,
    inspector_id BIGINT REFERENCES users(id),
    summary      TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX archive_inspections_company ON archive_inspections (company_id, inspected_on);
CREATE TABLE archive_findings (
    id            INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES archive_inspections(id),
    file_id       BIGINT REFERENCES archive_files(id),
    finding       TEXT   NOT NULL,
    due_on        TEXT   NOT NULL DEFAULT '',
    closed_at     BIGINT NOT NULL DEFAULT 0,
    closed_by     BIGINT REFERENCES users(id),
    closing_note  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX archive_findings_open ON archive_findings (inspection_id, closed_at);

-- +goose StatementBegin
CREATE TRIGGER archive_approvals_no_update BEFORE UPDATE ON archive_approvals
BEGIN
    SELECT RAISE(ABORT, 'archive_approvals are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_approvals_no_delete BEFORE DELETE ON archive_approvals
BEGIN
    SELECT RAISE(ABORT, 'archive_approvals are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_chases_no_update BEFORE UPDATE ON archive_chases
BEGIN
    SELECT RAISE(ABORT, 'archive_chases are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_chases_no_delete BEFORE DELETE ON archive_chases
BEGIN
    SELECT RAISE(ABORT, 'archive_chases are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_holds_no_update BEFORE UPDATE ON archive_holds
BEGIN
    SELECT RAISE(ABORT, 'archive_holds are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_holds_no_delete BEFORE DELETE ON archive_holds
BEGIN
    SELECT RAISE(ABORT, 'archive_holds are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_destruction_volumes_no_update BEFORE UPDATE ON archive_destruction_volumes
BEGIN
    SELECT RAISE(ABORT, 'archive_destruction_volumes are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_destruction_volumes_no_delete BEFORE DELETE ON archive_destruction_volumes
BEGIN
    SELECT RAISE(ABORT, 'archive_destruction_volumes are append-only (ARC-015, SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_destructions_executed_no_update BEFORE UPDATE ON archive_destructions
WHEN OLD.state = 'executed'
BEGIN
    SELECT RAISE(ABORT, 'an executed destruction record is kept permanently (ARC-015)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_destructions_executed_no_delete BEFORE DELETE ON archive_destructions
WHEN OLD.state = 'executed'
BEGIN
    SELECT RAISE(ABORT, 'an executed destruction record is kept permanently (ARC-015)');
END;
-- +goose StatementEnd
-- +goose Down
DROP TABLE archive_findings;
DROP TABLE archive_inspections;
DROP TABLE archive_handover_files;
DROP TABLE archive_handovers;
DROP TABLE archive_destruction_volumes;
DROP TABLE archive_destructions;
DROP TABLE archive_chases;
DROP TABLE archive_approvals;
DROP TABLE archive_loans;
DROP TABLE archive_level_changes;
DROP TABLE archive_holds;
DROP TABLE archive_links;
DROP TABLE archive_items;
DROP TABLE archive_volumes;
DROP TABLE archive_files;
DROP TABLE archive_departments;
DROP TABLE archive_sequences;
