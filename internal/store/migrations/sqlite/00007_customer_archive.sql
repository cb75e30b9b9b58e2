-- Customer archive (issue 5, CUS-001..CUS-025, SEC-007..SEC-010, ARC-002):
-- the classification, identity keys and confidential profile of a customer;
-- service points (one archive per account, 一户一档); contact records,
-- classification history and field history (append-only, SEC-002); merges
-- of duplicates (CUS-016). Instants are Unix microseconds (UTC).

-- +goose Up
-- Pack whose type dimensions apply (CUS-002); the industry type and the
-- grades (CUS-002..CUS-006, CUS-017); identity keys (CUS-016); the special
-- group flags (CUS-012) and gas risk flags (CUS-019), comma-separated keys;
-- key account and its manager (CUS-013); the confidential household profile
-- (CUS-020, SEC-010) as JSON; a merged duplicate points at the kept record.
ALTER TABLE customers ADD COLUMN pack TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN importance TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN importance_state TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN credit_grade TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN credit_limit_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN special_groups TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN flags TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN key_account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN account_manager_id BIGINT REFERENCES users(id);
ALTER TABLE customers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN car_brand TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN car_plate TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN plate_key TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN profile TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN merged_into_id BIGINT REFERENCES customers(id);
ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX customers_name_key ON customers (name_key, id);
CREATE INDEX customers_plate_key ON customers (plate_key, id);
CREATE INDEX customers_grade ON customers (grade, id);
CREATE INDEX customers_type ON customers (type, id);

-- A service point is one account: a gas account (meters, reading
-- frequency), a power supply point (voltage class, contracted capacity,
-- tariff), a property unit (building/unit/room). Each is one archive with
-- its own archive number (CUS-001, ARC-002); the account number is unique
-- per company and kind, so a second archive for it cannot be created.
CREATE TABLE service_points (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT  NOT NULL REFERENCES customers(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('gas_account', 'power_supply_point', 'property_unit')),
    account_no  TEXT    NOT NULL,
    archive_no  TEXT    NOT NULL UNIQUE,
    company_id  BIGINT  NOT NULL REFERENCES org_units(id),
    org_unit_id BIGINT  NOT NULL REFERENCES org_units(id),
    address     TEXT    NOT NULL DEFAULT '',
    -- kind-specific attributes as JSON (validated by the service)
    attributes  TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    created_by  BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (company_id, kind, account_no)
);
CREATE INDEX service_points_customer ON service_points (customer_id, id);
CREATE INDEX service_points_account ON service_points (account_no);

-- Numbering of archives and other registers: one row per counter name.
CREATE TABLE register_sequences (
    name TEXT   PRIMARY KEY,
    last BIGINT NOT NULL
);

-- Contact records (客户接触记录, CUS-015): every call, visit, letter or
-- message, appended by whoever had the contact; never changed.
CREATE TABLE customer_contacts (
    id               INTEGER PRIMARY KEY,
    customer_id      BIGINT  NOT NULL REFERENCES customers(id),
    service_point_id BIGINT  REFERENCES service_points(id),
    at               BIGINT  NOT NULL,
    channel          TEXT    NOT NULL,
    direction        TEXT    NOT NULL DEFAULT 'in' CHECK (direction IN ('in', 'out')),
    summary          TEXT    NOT NULL,
    detail           TEXT    NOT NULL DEFAULT '',
    ticket_id        BIGINT,
    by_user          BIGINT  NOT NULL,
    org_unit_id      BIGINT  NOT NULL REFERENCES org_units(id),
    created_at       BIGINT  NOT NULL
);
CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id, at);

