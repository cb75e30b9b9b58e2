-- The merit and demerit ledger (issue 11, MER-001 to MER-013, SEC-002,
-- SEC-007, SEC-011): rewards and penalties per person with the reason, the
-- rule, the source record and who decided; the decisions taken on them;
-- the flags the derivation raised for HR (termination, reassignment, bonus
-- payment); appeals with their steps; publications to the unit; and the
-- register of customer bounties with the reporter's identity sealed.
--
-- The ledger is append-only (SEC-002): an entry's facts never change and no
-- entry is deleted. What happens to an entry — confirmed or rejected when
-- it was a proposal, withdrawn or changed by an appeal, ruled to offset
-- nothing, published — is a row of merit_decisions; the entry's state
-- columns only mirror the last of them. A change is a new entry that
-- supersedes the old one.
--
-- Rows belong to the person's company (company_id): its people see them,
-- nobody else. Instants are Unix microseconds (UTC), 0 = not yet; dates are
-- YYYY-MM-DD; money is in fen.

-- +goose Up
CREATE TABLE merit_entries (
    id             INTEGER PRIMARY KEY,
    company_id     INTEGER NOT NULL REFERENCES org_units(id),
    unit_id        INTEGER NOT NULL REFERENCES org_units(id),  -- the person's unit when entered
    user_id        INTEGER NOT NULL REFERENCES users(id),
    pack           TEXT    NOT NULL,
    pack_version   INTEGER NOT NULL,
    kind           TEXT    NOT NULL,                            -- policy.MeritKinds
    item           TEXT    NOT NULL DEFAULT '',                 -- catalogue item key
    occurred_on    TEXT    NOT NULL,                            -- the date of the reward or penalty
    amount_cents   INTEGER NOT NULL DEFAULT 0,
    points         INTEGER NOT NULL DEFAULT 0,
    reason         TEXT    NOT NULL,
    rule_id        TEXT    NOT NULL DEFAULT '',
    source_kind    TEXT    NOT NULL DEFAULT 'manual',           -- manual, ticket, sampling_failure, sampling_draw, sales_reception, appeal …
    source_id      INTEGER NOT NULL DEFAULT 0,
    source_ref     TEXT    NOT NULL DEFAULT '',                 -- a number people read: the work order's, the draw's
    trigger_key    TEXT    NOT NULL DEFAULT '',                 -- the pack trigger that proposed it
    joint_of       INTEGER REFERENCES merit_entries(id),        -- the responsible person's entry this joint liability follows
    supersedes_id  INTEGER UNIQUE REFERENCES merit_entries(id), -- the entry an appeal changed into this one
    proposed_by    INTEGER REFERENCES users(id),                -- NULL: proposed by kefu from an event
    created_at     INTEGER NOT NULL,
    -- the state, mirroring merit_decisions
    state          TEXT    NOT NULL CHECK (state IN ('proposed', 'confirmed', 'rejected', 'withdrawn', 'changed')),
    decided_by     INTEGER REFERENCES users(id),
    decided_at     INTEGER NOT NULL DEFAULT 0,
    no_offset      INTEGER NOT NULL DEFAULT 0,                  -- MER-004 discretion: this merit revokes nothing
    published_at   INTEGER NOT NULL DEFAULT 0,                  -- SEC-011
    publication_id INTEGER
);
CREATE INDEX merit_entries_person ON merit_entries (user_id, occurred_on, id);
CREATE INDEX merit_entries_company ON merit_entries (company_id, state, occurred_on, id);
CREATE INDEX merit_entries_unit ON merit_entries (unit_id, occurred_on);
CREATE UNIQUE INDEX merit_entries_trigger ON merit_entries (trigger_key, source_kind, source_id, user_id, item)
    WHERE trigger_key <> '';

CREATE TABLE merit_decisions (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL REFERENCES merit_entries(id),
    action     TEXT    NOT NULL,  -- confirm, reject, withdraw, change, no_offset, offset, publish
    actor_id   INTEGER REFERENCES users(id),
    note       TEXT    NOT NULL DEFAULT '',
    ref_id     INTEGER NOT NULL DEFAULT 0, -- the new entry of a change, the appeal, the publication
    created_at INTEGER NOT NULL
);
CREATE INDEX merit_decisions_entry ON merit_decisions (entry_id, id);

