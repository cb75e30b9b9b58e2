-- Survey forms (issue 9, SUR-002..SUR-009): a campaign run on a pack
-- questionnaire issues one form per sampled household (抽样房号, SUR-002);
-- a form is answered by staff on the phone, in person with the customer
-- signing on screen, from a paper form, or by the customer through a
-- one-use expiring link (only the SHA-256 of the link's token is kept);
-- returned forms are drawn for verification with the household and found
-- genuine or fake (SUR-006). The campaign's counts are kept equal to its
-- forms'. Instants are Unix microseconds (UTC); 0 = not yet.

-- +goose Up
ALTER TABLE survey_campaigns ADD COLUMN questionnaire TEXT NOT NULL DEFAULT ''; -- '' = counts entered by hand

CREATE TABLE survey_forms (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES survey_campaigns(id),
    serial          INTEGER NOT NULL,               -- 1, 2, … within the campaign
    household       TEXT    NOT NULL,               -- the sampled room number (SUR-002)
    customer_id     INTEGER REFERENCES customers(id),
    name            TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    distributor_id  INTEGER REFERENCES users(id),   -- who hands the form out (SUR-006 penalties)
    status          TEXT    NOT NULL CHECK (status IN ('issued', 'returned')),
    channel         TEXT    NOT NULL DEFAULT '',    -- phone, face_to_face, paper, link
    answers         TEXT    NOT NULL DEFAULT '',    -- JSON: question key → option key or text
    score_x100      INTEGER NOT NULL DEFAULT -1,    -- mean score of the scored questions × 100; -1 = none
    satisfied       INTEGER NOT NULL DEFAULT 0,     -- SUR-008
    signature       TEXT    NOT NULL DEFAULT '',    -- the customer's on-screen signature (face_to_face)
    answered_at     INTEGER NOT NULL DEFAULT 0,
    answered_by     INTEGER REFERENCES users(id),   -- NULL when the customer answered by link
    link_hash       TEXT    NOT NULL DEFAULT '',    -- hex SHA-256 of the link token
    link_expires_at INTEGER NOT NULL DEFAULT 0,
    verify_drawn    INTEGER NOT NULL DEFAULT 0,     -- drawn for verification (SUR-006)
    verify_result   TEXT    NOT NULL DEFAULT '' CHECK (verify_result IN ('', 'genuine', 'fake')),
    verify_note     TEXT    NOT NULL DEFAULT '',
    verified_at     INTEGER NOT NULL DEFAULT 0,
    verified_by     INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    UNIQUE (campaign_id, serial),
    UNIQUE (campaign_id, household)
);
CREATE INDEX survey_forms_link ON survey_forms (link_hash);
CREATE INDEX survey_forms_campaign ON survey_forms (campaign_id, status);

-- +goose Down
DROP TABLE survey_forms;
ALTER TABLE survey_campaigns DROP COLUMN questionnaire;
