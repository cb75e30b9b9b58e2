-- Supervision sampling (issue 10, SMP-002..SMP-017): the draws of a rule
-- for one checked person and period with their plan figures and the
-- population drawn from (so a draw can be repeated and audited), one
-- verification task per drawn item, the verification ledger (SMP-013:
-- append-only — verifications, corrections, escalations and decisions are
-- new rows, never updated or deleted), the hazards a verification
-- registered (SMP-016), and the samplers' failures counted for repeat
-- offences (SMP-017, append-only). Instants are Unix microseconds (UTC);
-- 0 = not yet.

-- +goose Up
CREATE TABLE sampling_draws (
    id               INTEGER PRIMARY KEY,
    company_id       INTEGER NOT NULL REFERENCES org_units(id),
    pack             TEXT    NOT NULL,
    pack_version     INTEGER NOT NULL,
    rule             TEXT    NOT NULL,
    level            INTEGER NOT NULL,           -- SMP-002 level of the rule
    checked_user_id  INTEGER NOT NULL REFERENCES users(id),
    checked_position TEXT    NOT NULL,
    checker_id       INTEGER NOT NULL REFERENCES users(id), -- the sampler who verifies the tasks
    checker_position TEXT    NOT NULL,
    period           TEXT    NOT NULL,           -- 2026-04, 2026-W15, 2026-04-07
    period_from      INTEGER NOT NULL,
    period_to        INTEGER NOT NULL,           -- exclusive
    due_at           INTEGER NOT NULL,           -- the checks are due (end of the next period)
    seed             TEXT    NOT NULL,           -- pack|rule|company|user|period
    population       INTEGER NOT NULL,           -- the base the rate applies to
    rate_pct         INTEGER NOT NULL,
    quota            INTEGER NOT NULL,
    floor_applied    INTEGER NOT NULL DEFAULT 0,
    shortfall        INTEGER NOT NULL DEFAULT 0,
    plan             TEXT    NOT NULL,           -- the SamplePlan as JSON: strata and method splits
    items            TEXT    NOT NULL,           -- the population drawn from, as JSON
    status           TEXT    NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    quota_met        INTEGER,                    -- set when closed
    verified_at_close INTEGER NOT NULL DEFAULT 0,
    closed_at        INTEGER NOT NULL DEFAULT 0,
    closed_by        INTEGER REFERENCES users(id), -- NULL: closed by the due timer
    cancel_reason    TEXT    NOT NULL DEFAULT '',
    cancelled_at     INTEGER NOT NULL DEFAULT 0,
    cancelled_by     INTEGER REFERENCES users(id),
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL
);
-- One draw per rule, checked person and period unless cancelled.
CREATE UNIQUE INDEX sampling_draws_once ON sampling_draws (company_id, pack, rule, checked_user_id, period)
    WHERE status <> 'cancelled';
CREATE INDEX sampling_draws_list ON sampling_draws (company_id, period, id);
CREATE INDEX sampling_draws_checked ON sampling_draws (checked_user_id, id);
CREATE INDEX sampling_draws_checker ON sampling_draws (checker_id, status);

CREATE TABLE sampling_tasks (
    id          INTEGER PRIMARY KEY,
    draw_id     INTEGER NOT NULL REFERENCES sampling_draws(id),
    company_id  INTEGER NOT NULL REFERENCES org_units(id),
    seq         INTEGER NOT NULL,                -- the order of the sample
    item_id     TEXT    NOT NULL,
    stratum     TEXT    NOT NULL DEFAULT '',
    method      TEXT    NOT NULL DEFAULT '',     -- '' when the checker chooses
    status      TEXT    NOT NULL CHECK (status IN ('open', 'verified')),
    entry_id    INTEGER,                         -- the task's latest ledger entry
    verified_at INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    UNIQUE (draw_id, seq)
);
CREATE INDEX sampling_tasks_status ON sampling_tasks (draw_id, status);