CREATE TABLE merit_flags (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES org_units(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    flag        TEXT    NOT NULL,  -- termination, reassignment, bonus
    raised_on   TEXT    NOT NULL,  -- the day the ledger reached it
    basis       TEXT    NOT NULL,  -- the entry ids it rests on, comma-separated
    amount_cents INTEGER NOT NULL DEFAULT 0,
    rule_id     TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL CHECK (state IN ('open', 'done', 'void')),
    note        TEXT    NOT NULL DEFAULT '',
    closed_by   INTEGER REFERENCES users(id),
    closed_at   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX merit_flags_once ON merit_flags (user_id, flag, basis);
CREATE INDEX merit_flags_company ON merit_flags (company_id, state, id);

CREATE TABLE merit_publications (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES org_units(id),
    unit_id      INTEGER NOT NULL REFERENCES org_units(id),
    month        TEXT    NOT NULL,  -- YYYY-MM
    channel      TEXT    NOT NULL,
    published_on TEXT    NOT NULL,
    entries      INTEGER NOT NULL,
    published_by INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX merit_publications_unit ON merit_publications (unit_id, month);

CREATE TABLE merit_appeals (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES org_units(id),
    entry_id      INTEGER NOT NULL REFERENCES merit_entries(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),  -- the appellant, the entry's person
    state         TEXT    NOT NULL CHECK (state IN ('mediation', 'mediated', 'investigation', 'resolved')),
    evidence      TEXT    NOT NULL,                       -- MER-006: mandatory
    outcome       TEXT    NOT NULL DEFAULT '' CHECK (outcome IN ('', 'upheld', 'changed', 'withdrawn')),
    result_entry_id INTEGER REFERENCES merit_entries(id), -- the entry a change created
    filed_at      INTEGER NOT NULL,
    resolved_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX merit_appeals_company ON merit_appeals (company_id, state, id);
CREATE UNIQUE INDEX merit_appeals_open ON merit_appeals (entry_id) WHERE state <> 'resolved';

CREATE TABLE merit_appeal_steps (
    id         INTEGER PRIMARY KEY,
    appeal_id  INTEGER NOT NULL REFERENCES merit_appeals(id),
    step       TEXT    NOT NULL,  -- filed, mediated, accepted, escalated, resolved
    outcome    TEXT    NOT NULL DEFAULT '',
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX merit_appeal_steps_appeal ON merit_appeal_steps (appeal_id, id);

CREATE TABLE merit_bounties (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES org_units(id),
    number          TEXT    NOT NULL,                      -- R-2026-07, per company and year: how a protected reporter is shown
    kind            TEXT    NOT NULL CHECK (kind IN ('hazard', 'theft')),
    hazard_id       INTEGER REFERENCES hazards(id),
    severity        TEXT    NOT NULL DEFAULT '',
    own_home        INTEGER NOT NULL DEFAULT 0,            -- MER-007: no reward
    verified        INTEGER NOT NULL DEFAULT 0,
    verification    TEXT    NOT NULL DEFAULT '',
    basis           TEXT    NOT NULL DEFAULT '',           -- theft: penalty or recovered
    basis_cents     INTEGER NOT NULL DEFAULT 0,
    percent         INTEGER NOT NULL DEFAULT 0,            -- hundredths of a percent
    amount_cents    INTEGER NOT NULL,
    reporter_sealed TEXT    NOT NULL,                      -- SEC-007: name and phone, sealed
    pack            TEXT    NOT NULL,
    pack_version    INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('proposed', 'approved', 'paid', 'rejected')),
    note            TEXT    NOT NULL DEFAULT '',
    registered_by   INTEGER NOT NULL REFERENCES users(id),
    decided_by      INTEGER REFERENCES users(id),
    decided_at      INTEGER NOT NULL DEFAULT 0,
    decision_note   TEXT    NOT NULL DEFAULT '',
    paid_on         TEXT    NOT NULL DEFAULT '',
    paid_by         INTEGER REFERENCES users(id),
    voucher         TEXT    NOT NULL DEFAULT '',
    published_at    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX merit_bounties_company ON merit_bounties (company_id, state, id);
CREATE UNIQUE INDEX merit_bounties_number ON merit_bounties (company_id, number);
CREATE UNIQUE INDEX merit_bounties_hazard ON merit_bounties (hazard_id) WHERE hazard_id IS NOT NULL AND state <> 'rejected';

-- +goose StatementBegin
CREATE TRIGGER merit_entries_facts_fixed BEFORE UPDATE OF company_id, unit_id, user_id, pack, pack_version, kind, item,
    occurred_on, amount_cents, points, reason, rule_id, source_kind, source_id, source_ref, trigger_key, joint_of,
    supersedes_id, proposed_by, created_at ON merit_entries
BEGIN
    SELECT RAISE(ABORT, 'a ledger entry is not rewritten: record a decision or a new entry (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merit_entries_no_delete BEFORE DELETE ON merit_entries
BEGIN
    SELECT RAISE(ABORT, 'merit_entries are not deleted (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merit_decisions_no_update BEFORE UPDATE ON merit_decisions
BEGIN
    SELECT RAISE(ABORT, 'merit_decisions are not changed (SEC-002)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER merit_decisions_no_delete BEFORE DELETE ON merit_decisions
BEGIN
    SELECT RAISE(ABORT, 'merit_decisions are not deleted (SEC-002)');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE merit_bounties;
DROP TABLE merit_appeal_steps;
DROP TABLE merit_appeals;
DROP TABLE merit_publications;
DROP TABLE merit_flags;
DROP TABLE merit_decisions;
DROP TABLE merit_entries;
