-- Business processes (issue 8, PRC-001..PRC-043): a customer request run as
-- steps of a pack's process definition, each step owned by a role in a
-- unit, with its clock, checklist, gates, countersignatures and outcomes
-- that may loop back; the facts recorded on the way, the documents
-- received and produced, and the append-only timeline. Instants are Unix
-- microseconds (UTC); 0 = not yet.

-- +goose Up
-- Process numbers are a prefix, the day and a daily sequence.
CREATE TABLE process_sequences (
    day  TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE processes (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL UNIQUE,
    pack             TEXT    NOT NULL,
    pack_version     INTEGER NOT NULL,
    definition       TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
    customer_id      INTEGER REFERENCES customers(id),
    service_point_id INTEGER REFERENCES service_points(id),
    unit_id          INTEGER NOT NULL REFERENCES org_units(id), -- where it was started
    attributes       TEXT    NOT NULL DEFAULT '{}',              -- JSON object
    applied_at       INTEGER NOT NULL,                           -- the application date (guards)
    current_step     TEXT    NOT NULL DEFAULT '',
    current_step_id  INTEGER,
    -- denormalised for the lists: the current step's unit and deadline
    step_unit_id     INTEGER REFERENCES org_units(id),
    step_role        TEXT    NOT NULL DEFAULT '',
    next_due_at      INTEGER NOT NULL DEFAULT 0,
    breached         INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    closed_at        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX processes_status ON processes (status, id);
CREATE INDEX processes_step_unit ON processes (step_unit_id, status, next_due_at);
CREATE INDEX processes_customer ON processes (customer_id, id);
CREATE INDEX processes_point ON processes (service_point_id, definition, id);
CREATE INDEX processes_definition ON processes (definition, current_step, id);

-- Every org unit through which a process is visible: where it was started
-- and every unit a step was routed to. Row scope is one EXISTS here.
CREATE TABLE process_units (
    process_id INTEGER NOT NULL REFERENCES processes(id),
    unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (process_id, unit_id)
);
CREATE INDEX process_units_unit ON process_units (unit_id, process_id);

-- One row per round of a step: a loop back makes a new round.
CREATE TABLE process_steps (
    id               INTEGER PRIMARY KEY,
    process_id       INTEGER NOT NULL REFERENCES processes(id),
    step             TEXT    NOT NULL,
    round            INTEGER NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'done', 'returned', 'skipped', 'cancelled')),
    unit_id          INTEGER NOT NULL REFERENCES org_units(id),
    role             TEXT    NOT NULL,
    previous_id      INTEGER REFERENCES process_steps(id), -- the round that led here (return goes back to it)
    activated_at     INTEGER NOT NULL,
    calendar         TEXT    NOT NULL DEFAULT '',
    limits           TEXT    NOT NULL DEFAULT '', -- comma-separated durations; the earliest counts
    clock_started_at INTEGER NOT NULL DEFAULT 0,
    due_at           INTEGER NOT NULL DEFAULT 0,
    warn_at          INTEGER NOT NULL DEFAULT 0,
    warned_at        INTEGER NOT NULL DEFAULT 0,
    breached_at      INTEGER NOT NULL DEFAULT 0,
    completed_at     INTEGER NOT NULL DEFAULT 0,
    outcome          TEXT    NOT NULL DEFAULT '',
    actor_id         INTEGER REFERENCES users(id),
    comment          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX process_steps_process ON process_steps (process_id, id);
CREATE INDEX process_steps_open ON process_steps (status, unit_id, due_at);

-- Facts recorded on a process (fees paid, contract signed …): set once.
CREATE TABLE process_facts (
    process_id  INTEGER NOT NULL REFERENCES processes(id),
    fact        TEXT    NOT NULL,
    at          INTEGER NOT NULL, -- when it became true (may be back-entered)
    recorded_at INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    PRIMARY KEY (process_id, fact)
);

-- Checklist documents received (PRC-002, PRC-007, PRC-010, PRC-018).
CREATE TABLE process_checklist (
    process_id  INTEGER NOT NULL REFERENCES processes(id),
    item        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    note        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (process_id, item)
);

-- Countersignatures of a step round (PRC-019, PRC-042).
CREATE TABLE process_signatures (
    step_id   INTEGER NOT NULL REFERENCES process_steps(id),
    party     TEXT    NOT NULL, -- the countersign party's key
    user_id   INTEGER REFERENCES users(id),
    signed_at INTEGER NOT NULL,
    comment   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (step_id, party)
);

-- Documents produced at steps (supply plan reply, rectification notice …):
-- what was printed is kept as it was.
CREATE TABLE process_documents (
    id         INTEGER PRIMARY KEY,
    process_id INTEGER NOT NULL REFERENCES processes(id),
    step_id    INTEGER NOT NULL REFERENCES process_steps(id),
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    content    TEXT    NOT NULL, -- JSON: the fields printed
    created_at INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES users(id)
);
CREATE INDEX process_documents_process ON process_documents (process_id, id);

-- The timeline: append-only in the database itself.
CREATE TABLE process_events (
    id         INTEGER PRIMARY KEY,
    process_id INTEGER NOT NULL REFERENCES processes(id),
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    step       TEXT    NOT NULL DEFAULT '',
    round      INTEGER NOT NULL DEFAULT 0,
    detail     TEXT    NOT NULL DEFAULT '{}',
    note       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX process_events_process ON process_events (process_id, id);

-- +goose StatementBegin
CREATE TRIGGER process_events_no_update BEFORE UPDATE ON process_events
BEGIN
    SELECT RAISE(ABORT, 'process_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_events_no_delete BEFORE DELETE ON process_events
BEGIN
    SELECT RAISE(ABORT, 'process_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_events_no_replace BEFORE INSERT ON process_events
WHEN EXISTS (SELECT 1 FROM process_events WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'process_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_documents_no_update BEFORE UPDATE ON process_documents
BEGIN
    SELECT RAISE(ABORT, 'process_documents is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_documents_no_delete BEFORE DELETE ON process_documents
BEGIN
    SELECT RAISE(ABORT, 'process_documents is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE process_events;
DROP TABLE process_documents;
DROP TABLE process_signatures;
DROP TABLE process_checklist;
DROP TABLE process_facts;
DROP TABLE process_steps;
DROP TABLE process_units;
DROP TABLE processes;
DROP TABLE process_sequences;
