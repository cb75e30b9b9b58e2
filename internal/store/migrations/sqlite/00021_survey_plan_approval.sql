-- The survey plan's approval block and the corrective actions (issue 9,
-- SUR-002, SUR-003, ARC-018).
--
-- Plan approval (编制 / 审核 / 批准 / 日期): the preparer (created_by)
-- submits the plan, a different holder of surveys:write reviews it, a
-- company manager who did not prepare it approves it; the reviewer or the
-- approver may return it to draft with an opinion. Until the plan is
-- approved the survey is not published: no answers, links, verification
-- or counts. Campaigns planned before this migration keep working: their
-- plan comes out approved, reviewed and approved by their preparer at
-- their creation.
--
-- Corrective actions (整改措施, SUR-003): after the report the supervisor
-- opens one action per issue found, for a department of the company, due
-- on a date; the department records what was done; the customer service
-- centre verifies it. A campaign closes only when every action is
-- verified.
--
-- Instants are Unix microseconds (UTC); 0 = not yet. Dates are YYYY-MM-DD.

-- +goose Up
ALTER TABLE survey_campaigns ADD COLUMN plan_status TEXT NOT NULL DEFAULT 'draft'
    CHECK (plan_status IN ('draft', 'submitted', 'reviewed', 'approved'));
ALTER TABLE survey_campaigns ADD COLUMN submitted_by INTEGER REFERENCES users(id);
ALTER TABLE survey_campaigns ADD COLUMN submitted_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_campaigns ADD COLUMN reviewed_by INTEGER REFERENCES users(id);
ALTER TABLE survey_campaigns ADD COLUMN reviewed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_campaigns ADD COLUMN review_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_campaigns ADD COLUMN approved_by INTEGER REFERENCES users(id);
ALTER TABLE survey_campaigns ADD COLUMN approved_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_campaigns ADD COLUMN approval_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_campaigns ADD COLUMN returned_by INTEGER REFERENCES users(id);  -- the last return to draft
ALTER TABLE survey_campaigns ADD COLUMN returned_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_campaigns ADD COLUMN return_opinion TEXT NOT NULL DEFAULT '';

-- Existing campaigns keep working: approved at their creation.
UPDATE survey_campaigns SET plan_status = 'approved', submitted_by = created_by, submitted_at = created_at,
    reviewed_by = created_by, reviewed_at = created_at, approved_by = created_by, approved_at = created_at;

CREATE TABLE survey_actions (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES survey_campaigns(id),
    serial         INTEGER NOT NULL,                           -- 1, 2, … within the campaign
    issue          TEXT    NOT NULL,                           -- the issue found by the survey
    department_id  INTEGER NOT NULL REFERENCES org_units(id),  -- who corrects it: a unit of the company
    due_on         TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'done', 'verified')),
    opened_by      INTEGER REFERENCES users(id),
    opened_at      INTEGER NOT NULL,
    result         TEXT    NOT NULL DEFAULT '',                -- what the department did
    done_by        INTEGER REFERENCES users(id),
    done_at        INTEGER NOT NULL DEFAULT 0,
    verify_opinion TEXT    NOT NULL DEFAULT '',                -- the CS centre's verification
    verified_by    INTEGER REFERENCES users(id),
    verified_at    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign_id, serial)
);
CREATE INDEX survey_actions_campaign ON survey_actions (campaign_id, status);

-- +goose Down
DROP TABLE survey_actions;
ALTER TABLE survey_campaigns DROP COLUMN return_opinion;
ALTER TABLE survey_campaigns DROP COLUMN returned_at;
ALTER TABLE survey_campaigns DROP COLUMN returned_by;
ALTER TABLE survey_campaigns DROP COLUMN approval_opinion;
ALTER TABLE survey_campaigns DROP COLUMN approved_at;
ALTER TABLE survey_campaigns DROP COLUMN approved_by;
ALTER TABLE survey_campaigns DROP COLUMN review_opinion;
ALTER TABLE survey_campaigns DROP COLUMN reviewed_at;
ALTER TABLE survey_campaigns DROP COLUMN reviewed_by;
ALTER TABLE survey_campaigns DROP COLUMN submitted_at;
ALTER TABLE survey_campaigns DROP COLUMN submitted_by;
ALTER TABLE survey_campaigns DROP COLUMN plan_status;
