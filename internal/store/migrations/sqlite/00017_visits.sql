-- Return visits (issue 9, VIS-001..VIS-016): the completed items a visit
-- rule may draw (candidates), the daily draws as made (seed and counts, so
-- a draw can be repeated), and the visits with their rounds, evidence,
-- results and the supervisor's sign-off. Instants are Unix microseconds
-- (UTC); 0 = not yet.

-- +goose Up
CREATE TABLE visit_candidates (
    id           INTEGER PRIMARY KEY,
    pack         TEXT    NOT NULL,
    pack_version INTEGER NOT NULL,
    rule         TEXT    NOT NULL,
    company_id   INTEGER NOT NULL REFERENCES org_units(id), -- the quota is the company's
    unit_id      INTEGER NOT NULL REFERENCES org_units(id), -- the unit that handled the item
    ref_type     TEXT    NOT NULL,                          -- ticket, process
    ref_id       INTEGER NOT NULL,
    ref_number   TEXT    NOT NULL DEFAULT '',
    customer_id  INTEGER REFERENCES customers(id),
    -- who the visitor calls on: the work order's customer snapshot
    customer_name    TEXT NOT NULL DEFAULT '',
    customer_phone   TEXT NOT NULL DEFAULT '',
    customer_address TEXT NOT NULL DEFAULT '',
    severity     TEXT    NOT NULL DEFAULT '',
    mandatory    INTEGER NOT NULL DEFAULT 0,
    exempt       TEXT    NOT NULL DEFAULT '', -- VIS-013 reason, '' when in the population
    completed_at INTEGER NOT NULL,
    day          TEXT    NOT NULL,            -- YYYY-MM-DD of completion (the batch)
    month        TEXT    NOT NULL,            -- YYYY-MM (the population)
    draw_id      INTEGER,                     -- set when drawn (visited or not)
    UNIQUE (rule, ref_type, ref_id)
);
CREATE INDEX visit_candidates_undrawn ON visit_candidates (draw_id, day);
CREATE INDEX visit_candidates_month ON visit_candidates (pack, rule, company_id, month);

CREATE TABLE visit_draws (
    id          INTEGER PRIMARY KEY,
    pack        TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    company_id  INTEGER NOT NULL REFERENCES org_units(id),
    day         TEXT    NOT NULL,
    seed        TEXT    NOT NULL,
    rate_pct    INTEGER NOT NULL,
    seen_before INTEGER NOT NULL, -- the month's population before the batch
    drawn_before INTEGER NOT NULL, -- the month's visits before the batch
    batch       INTEGER NOT NULL,
    picked      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (pack, rule, company_id, day)
);

CREATE TABLE visits (
    id             INTEGER PRIMARY KEY,
    candidate_id   INTEGER NOT NULL REFERENCES visit_candidates(id),
    round          INTEGER NOT NULL,
    previous_id    INTEGER REFERENCES visits(id),
    status         TEXT    NOT NULL CHECK (status IN ('open', 'done', 'signed_off', 'cancelled')),
    company_id     INTEGER NOT NULL REFERENCES org_units(id),
    role           TEXT    NOT NULL,     -- who visits (VIS-004)
    assignee_id    INTEGER REFERENCES users(id),
    due_at         INTEGER NOT NULL,
    mode           TEXT    NOT NULL DEFAULT '', -- in_person, phone
    result         TEXT    NOT NULL DEFAULT '', -- satisfied, dissatisfied
    opinion        TEXT    NOT NULL DEFAULT '',
    new_issue      TEXT    NOT NULL DEFAULT '',
    reply_due_at   INTEGER NOT NULL DEFAULT 0,  -- VIS-010 appointed reply
    rectification  TEXT    NOT NULL DEFAULT '', -- VIS-011
    signature      TEXT    NOT NULL DEFAULT '', -- VIS-008: the customer's signature (in person)
    phone_label    INTEGER NOT NULL DEFAULT 0,  -- VIS-008: 电话回访, stamped, never removed
    done_at        INTEGER NOT NULL DEFAULT 0,
    done_by        INTEGER REFERENCES users(id),
    reviewed_at    INTEGER NOT NULL DEFAULT 0,  -- VIS-009
    reviewed_by    INTEGER REFERENCES users(id),
    review_opinion TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL
);
CREATE INDEX visits_open ON visits (status, company_id, due_at);
CREATE INDEX visits_candidate ON visits (candidate_id, round);
CREATE INDEX visits_assignee ON visits (assignee_id, status, due_at);

-- +goose Down
DROP TABLE visits;
DROP TABLE visit_draws;
DROP TABLE visit_candidates;
