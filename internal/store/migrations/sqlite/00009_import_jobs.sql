-- Import jobs (issue 5): a ledger import too long to answer in one request
-- runs in the server process; its progress, counts and row errors (capped)
-- are kept here so that GET /api/v1/import-jobs/{id} can show them. The
-- runner writes heartbeat_at as it goes; a job left queued or running by a
-- stopped process is marked failed on the next start-up. Instants are Unix
-- microseconds (UTC); 0 = not yet.

-- +goose Up
CREATE TABLE import_jobs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    file_name      TEXT    NOT NULL,
    sha256         TEXT    NOT NULL,
    size_bytes     BIGINT  NOT NULL DEFAULT 0,
    status         TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    phase          TEXT    NOT NULL DEFAULT '',
    dry_run        INTEGER NOT NULL DEFAULT 0,
    all_or_nothing INTEGER NOT NULL DEFAULT 0,
    org_unit_id    BIGINT  NOT NULL REFERENCES org_units(id),
    rows_total     INTEGER NOT NULL DEFAULT 0,
    rows_done      INTEGER NOT NULL DEFAULT 0,
    rows_valid     INTEGER NOT NULL DEFAULT 0,
    rows_written   INTEGER NOT NULL DEFAULT 0,
    -- row errors as JSON, capped; report: the final report without them
    errors         TEXT    NOT NULL DEFAULT '[]',
    report         TEXT    NOT NULL DEFAULT '',
    message        TEXT    NOT NULL DEFAULT '',
    created_by     BIGINT  REFERENCES users(id),
    created_at     BIGINT  NOT NULL,
    heartbeat_at   BIGINT  NOT NULL DEFAULT 0,
    finished_at    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX import_jobs_status ON import_jobs (status, id);
CREATE INDEX import_jobs_created_by ON import_jobs (created_by, id);

-- +goose Down
DROP INDEX import_jobs_created_by;
DROP INDEX import_jobs_status;
DROP TABLE import_jobs;
