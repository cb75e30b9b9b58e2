-- Background timers and notifications (issue 4): due timers fired exactly
-- once by internal/jobs, cluster leases, in-app notifications, and outgoing
-- webhooks with their deliveries (internal/notify).
-- Instants are Unix microseconds (UTC).

-- +goose Up
CREATE TABLE timers (
    kind       TEXT    NOT NULL,
    ref        INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    parked     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, ref)
);
-- The run loop reads the earliest due timer and claims due ones through this.
CREATE INDEX timers_due ON timers (due_at) WHERE parked = 0;

CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    event      TEXT    NOT NULL,
    title_zh   TEXT    NOT NULL,
    title_en   TEXT    NOT NULL,
    link       TEXT    NOT NULL DEFAULT '',
    object     TEXT    NOT NULL DEFAULT '',
    object_id  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    read_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at = 0;

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL DEFAULT '[]',
    secret     TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event        TEXT    NOT NULL,
    object       TEXT    NOT NULL DEFAULT '',
    object_id    INTEGER NOT NULL DEFAULT 0,
    data         TEXT    NOT NULL DEFAULT 'null',
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    status_code  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE notifications;
DROP TABLE leases;
DROP TABLE timers;