CREATE TABLE sampling_ledger (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES org_units(id),
    kind              TEXT    NOT NULL CHECK (kind IN ('verification', 'escalation', 'decision')),
    pack              TEXT    NOT NULL,
    pack_version      INTEGER NOT NULL,
    rule              TEXT    NOT NULL,
    level             INTEGER NOT NULL,          -- the rule's level; an escalation's and decision's: the level it reached
    draw_id           INTEGER REFERENCES sampling_draws(id),
    task_id           INTEGER REFERENCES sampling_tasks(id),
    checker_id        INTEGER REFERENCES users(id), -- the inspector (检查人)
    checker_position  TEXT    NOT NULL DEFAULT '',
    checked_user_id   INTEGER REFERENCES users(id), -- the inspected employee (受检人)
    checked_position  TEXT    NOT NULL DEFAULT '',
    method            TEXT    NOT NULL DEFAULT '',
    item_id           TEXT    NOT NULL DEFAULT '',
    stratum           TEXT    NOT NULL DEFAULT '',
    sample            INTEGER NOT NULL DEFAULT 0, -- the draw's sample …
    quota             INTEGER NOT NULL DEFAULT 0, -- … against its quota
    results           TEXT    NOT NULL DEFAULT '[]', -- checklist items scored, JSON
    passed            INTEGER NOT NULL DEFAULT 1,
    findings          TEXT    NOT NULL DEFAULT '',
    proposal          TEXT    NOT NULL DEFAULT '',
    employee_signature TEXT   NOT NULL DEFAULT '',
    customer_signature TEXT   NOT NULL DEFAULT '',
    outdoor_meter     INTEGER NOT NULL DEFAULT 0,  -- SMP-013: customer signature exempt
    session           TEXT    NOT NULL DEFAULT '', -- the verification session (SMP-009)
    session_size      INTEGER NOT NULL DEFAULT 0,
    corrects_id       INTEGER REFERENCES sampling_ledger(id), -- a correction names the entry it corrects
    correction_reason TEXT    NOT NULL DEFAULT '',
    parent_id         INTEGER REFERENCES sampling_ledger(id), -- escalation: the entry escalated; decision: the escalation
    from_level        INTEGER NOT NULL DEFAULT 0,
    note              TEXT    NOT NULL DEFAULT '', -- the escalation's note or the decision
    created_by        INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL
);
CREATE INDEX sampling_ledger_list ON sampling_ledger (company_id, id);
CREATE INDEX sampling_ledger_task ON sampling_ledger (task_id, id);
CREATE INDEX sampling_ledger_parent ON sampling_ledger (parent_id);
CREATE INDEX sampling_ledger_corrects ON sampling_ledger (corrects_id);
CREATE INDEX sampling_ledger_checked ON sampling_ledger (checked_user_id, id);

CREATE TABLE sampling_ledger_hazards (
    entry_id  INTEGER NOT NULL REFERENCES sampling_ledger(id),
    hazard_id INTEGER NOT NULL,
    PRIMARY KEY (entry_id, hazard_id)
);

CREATE TABLE sampling_failures (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES org_units(id),
    user_id     INTEGER NOT NULL REFERENCES users(id), -- the sampler
    kind        TEXT    NOT NULL,                -- a repeat_offences kind of the pack
    pack        TEXT    NOT NULL,
    pack_version INTEGER NOT NULL,
    occurred_on TEXT    NOT NULL,                -- YYYY-MM-DD: the day, or the last day of the period missed
    occurred_at INTEGER NOT NULL,                -- its midnight, for the window
    seq         INTEGER NOT NULL,                -- the n-th of the kind in the window
    consequence TEXT    NOT NULL DEFAULT '',     -- warning, demotion, '' (SMP-017)
    draw_id     INTEGER REFERENCES sampling_draws(id),
    entry_id    INTEGER REFERENCES sampling_ledger(id),
    note        TEXT    NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),    -- NULL: recorded when the draw closed
    created_at  INTEGER NOT NULL
);
CREATE INDEX sampling_failures_user ON sampling_failures (user_id, kind, occurred_at);
CREATE INDEX sampling_failures_list ON sampling_failures (company_id, occurred_at);
CREATE UNIQUE INDEX sampling_failures_draw ON sampling_failures (draw_id, kind) WHERE draw_id IS NOT NULL;

-- +goose Down
DROP TABLE sampling_failures;
DROP TABLE sampling_ledger_hazards;
DROP TABLE sampling_ledger;
DROP TABLE sampling_tasks;
DROP TABLE sampling_draws;
