-- Sales-centre reception and attribution (issue 12, SAL-001 to SAL-028,
-- SEC-002 to SEC-005): each sales centre's rotation table (轮排表) with its
-- members, make-up turns and the log of every change; receptions on the
-- floor; the registers — visitor register (客户登记本), phone-inquiry
-- register, the leasing managers' registration form — with the Project
-- Manager's verifications; conflicts between registrations; deals; the
-- attribution decisions (computed, or the Sales Manager's rulings) with
-- their shares and reasons; group-purchase bonuses; applications for
-- restricted actions; follow-ups; and the leasing variant's daily
-- submissions, customer archive forms with monthly updates, and the
-- General Manager's time-limited view grants.
--
-- Registers are evidence (SEC-002): register entries, verifications,
-- follow-ups, attribution decisions, archive-form updates and the rotation
-- log are append-only in the database; a correction is a new entry that
-- references the old one. Rows belong to the sales centre's company
-- (company_id). Instants are Unix microseconds (UTC), 0 = not yet; dates
-- are YYYY-MM-DD; money is in fen.

-- +goose Up
CREATE TABLE sales_sequences (
    company_id INTEGER NOT NULL REFERENCES org_units(id),
    kind       TEXT    NOT NULL,                                   -- JD receptions, DJ entries, CT conflicts, CJ deals, SQ applications, DA archive forms
    year       INTEGER NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind, year)
);

