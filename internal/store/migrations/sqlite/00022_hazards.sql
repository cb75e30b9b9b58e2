-- Hazard register (issue 10, INS-013 to INS-018, SMP-016): the hazards with
-- their gap-free numbers per company and year, the append-only timeline of
-- every step (who, when), the rectification notices (INS-013, INS-015) with
-- the customer's signature or the witnessed refusal, the filings with the
-- authorities (INS-015, INS-016), the follow-ups (追踪记录, INS-013) and the
-- verification records (INS-016). The hazards row is the current state;
-- every other table is insert-only. Instants are Unix microseconds (UTC);
-- 0 = not yet. Dates are YYYY-MM-DD.

-- +goose Up
-- One row per company and year: the last number given (H-2026-0114).
CREATE TABLE hazard_sequences (
    company_id INTEGER  NOT NULL REFERENCES org_units(id),
    year       INTEGER  NOT NULL,
    last       INTEGER  NOT NULL,
    PRIMARY KEY (company_id, year)
);

CREATE TABLE hazards (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL,              -- unique within the company (H-2026-0114)
    company_id       INTEGER  NOT NULL REFERENCES org_units(id),
    pack             TEXT    NOT NULL,
    pack_version     INTEGER  NOT NULL,
    source           TEXT    NOT NULL CHECK (source IN ('inspection', 'sampling', 'staff', 'customer', 'public')),
    source_id        INTEGER,                         -- the inspection record or ledger entry
    customer_id      INTEGER  REFERENCES customers(id),
    service_point_id INTEGER  REFERENCES service_points(id),
    customer_name    TEXT    NOT NULL DEFAULT '',  -- snapshot for the notices
    customer_address TEXT    NOT NULL DEFAULT '',
    important        INTEGER NOT NULL DEFAULT 0, -- an approved important customer when found (INS-015)
    location         TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    severity         TEXT    NOT NULL CHECK (severity IN ('minor', 'general', 'larger', 'serious')),
    responsibility   TEXT    NOT NULL CHECK (responsibility IN ('customer', 'company')),
    reporter_id      INTEGER  REFERENCES users(id),
    reporter_name    TEXT    NOT NULL DEFAULT '',  -- a customer or member of the public
    reporter_phone   TEXT    NOT NULL DEFAULT '',
    -- SMP-016: to whom (a person, a unit) and when the hazard was handed over
    handed_to        TEXT    NOT NULL DEFAULT '',
    handed_unit_id   INTEGER  REFERENCES org_units(id),
    handed_at        INTEGER  NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL CHECK (status IN ('found', 'notified', 'rectifying', 'refused_to_sign',
                         'escalated', 'disconnection_ordered', 'disconnected', 'verified', 'restored', 'closed')),
    review           INTEGER NOT NULL DEFAULT 0, -- refusal to sign: flagged for INS-016 review
    found_at         INTEGER  NOT NULL,
    deadline_on      TEXT    NOT NULL DEFAULT '',  -- the rectification deadline of the latest notice
    deadline_at      INTEGER  NOT NULL DEFAULT 0,    -- its end on the pack calendar
    follow_up_due_at INTEGER  NOT NULL DEFAULT 0,    -- INS-013
    escalated_at     INTEGER  NOT NULL DEFAULT 0,
    disconnect_ordered_at INTEGER NOT NULL DEFAULT 0,
    disconnected_at  INTEGER  NOT NULL DEFAULT 0,
    verified_at      INTEGER  NOT NULL DEFAULT 0,
    restored_at      INTEGER  NOT NULL DEFAULT 0,
    closed_at        INTEGER  NOT NULL DEFAULT 0,
    created_by       INTEGER  REFERENCES users(id),
    created_at       INTEGER  NOT NULL,
    updated_at       INTEGER  NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX hazards_company ON hazards (company_id, id);
CREATE INDEX hazards_status ON hazards (status, company_id, id);
CREATE INDEX hazards_customer ON hazards (customer_id, id);
CREATE INDEX hazards_source ON hazards (source, source_id);
CREATE INDEX hazards_deadline ON hazards (deadline_at, status);

-- The timeline: every step with its time and actor (INS-016 states).
CREATE TABLE hazard_events (
    id          INTEGER PRIMARY KEY,
    hazard_id   INTEGER  NOT NULL REFERENCES hazards(id),
    kind        TEXT    NOT NULL,  -- registered, notice, signed, refused, filed, follow_up, deadline_passed, escalated, …
    status      TEXT    NOT NULL,  -- the status after the step
    at          INTEGER  NOT NULL,
    actor_id    INTEGER  REFERENCES users(id),  -- NULL: kefu itself (a timer)
    note        TEXT    NOT NULL DEFAULT '',
    ref_id      INTEGER                         -- the notice, follow-up, filing or verification
);
CREATE INDEX hazard_events_hazard ON hazard_events (hazard_id, id);

-- Rectification notices (INS-013) and deadline notices (INS-015).
CREATE TABLE hazard_notices (
    id          INTEGER PRIMARY KEY,
    hazard_id   INTEGER  NOT NULL REFERENCES hazards(id),
    number      TEXT    NOT NULL,              -- the hazard number and a sequence: H-2026-0114-1
    kind        TEXT    NOT NULL CHECK (kind IN ('rectification', 'opinion', 'deadline')),
    risk        TEXT    NOT NULL,              -- the risk explained to the customer
    measures    TEXT    NOT NULL DEFAULT '',   -- what must be done
    deadline_on TEXT    NOT NULL,
    deadline_at INTEGER  NOT NULL,
    issued_at   INTEGER  NOT NULL,
    issued_by   INTEGER  REFERENCES users(id),
    UNIQUE (hazard_id, number)
);
CREATE INDEX hazard_notices_hazard ON hazard_notices (hazard_id, id);

-- The customer's signature of a notice, or the refusal with its witness.
CREATE TABLE hazard_signatures (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER  NOT NULL UNIQUE REFERENCES hazard_notices(id),
    refused     INTEGER NOT NULL,
    signer      TEXT    NOT NULL DEFAULT '',   -- who signed for the customer
    witness     TEXT    NOT NULL DEFAULT '',   -- who witnessed a refusal
    at          INTEGER  NOT NULL,
    recorded_by INTEGER  REFERENCES users(id)
);

-- Filings with the authorities: a deadline notice (INS-015) or a report of
-- the case (INS-016).
CREATE TABLE hazard_filings (
    id          INTEGER PRIMARY KEY,
    hazard_id   INTEGER  NOT NULL REFERENCES hazards(id),
    notice_id   INTEGER  REFERENCES hazard_notices(id),
    purpose     TEXT    NOT NULL CHECK (purpose IN ('notice', 'escalation')),
    body        TEXT    NOT NULL,              -- a key of the pack's hazards.bodies
    filed_on    TEXT    NOT NULL,
    reference   TEXT    NOT NULL DEFAULT '',
    recorded_by INTEGER  REFERENCES users(id),
    created_at  INTEGER  NOT NULL
);
CREATE INDEX hazard_filings_hazard ON hazard_filings (hazard_id, id);

-- 安全隐患整改追踪记录 (INS-013).
CREATE TABLE hazard_follow_ups (
    id          INTEGER PRIMARY KEY,
    hazard_id   INTEGER  NOT NULL REFERENCES hazards(id),
    method      TEXT    NOT NULL CHECK (method IN ('on_site', 'phone')),
    done_at     INTEGER  NOT NULL,
    found       TEXT    NOT NULL,
    next_due_at INTEGER  NOT NULL,
    recorded_by INTEGER  REFERENCES users(id),
    created_at  INTEGER  NOT NULL
);
CREATE INDEX hazard_follow_ups_hazard ON hazard_follow_ups (hazard_id, id);

-- Verification of the rectification (INS-016): supply is restored only after one.
CREATE TABLE hazard_verifications (
    id          INTEGER PRIMARY KEY,
    hazard_id   INTEGER  NOT NULL REFERENCES hazards(id),
    verified_at INTEGER  NOT NULL,
    verifier    TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    result      TEXT    NOT NULL,
    recorded_by INTEGER  REFERENCES users(id),
    created_at  INTEGER  NOT NULL
);
CREATE INDEX hazard_verifications_hazard ON hazard_verifications (hazard_id, id);

-- +goose Down
DROP TABLE hazard_verifications;
DROP TABLE hazard_follow_ups;
DROP TABLE hazard_filings;
DROP TABLE hazard_signatures;
DROP TABLE hazard_notices;
DROP TABLE hazard_events;
DROP TABLE hazards;
DROP TABLE hazard_sequences;
