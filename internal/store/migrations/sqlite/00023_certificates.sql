-- Staff certificates and permits (issue 10, INS-017, STF-001; issue 17's
-- staff records build on them): the vocational qualifications, electrician
-- permits (进网作业许可证) and job permits (上岗证) people hold, with their
-- scope of work, issue and expiry dates and the renewal dates counted from
-- the policy pack (CAL-015 lead times), the history of every certificate,
-- and the reminders sent.
--
-- A certificate is never rewritten: a renewal or a replacement after a
-- loss is a new row linked to the old one (previous_id, one successor
-- each); a loss report and a revocation fill their own columns once, with
-- who and why. The status (valid, renewal due, expired = unregistered,
-- revoked, renewed, replaced, lost) is derived from them and the day.
--
-- Rows belong to the holder's company (company_id): its people see them,
-- nobody else. Instants are Unix microseconds (UTC), 0 = not yet; dates
-- are YYYY-MM-DD, '' = none.

-- +goose Up
CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES org_units(id), -- the holder's company: the row scope
    holder_id     INTEGER NOT NULL REFERENCES users(id),
    pack          TEXT    NOT NULL,                           -- the pack whose kind it is
    pack_version  INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    number        TEXT    NOT NULL,                           -- 证书编号
    scopes        TEXT    NOT NULL DEFAULT '',                -- scope keys of the kind, comma-separated (INS-017)
    scope_note    TEXT    NOT NULL DEFAULT '',                -- 作业范围 as written on the certificate
    issuer        TEXT    NOT NULL DEFAULT '',                -- 发证机关
    issued_on     TEXT    NOT NULL,
    expires_on    TEXT    NOT NULL DEFAULT '',                -- '' : no expiry
    renew_by      TEXT    NOT NULL DEFAULT '',                -- last day to apply for renewal: expires_on − renewal_lead
    remind_on     TEXT    NOT NULL DEFAULT '',                -- reminder and "renewal due": renew_by − remind_before
    origin        TEXT    NOT NULL CHECK (origin IN ('new', 'renewal', 'replacement')),
    previous_id   INTEGER UNIQUE REFERENCES certificates(id), -- the certificate this one renews or replaces
    applied_on    TEXT    NOT NULL DEFAULT '',                -- a renewal: when the holder applied (INS-017)
    note          TEXT    NOT NULL DEFAULT '',
    lost_kind     TEXT    NOT NULL DEFAULT '' CHECK (lost_kind IN ('', 'lost', 'damaged')),
    lost_on       TEXT    NOT NULL DEFAULT '',
    lost_note     TEXT    NOT NULL DEFAULT '',
    lost_by       INTEGER REFERENCES users(id),
    lost_at       INTEGER NOT NULL DEFAULT 0,
    revoked_at    INTEGER NOT NULL DEFAULT 0,
    revoked_by    INTEGER REFERENCES users(id),
    revoke_reason TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX certificates_company ON certificates (company_id, id);
CREATE INDEX certificates_holder ON certificates (holder_id, kind);
CREATE INDEX certificates_expiry ON certificates (expires_on, remind_on);

-- The history of a certificate, append-only: registered, renewal applied,
-- renewed, loss reported, replaced, revoked, reminded.
CREATE TABLE certificate_events (
    id             INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates(id),
    action         TEXT    NOT NULL,
    actor_id       INTEGER REFERENCES users(id), -- NULL: the system (reminders)
    actor          TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT '',
    other_id       INTEGER REFERENCES certificates(id), -- the successor or predecessor concerned
    at             INTEGER NOT NULL
);
CREATE INDEX certificate_events_certificate ON certificate_events (certificate_id, id);

-- Reminders sent, once per certificate and stage (renewal_due, expired).
CREATE TABLE certificate_reminders (
    certificate_id INTEGER NOT NULL REFERENCES certificates(id),
    stage          TEXT    NOT NULL CHECK (stage IN ('renewal_due', 'expired')),
    sent_at        INTEGER NOT NULL,
    PRIMARY KEY (certificate_id, stage)
);

-- +goose Down
DROP TABLE certificate_reminders;
DROP TABLE certificate_events;
DROP TABLE certificates;
