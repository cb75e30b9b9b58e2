-- Return visits, continued (issue 9): occasions, swaps and the handling of
-- issues raised in visits.
--
-- Occasions (回访事项, VIS-006, VIS-007, G-17): an activity that ended, keys
-- handed over, an emergency incident closed, a holiday. kefu has no module
-- for them, so the CS supervisor or a manager registers the occasion with
-- its households; each household becomes a visit candidate (ref_type
-- 'occasion', ref_id the household) of the occasion's batch, whose day is
-- 'occasion:<id>' (in visit_candidates and visit_draws alike; the daily
-- draw's batches are days, YYYY-MM-DD), drawn at once.
--
-- Swaps (VIS-016): the supervisor swaps a drawn item for an undrawn one with
-- a reason; the visit is cancelled and the replacement gets a new one.
--
-- Handling (VIS-012): a visit that raised a new issue (VIS-010) is answered
-- with the outcome and the response given to the customer.
--
-- Instants are Unix microseconds (UTC); 0 = not yet.

-- +goose Up
CREATE TABLE visit_occasions (
    id           INTEGER PRIMARY KEY,
    pack         TEXT    NOT NULL,
    pack_version INTEGER NOT NULL,
    rule         TEXT    NOT NULL,                          -- a rule with an occasion trigger
    company_id   INTEGER NOT NULL REFERENCES org_units(id), -- the row scope
    unit_id      INTEGER NOT NULL REFERENCES org_units(id), -- where it was registered
    title        TEXT    NOT NULL,
    happened_at  INTEGER NOT NULL, -- the activity ended, keys handed over, incident closed, holiday
    month        TEXT    NOT NULL, -- YYYY-MM of happened_at (the statistics' month)
    households   INTEGER NOT NULL, -- the population (VIS-006: participating households)
    due_at       INTEGER NOT NULL, -- happened_at + the rule's window on the pack calendar
    draw_id      INTEGER REFERENCES visit_draws(id),
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX visit_occasions_company ON visit_occasions (company_id, id);
CREATE INDEX visit_occasions_month ON visit_occasions (month, pack, rule);

CREATE TABLE visit_occasion_households (
    id          INTEGER PRIMARY KEY,
    occasion_id INTEGER NOT NULL REFERENCES visit_occasions(id),
    line        INTEGER NOT NULL, -- 1.. in the order registered
    customer_id INTEGER REFERENCES customers(id),
    name        TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    UNIQUE (occasion_id, line)
);

ALTER TABLE visit_candidates ADD COLUMN occasion_id INTEGER REFERENCES visit_occasions(id);
CREATE INDEX visit_candidates_occasion ON visit_candidates (occasion_id);

CREATE TABLE visit_swaps (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES org_units(id),
    from_visit_id     INTEGER NOT NULL UNIQUE REFERENCES visits(id), -- cancelled
    to_visit_id       INTEGER NOT NULL UNIQUE REFERENCES visits(id), -- its replacement
    from_candidate_id INTEGER NOT NULL REFERENCES visit_candidates(id),
    to_candidate_id   INTEGER NOT NULL REFERENCES visit_candidates(id),
    reason            TEXT    NOT NULL,
    swapped_by        INTEGER REFERENCES users(id),
    swapped_at        INTEGER NOT NULL
);

ALTER TABLE visits ADD COLUMN issue_outcome TEXT NOT NULL DEFAULT '';  -- VIS-012: what was done
ALTER TABLE visits ADD COLUMN issue_response TEXT NOT NULL DEFAULT ''; -- VIS-012: what the customer was told
ALTER TABLE visits ADD COLUMN answered_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN answered_by INTEGER REFERENCES users(id);

-- +goose Down
ALTER TABLE visits DROP COLUMN answered_by;
ALTER TABLE visits DROP COLUMN answered_at;
ALTER TABLE visits DROP COLUMN issue_response;
ALTER TABLE visits DROP COLUMN issue_outcome;
DROP TABLE visit_swaps;
DROP INDEX visit_candidates_occasion;
ALTER TABLE visit_candidates DROP COLUMN occasion_id;
DROP TABLE visit_occasion_households;
DROP TABLE visit_occasions;