-- Classification history (CUS-004, CUS-006, CUS-017, CUS-018): every grade,
-- importance, credit or type change with its reason and effective time.
CREATE TABLE customer_grades (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    dimension    TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    previous     TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    effective_at BIGINT  NOT NULL,
    by_user      BIGINT,
    run_id       BIGINT,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX customer_grades_customer ON customer_grades (customer_id, effective_at);

-- Field history (dynamic maintenance, CUS-018): old and new value of every
-- change. Values of confidential fields are stored as they were; readers
-- without the right see them masked.
CREATE TABLE customer_history (
    id          INTEGER PRIMARY KEY,
    customer_id BIGINT  NOT NULL REFERENCES customers(id),
    field       TEXT    NOT NULL,
    old_value   TEXT    NOT NULL,
    new_value   TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    by_user     BIGINT
);
CREATE INDEX customer_history_customer ON customer_history (customer_id, at);

-- Merges of duplicate records (CUS-016): the merged record keeps its rows
-- and points at the kept one (customers.merged_into_id).
CREATE TABLE customer_merges (
    id        INTEGER PRIMARY KEY,
    kept_id   BIGINT  NOT NULL REFERENCES customers(id),
    merged_id BIGINT  NOT NULL REFERENCES customers(id) UNIQUE,
    reason    TEXT    NOT NULL DEFAULT '',
    at        BIGINT  NOT NULL,
    by_user   BIGINT
);

-- Registers that the regulations call unalterable (SEC-002).
-- +goose StatementBegin
CREATE TRIGGER customer_contacts_no_update BEFORE UPDATE ON customer_contacts
BEGIN
    SELECT RAISE(ABORT, 'customer_contacts is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_contacts_no_delete BEFORE DELETE ON customer_contacts
BEGIN
    SELECT RAISE(ABORT, 'customer_contacts is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_contacts_no_replace BEFORE INSERT ON customer_contacts
WHEN EXISTS (SELECT 1 FROM customer_contacts WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'customer_contacts is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_grades_no_update BEFORE UPDATE ON customer_grades
BEGIN
    SELECT RAISE(ABORT, 'customer_grades is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_grades_no_delete BEFORE DELETE ON customer_grades
BEGIN
    SELECT RAISE(ABORT, 'customer_grades is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_grades_no_replace BEFORE INSERT ON customer_grades
WHEN EXISTS (SELECT 1 FROM customer_grades WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'customer_grades is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_history_no_update BEFORE UPDATE ON customer_history
BEGIN
    SELECT RAISE(ABORT, 'customer_history is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_history_no_delete BEFORE DELETE ON customer_history
BEGIN
    SELECT RAISE(ABORT, 'customer_history is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_history_no_replace BEFORE INSERT ON customer_history
WHEN EXISTS (SELECT 1 FROM customer_history WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'customer_history is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_merges_no_update BEFORE UPDATE ON customer_merges
BEGIN
    SELECT RAISE(ABORT, 'customer_merges is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_merges_no_delete BEFORE DELETE ON customer_merges
BEGIN
    SELECT RAISE(ABORT, 'customer_merges is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_merges_no_replace BEFORE INSERT ON customer_merges
WHEN EXISTS (SELECT 1 FROM customer_merges WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'customer_merges is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customer_merges_no_update;
DROP TRIGGER customer_merges_no_delete;
DROP TRIGGER customer_merges_no_replace;
DROP TRIGGER customer_history_no_update;
DROP TRIGGER customer_history_no_delete;
DROP TRIGGER customer_history_no_replace;
DROP TRIGGER customer_grades_no_update;
DROP TRIGGER customer_grades_no_delete;
DROP TRIGGER customer_grades_no_replace;
DROP TRIGGER customer_contacts_no_update;
DROP TRIGGER customer_contacts_no_delete;
DROP TRIGGER customer_contacts_no_replace;
DROP TABLE customer_merges;
DROP TABLE customer_history;
DROP TABLE customer_grades;
DROP TABLE customer_contacts;
DROP TABLE register_sequences;
DROP TABLE service_points;
DROP INDEX customers_name_key;
DROP INDEX customers_plate_key;
DROP INDEX customers_grade;
DROP INDEX customers_type;
ALTER TABLE customers DROP COLUMN version;
ALTER TABLE customers DROP COLUMN merged_into_id;
ALTER TABLE customers DROP COLUMN profile;
ALTER TABLE customers DROP COLUMN note;
ALTER TABLE customers DROP COLUMN email;
ALTER TABLE customers DROP COLUMN plate_key;
ALTER TABLE customers DROP COLUMN car_plate;
ALTER TABLE customers DROP COLUMN car_brand;
ALTER TABLE customers DROP COLUMN name_key;
ALTER TABLE customers DROP COLUMN account_manager_id;
ALTER TABLE customers DROP COLUMN key_account;
ALTER TABLE customers DROP COLUMN flags;
ALTER TABLE customers DROP COLUMN special_groups;
ALTER TABLE customers DROP COLUMN credit_limit_cents;
ALTER TABLE customers DROP COLUMN credit_grade;
ALTER TABLE customers DROP COLUMN importance_state;
ALTER TABLE customers DROP COLUMN importance;
ALTER TABLE customers DROP COLUMN grade;
ALTER TABLE customers DROP COLUMN type;
ALTER TABLE customers DROP COLUMN pack;
