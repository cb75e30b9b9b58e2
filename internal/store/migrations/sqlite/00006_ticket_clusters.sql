-- Work-order rules of issue 4 part 5: flags on the clocks (CAL-011
-- warning-only targets, TKT-020 scheduled reply times, pausable clocks,
-- clocks replaced by a reclassification, TKT-003), clusters of complaints
-- on one issue with their joint explanation sessions (TKT-008), and open
-- letters answering many work orders at once (TKT-010).
-- Instants are Unix microseconds (UTC); 0 = not yet.

-- +goose Up
ALTER TABLE ticket_clocks ADD COLUMN target INTEGER NOT NULL DEFAULT 0;      -- CAL-011: warns, never breaches
ALTER TABLE ticket_clocks ADD COLUMN scheduled INTEGER NOT NULL DEFAULT 0;   -- TKT-020: a next reply time, not a pack rule
ALTER TABLE ticket_clocks ADD COLUMN pausable INTEGER NOT NULL DEFAULT 0;    -- copied from the pack rule
ALTER TABLE ticket_clocks ADD COLUMN replaced_at INTEGER NOT NULL DEFAULT 0; -- TKT-003: replaced by a reclassification

CREATE TABLE ticket_clusters (
    id          INTEGER PRIMARY KEY,
    pack        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    location    TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);

-- A work order belongs to at most one cluster.
CREATE TABLE ticket_cluster_members (
    cluster_id INTEGER NOT NULL REFERENCES ticket_clusters(id),
    ticket_id  INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
    added_by   INTEGER REFERENCES users(id),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, ticket_id)
);

-- Joint explanation sessions (联合解释) of a cluster.
CREATE TABLE ticket_sessions (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES ticket_clusters(id),
    held_at     INTEGER NOT NULL,
    place       TEXT    NOT NULL,
    record      TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX ticket_sessions_cluster ON ticket_sessions (cluster_id, id);

-- Open letters (公开信), numbered OL-<year>-<sequence of the year>.
CREATE TABLE open_letter_sequences (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE open_letters (
    id         INTEGER PRIMARY KEY,
    number     TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    issued_by  INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE open_letter_tickets (
    letter_id INTEGER NOT NULL REFERENCES open_letters(id),
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    PRIMARY KEY (letter_id, ticket_id)
);
CREATE INDEX open_letter_tickets_ticket ON open_letter_tickets (ticket_id);

-- +goose Down
DROP TABLE open_letter_tickets;
DROP TABLE open_letters;
DROP TABLE open_letter_sequences;
DROP TABLE ticket_sessions;
DROP TABLE ticket_cluster_members;
DROP TABLE ticket_clusters;
ALTER TABLE ticket_clocks DROP COLUMN replaced_at;
ALTER TABLE ticket_clocks DROP COLUMN pausable;
ALTER TABLE ticket_clocks DROP COLUMN scheduled;
ALTER TABLE ticket_clocks DROP COLUMN target;
