-- Work orders (issue 4, TKT-001..TKT-021, TKT-034, CAL-011..CAL-013):
-- customers (minimal; the customer-archive issue extends the table), work
-- orders with their customer snapshot, the org units that may see them, their
-- deadline clocks, the append-only timeline, SLA-exception requests and the
-- daily number sequence. Instants are Unix microseconds (UTC); 0 = not yet.

-- +goose Up
CREATE TABLE customers (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
    name         TEXT    NOT NULL,
    phone        TEXT    NOT NULL DEFAULT '',
    -- digits only, full-width digits normalised: the identity key (CUS-016)
    phone_key    TEXT    NOT NULL DEFAULT '',
    address      TEXT    NOT NULL DEFAULT '',
    id_number    TEXT    NOT NULL DEFAULT '', -- confidential (masked by the archive issue)
    org_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    created_by   INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX customers_phone_key ON customers (phone_key, id);
CREATE INDEX customers_name ON customers (name, id);
CREATE INDEX customers_org_unit ON customers (org_unit_id, id);

-- One row per day and counter: work-order numbers are date + daily sequence.
CREATE TABLE ticket_sequences (
    day  TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    number              TEXT    NOT NULL UNIQUE,
    pack                TEXT    NOT NULL,
    pack_version        INTEGER NOT NULL,
    category            TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    severity            TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL,
    subject             TEXT    NOT NULL DEFAULT '',
    description         TEXT    NOT NULL DEFAULT '',
    customer_id         INTEGER REFERENCES customers(id),
    customer_name       TEXT    NOT NULL DEFAULT '',
    customer_phone      TEXT    NOT NULL DEFAULT '',
    customer_address    TEXT    NOT NULL DEFAULT '',
    -- the receiving point: immutable (TKT-001)
    received_at         INTEGER NOT NULL,
    receiving_unit_id   INTEGER NOT NULL REFERENCES org_units(id),
    received_by         INTEGER REFERENCES users(id),
    handling_unit_id    INTEGER REFERENCES org_units(id),
    assignee_id         INTEGER REFERENCES users(id),
    -- the person complained about, recused (TKT-016)
    respondent_user_id  INTEGER REFERENCES users(id),
    crisis              INTEGER NOT NULL DEFAULT 0,
    crisis_party        TEXT    NOT NULL DEFAULT '',
    escalated_unit_id   INTEGER REFERENCES org_units(id),
    merged_into_id      INTEGER REFERENCES tickets(id),
    written_reply       INTEGER NOT NULL DEFAULT 0,
    -- denormalised for the queues: any clock breached; earliest running target
    breached            INTEGER NOT NULL DEFAULT 0,
    next_due_at         INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    closed_at           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_category ON tickets (category, id);
CREATE INDEX tickets_handling ON tickets (handling_unit_id, status, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, id);
CREATE INDEX tickets_breached ON tickets (breached, id);
CREATE INDEX tickets_customer ON tickets (customer_id, category, id);
CREATE INDEX tickets_next_due ON tickets (next_due_at);

-- Every org unit through which a work order is visible: the receiving
-- point, the handling unit, the escalation unit and the receiving points of
-- merged duplicates (TKT-009). Row scope is one EXISTS on this table.
CREATE TABLE ticket_units (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    unit_id   INTEGER NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (ticket_id, unit_id)
);
CREATE INDEX ticket_units_unit ON ticket_units (unit_id, ticket_id);

CREATE TABLE ticket_clocks (
    id                  INTEGER PRIMARY KEY,
    ticket_id           INTEGER NOT NULL REFERENCES tickets(id),
    kind                TEXT    NOT NULL,
    duration            TEXT    NOT NULL,
    calendar            TEXT    NOT NULL,
    pack_version        INTEGER NOT NULL,
    starts_on           TEXT    NOT NULL, -- comma-separated events (CAL-013)
    stops_on            TEXT    NOT NULL,
    warn_percent        INTEGER NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'paused', 'met', 'breached', 'cancelled')),
    started_at          INTEGER NOT NULL DEFAULT 0,
    target_at           INTEGER NOT NULL DEFAULT 0,
    original_target_at  INTEGER NOT NULL DEFAULT 0,
    warn_at             INTEGER NOT NULL DEFAULT 0,
    warned_at           INTEGER NOT NULL DEFAULT 0,
    met_at              INTEGER NOT NULL DEFAULT 0,
    breached_at         INTEGER NOT NULL DEFAULT 0,
    paused_at           INTEGER NOT NULL DEFAULT 0,
    provisional         INTEGER NOT NULL DEFAULT 0,
    extended            INTEGER NOT NULL DEFAULT 0,
    agreed_at           INTEGER NOT NULL DEFAULT 0,
    renegotiations      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ticket_clocks_ticket ON ticket_clocks (ticket_id, id);
CREATE INDEX ticket_clocks_open ON ticket_clocks (calendar, state, target_at);

-- The timeline: append-only in the database itself (TKT-019).
CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    at          INTEGER NOT NULL, -- when it happened (may be back-entered)
    recorded_at INTEGER NOT NULL,
    actor_id    INTEGER,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL DEFAULT '',
    to_status   TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '{}',
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- +goose StatementBegin
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_events_no_replace BEFORE INSERT ON ticket_events
WHEN EXISTS (SELECT 1 FROM ticket_events WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
-- +goose StatementEnd

-- SLA-exception requests (TKT-021).
CREATE TABLE ticket_extensions (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    clock_id      INTEGER NOT NULL REFERENCES ticket_clocks(id),
    until         INTEGER NOT NULL,
    reason        TEXT    NOT NULL,
    requested_by  INTEGER,
    requested_at  INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    INTEGER,
    decided_at    INTEGER NOT NULL DEFAULT 0,
    decision_note TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ticket_extensions_ticket ON ticket_extensions (ticket_id, id);

-- +goose Down
DROP TABLE ticket_extensions;
DROP TABLE ticket_events;
DROP TABLE ticket_clocks;
DROP TABLE ticket_units;
DROP TABLE tickets;
DROP TABLE ticket_sequences;
DROP TABLE customers;