CREATE TABLE sales_centres (
    unit_id         INTEGER PRIMARY KEY REFERENCES org_units(id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    mode            TEXT    NOT NULL DEFAULT 'sales' CHECK (mode IN ('sales', 'leasing')),
    makeup_policy   TEXT    NOT NULL DEFAULT '',                 -- '' = the pack's (SAL-002)
    pointer_user_id INTEGER REFERENCES users(id),                 -- whose turn it is
    updated_at      INTEGER NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
);

CREATE TABLE sales_rotation_members (
    unit_id    INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    position   INTEGER NOT NULL,                                  -- order on the table, 1, 2, …
    absence    TEXT    NOT NULL DEFAULT '',                       -- '' on the floor, else a reason (SAL-003)
    absence_on TEXT    NOT NULL DEFAULT '',                       -- the day the absence holds; another day: on the floor
    PRIMARY KEY (unit_id, user_id)
);

CREATE TABLE sales_makeup_credits (
    id                INTEGER PRIMARY KEY,
    unit_id           INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    user_id           INTEGER NOT NULL REFERENCES users(id),
    earned_at         INTEGER NOT NULL,
    reason            TEXT    NOT NULL,                           -- skip:<reason>, restored:<kind>, manual
    rule_id           TEXT    NOT NULL DEFAULT '',
    reception_id      INTEGER,                                    -- the reception that earned it
    used_at           INTEGER NOT NULL DEFAULT 0,
    used_reception_id INTEGER,
    cleared_by        INTEGER REFERENCES users(id),               -- withdrawn by the Project Manager
    cleared_reason    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sales_makeup_credits_open ON sales_makeup_credits (unit_id, used_at, earned_at, id);

CREATE TABLE sales_rotation_log (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    at        INTEGER NOT NULL,
    actor_id  INTEGER REFERENCES users(id),                       -- NULL: kefu
    action    TEXT    NOT NULL,                                   -- assign, skip, credit, credit_used, credit_cleared, reorder, pointer, absence, join, leave, policy
    user_id   INTEGER REFERENCES users(id),                       -- the member concerned
    detail    TEXT    NOT NULL DEFAULT '',
    reason    TEXT    NOT NULL DEFAULT ''                         -- SAL-004: every adjustment has a reason
);
CREATE INDEX sales_rotation_log_unit ON sales_rotation_log (unit_id, at, id);

CREATE TABLE sales_receptions (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL,                              -- JD-2026-0001 per company and year
    unit_id        INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id     INTEGER NOT NULL REFERENCES org_units(id),
    agent_id       INTEGER NOT NULL REFERENCES users(id),
    kind           TEXT    NOT NULL,                              -- sales.Reception*
    owner_agent_id INTEGER REFERENCES users(id),                  -- assist / colleague_old: whose customer
    named_agent_id INTEGER REFERENCES users(id),                  -- the agent the customer asked for
    public_reason  TEXT    NOT NULL DEFAULT '',                   -- a–d (SAL-010)
    uses_slot      INTEGER NOT NULL DEFAULT 0,
    via_rotation   INTEGER NOT NULL DEFAULT 0,                    -- assigned by the rotation's pick
    credit_id      INTEGER REFERENCES sales_makeup_credits(id),   -- the make-up turn it used
    visitors       INTEGER NOT NULL DEFAULT 1,
    note           TEXT    NOT NULL DEFAULT '',
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER NOT NULL DEFAULT 0,                    -- 0: in progress (SAL-004)
    created_by     INTEGER REFERENCES users(id),
    UNIQUE (company_id, number)
);
CREATE INDEX sales_receptions_active ON sales_receptions (agent_id, ended_at);
CREATE INDEX sales_receptions_unit ON sales_receptions (unit_id, started_at, id);

CREATE TABLE sales_registrations (
    id                INTEGER PRIMARY KEY,
    number            TEXT    NOT NULL,                           -- DJ-2026-00001 per company and year
    unit_id           INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id        INTEGER NOT NULL REFERENCES org_units(id),
    book              TEXT    NOT NULL CHECK (book IN ('visit', 'phone', 'leasing')),
    kind              TEXT    NOT NULL CHECK (kind IN ('visit', 'referral', 'phone', 'self')),
    reception_id      INTEGER REFERENCES sales_receptions(id),
    agent_id          INTEGER NOT NULL REFERENCES users(id),      -- the receiving / answering / pre-registering agent
    received_on       TEXT    NOT NULL,                           -- the day of the reception or call
    registered_at     INTEGER NOT NULL,                           -- decides "first registration" (SAL-022, SAL-026)
    due_at            INTEGER NOT NULL DEFAULT 0,                 -- SAL-006: 0d after the reception
    late              INTEGER NOT NULL DEFAULT 0,
    customer_name     TEXT    NOT NULL DEFAULT '',
    name_key          TEXT    NOT NULL DEFAULT '',
    phone             TEXT    NOT NULL DEFAULT '',
    phone_key         TEXT    NOT NULL DEFAULT '',
    employer_address  TEXT    NOT NULL DEFAULT '',
    car_brand         TEXT    NOT NULL DEFAULT '',
    car_plate         TEXT    NOT NULL DEFAULT '',
    plate_key         TEXT    NOT NULL DEFAULT '',
    intention         TEXT    NOT NULL DEFAULT '',                -- purchase intention
    info_source       TEXT    NOT NULL DEFAULT '',                -- what brought the customer (pack info_sources)
    visitors          INTEGER NOT NULL DEFAULT 1,
    named_agent_id    INTEGER REFERENCES users(id),
    owner_agent_id    INTEGER REFERENCES users(id),               -- assist: the agent helped
    referred_by_id    INTEGER REFERENCES sales_registrations(id), -- the referring customer's entry (SAL-011, SAL-014)
    family_of_id      INTEGER REFERENCES sales_registrations(id), -- a family or group member's entry (SAL-009, SAL-016)
    relation          TEXT    NOT NULL DEFAULT '',                -- spouse, parent, child, sibling, grandparent, group
    public_reason     TEXT    NOT NULL DEFAULT '',
    company_referred  INTEGER NOT NULL DEFAULT 0,
    intent            INTEGER NOT NULL DEFAULT 0,                 -- leasing: contact and intention (SAL-025)
    intermediary      INTEGER,                                    -- leasing: with (1) or without (0) an intermediary; NULL elsewhere (SAL-027)
    customer_id       INTEGER REFERENCES customers(id),
    corrects_id       INTEGER REFERENCES sales_registrations(id), -- a correction: the entry it corrects (SEC-002)
    correction_reason TEXT    NOT NULL DEFAULT '',
    note              TEXT    NOT NULL DEFAULT '',
    created_by        INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX sales_registrations_unit ON sales_registrations (unit_id, book, registered_at, id);
CREATE INDEX sales_registrations_agent ON sales_registrations (agent_id, registered_at);
CREATE INDEX sales_registrations_phone ON sales_registrations (company_id, phone_key) WHERE phone_key <> '';
CREATE INDEX sales_registrations_name ON sales_registrations (company_id, name_key) WHERE name_key <> '';
CREATE INDEX sales_registrations_plate ON sales_registrations (company_id, plate_key) WHERE plate_key <> '';
CREATE INDEX sales_registrations_corrects ON sales_registrations (corrects_id) WHERE corrects_id IS NOT NULL;
CREATE INDEX sales_registrations_reception ON sales_registrations (reception_id) WHERE reception_id IS NOT NULL;

CREATE TABLE sales_verifications (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES sales_registrations(id),
    verified_by     INTEGER NOT NULL REFERENCES users(id),
    verified_at     INTEGER NOT NULL,
    note            TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sales_verifications_entry ON sales_verifications (registration_id);

CREATE TABLE sales_conflicts (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL,                             -- CT-2026-0001
    unit_id         INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    registration_id INTEGER NOT NULL REFERENCES sales_registrations(id), -- the later entry
    prior_id        INTEGER NOT NULL REFERENCES sales_registrations(id), -- the earlier entry it collides with
    match_keys      TEXT    NOT NULL DEFAULT '',                  -- identity keys matched, comma-separated
    referral        INTEGER NOT NULL DEFAULT 0,                   -- a SAL-014 referral claim
    raised_by       INTEGER REFERENCES users(id),                 -- NULL: kefu found it on registration
    raised_at       INTEGER NOT NULL,
    note            TEXT    NOT NULL DEFAULT '',
    contact         TEXT    NOT NULL DEFAULT '',                  -- sales.Contact* (SAL-015, SAL-026)
    contact_by      INTEGER REFERENCES users(id),
    contact_at      INTEGER NOT NULL DEFAULT 0,
    contact_note    TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'decided', 'ruled')),
    UNIQUE (company_id, number),
    UNIQUE (registration_id, prior_id)
);
CREATE INDEX sales_conflicts_unit ON sales_conflicts (unit_id, state, raised_at);

CREATE TABLE sales_deals (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL,                            -- CJ-2026-0001
    unit_id          INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id       INTEGER NOT NULL REFERENCES org_units(id),
    registration_id  INTEGER REFERENCES sales_registrations(id),  -- the evidence (SEC-004); NULL: held (SAL-022)
    closing_agent_id INTEGER NOT NULL REFERENCES users(id),
    property_unit    TEXT    NOT NULL,                            -- 房号, e.g. 8-1203
    subscriber_name  TEXT    NOT NULL,                            -- the original subscriber (SAL-019)
    subscriber_phone TEXT    NOT NULL DEFAULT '',
    price_cents      INTEGER NOT NULL DEFAULT 0,
    commission_cents INTEGER NOT NULL DEFAULT 0,
    manual_cents     INTEGER,                                     -- SAL-023: the Project Manager's amount
    company_referred INTEGER NOT NULL DEFAULT 0,
    group_purchase   INTEGER NOT NULL DEFAULT 0,
    deposit_on       TEXT    NOT NULL DEFAULT '',
    subscribed_on    TEXT    NOT NULL DEFAULT '',
    deal_on          TEXT    NOT NULL DEFAULT '',                 -- both facts: the later day (SAL-019)
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'closed', 'void')),
    void_reason      TEXT    NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX sales_deals_unit ON sales_deals (unit_id, deal_on, id);
CREATE INDEX sales_deals_registration ON sales_deals (registration_id);

CREATE TABLE sales_attributions (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    deal_id         INTEGER REFERENCES sales_deals(id),
    conflict_id     INTEGER REFERENCES sales_conflicts(id),
    registration_id INTEGER NOT NULL REFERENCES sales_registrations(id), -- the subject entry
    kind            TEXT    NOT NULL CHECK (kind IN ('computed', 'ruling')),
    owner_agent_id  INTEGER REFERENCES users(id),                 -- NULL: the sales department (public)
    class           TEXT    NOT NULL,
    held            INTEGER NOT NULL DEFAULT 0,
    grabber_id      INTEGER REFERENCES users(id),
    outcome         TEXT    NOT NULL,                             -- JSON: shares and steps
    rules           TEXT    NOT NULL DEFAULT '',                  -- rule IDs, comma-separated
    decided_by      INTEGER REFERENCES users(id),                 -- NULL: computed by kefu
    decided_at      INTEGER NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',                  -- a ruling's reason (SAL-022)
    supersedes_id   INTEGER REFERENCES sales_attributions(id)
);
CREATE INDEX sales_attributions_deal ON sales_attributions (deal_id, id);
CREATE INDEX sales_attributions_conflict ON sales_attributions (conflict_id, id);

CREATE TABLE sales_group_bonuses (
    id                 INTEGER PRIMARY KEY,
    unit_id            INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id         INTEGER NOT NULL REFERENCES org_units(id),
    deal_id            INTEGER REFERENCES sales_deals(id),
    month              TEXT    NOT NULL,                          -- YYYY-MM the bonus is paid in
    pot_cents          INTEGER NOT NULL,
    receiving_agent_id INTEGER NOT NULL REFERENCES users(id),
    uplift_pct         INTEGER NOT NULL,
    shares             TEXT    NOT NULL,                          -- JSON []GroupShare
    remainder_cents    INTEGER NOT NULL DEFAULT 0,
    note               TEXT    NOT NULL DEFAULT '',
    created_by         INTEGER REFERENCES users(id),
    created_at         INTEGER NOT NULL
);

CREATE TABLE sales_applications (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL,                             -- SQ-2026-0001
    unit_id         INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    action          TEXT    NOT NULL,                             -- the pack's restricted action key (SAL-021)
    property_unit   TEXT    NOT NULL DEFAULT '',
    customer_name   TEXT    NOT NULL DEFAULT '',
    registration_id INTEGER REFERENCES sales_registrations(id),
    detail          TEXT    NOT NULL,
    applicant_id    INTEGER NOT NULL REFERENCES users(id),
    applied_at      INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by      INTEGER REFERENCES users(id),
    decided_at      INTEGER NOT NULL DEFAULT 0,
    decision_note   TEXT    NOT NULL DEFAULT '',
    UNIQUE (company_id, number)
);
CREATE INDEX sales_applications_unit ON sales_applications (unit_id, state, applied_at);

CREATE TABLE sales_followups (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    registration_id INTEGER NOT NULL REFERENCES sales_registrations(id), -- the customer's entry
    agent_id        INTEGER NOT NULL REFERENCES users(id),
    followed_on     TEXT    NOT NULL,
    channel         TEXT    NOT NULL DEFAULT '',                  -- phone, visit, message, other
    note            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX sales_followups_entry ON sales_followups (registration_id, followed_on);

CREATE TABLE sales_submissions (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id     INTEGER NOT NULL REFERENCES org_units(id),
    agent_id       INTEGER NOT NULL REFERENCES users(id),
    day            TEXT    NOT NULL,                              -- the day's registrations (SAL-025)
    due_at         INTEGER NOT NULL,                              -- 18:00 that day, or 10:00 the next in a special case
    special_reason TEXT    NOT NULL DEFAULT '',                   -- G-55: the manager records why
    entries        INTEGER NOT NULL DEFAULT 0,
    submitted_at   INTEGER NOT NULL,
    late           INTEGER NOT NULL DEFAULT 0,
    received_by    INTEGER REFERENCES users(id),                  -- the General Services custodian
    UNIQUE (unit_id, agent_id, day)
);

CREATE TABLE sales_archive_forms (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL,                             -- DA-2026-0001
    unit_id         INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    agent_id        INTEGER NOT NULL REFERENCES users(id),
    registration_id INTEGER REFERENCES sales_registrations(id),
    customer_name   TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('following', 'closed', 'unclosed')),
    created_at      INTEGER NOT NULL,
    closed_on       TEXT    NOT NULL DEFAULT '',
    retain_until    TEXT    NOT NULL DEFAULT '',                  -- SAL-028: 10 years after it was archived
    UNIQUE (company_id, number)
);

CREATE TABLE sales_archive_updates (
    id         INTEGER PRIMARY KEY,
    form_id    INTEGER NOT NULL REFERENCES sales_archive_forms(id),
    month      TEXT    NOT NULL,                                  -- YYYY-MM of the update; '' for the first filing or the close
    due_on     TEXT    NOT NULL DEFAULT '',                       -- the month's last day (SAL-028)
    sent_at    INTEGER NOT NULL,
    late       INTEGER NOT NULL DEFAULT 0,
    content    TEXT    NOT NULL,                                  -- basic information and follow-up, as sent
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX sales_archive_updates_form ON sales_archive_updates (form_id, month);

CREATE TABLE sales_view_grants (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES sales_centres(unit_id),
    company_id INTEGER NOT NULL REFERENCES org_units(id),
    grantee_id INTEGER NOT NULL REFERENCES users(id),
    granted_by INTEGER NOT NULL REFERENCES users(id),
    granted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,                                  -- SEC-005: 7d
    reason     TEXT    NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sales_view_grants_grantee ON sales_view_grants (grantee_id, expires_at);

-- +goose StatementBegin
CREATE TRIGGER sales_registrations_no_update BEFORE UPDATE ON sales_registrations
BEGIN
    SELECT RAISE(ABORT, 'sales_registrations are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_registrations_no_delete BEFORE DELETE ON sales_registrations
BEGIN
    SELECT RAISE(ABORT, 'sales_registrations are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_verifications_no_update BEFORE UPDATE ON sales_verifications
BEGIN
    SELECT RAISE(ABORT, 'sales_verifications are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_verifications_no_delete BEFORE DELETE ON sales_verifications
BEGIN
    SELECT RAISE(ABORT, 'sales_verifications are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_followups_no_update BEFORE UPDATE ON sales_followups
BEGIN
    SELECT RAISE(ABORT, 'sales_followups are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_followups_no_delete BEFORE DELETE ON sales_followups
BEGIN
    SELECT RAISE(ABORT, 'sales_followups are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_attributions_no_update BEFORE UPDATE ON sales_attributions
BEGIN
    SELECT RAISE(ABORT, 'sales_attributions are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_attributions_no_delete BEFORE DELETE ON sales_attributions
BEGIN
    SELECT RAISE(ABORT, 'sales_attributions are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_archive_updates_no_update BEFORE UPDATE ON sales_archive_updates
BEGIN
    SELECT RAISE(ABORT, 'sales_archive_updates are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_archive_updates_no_delete BEFORE DELETE ON sales_archive_updates
BEGIN
    SELECT RAISE(ABORT, 'sales_archive_updates are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_rotation_log_no_update BEFORE UPDATE ON sales_rotation_log
BEGIN
    SELECT RAISE(ABORT, 'sales_rotation_log are append-only (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sales_rotation_log_no_delete BEFORE DELETE ON sales_rotation_log
BEGIN
    SELECT RAISE(ABORT, 'sales_rotation_log are append-only (SEC-002)');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE sales_view_grants;
DROP TABLE sales_archive_updates;
DROP TABLE sales_archive_forms;
DROP TABLE sales_submissions;
DROP TABLE sales_followups;
DROP TABLE sales_applications;
DROP TABLE sales_group_bonuses;
DROP TABLE sales_attributions;
DROP TABLE sales_deals;
DROP TABLE sales_conflicts;
DROP TABLE sales_verifications;
DROP TABLE sales_registrations;
DROP TABLE sales_receptions;
DROP TABLE sales_rotation_log;
DROP TABLE sales_makeup_credits;
DROP TABLE sales_rotation_members;
DROP TABLE sales_centres;
DROP TABLE sales_sequences;
