-- Dashboard counters (PRODUCT.md §5: dashboards over 1,000,000 work orders
-- ≤ 200 ms). GET /api/v1/tickets/counts sums a few thousand counter rows
-- instead of counting a million work orders per request.
--
-- ticket_counts: how many work orders there are now per owning unit
-- (coalesce(handling_unit_id, receiving_unit_id)), pack, category, status
-- and breached flag. slot = id % 8 spreads a hot key over eight rows so that
-- concurrent PostgreSQL transactions rarely wait on one counter row; readers
-- sum over the slots (on SQLite, with its one writer, it only costs rows).
--
-- ticket_daily_counts: per calendar day (YYYY-MM-DD in Asia/Shanghai), unit,
-- pack, category and slot, the work orders received that day (at their
-- receiving point) and the work orders closed that day that are still
-- closed (at their owning unit; a reopen takes the close back). Days are
-- UTC+8 fixed: China has kept no daylight saving time since 1991, so the
-- day of an instant is (µs / 1e6 + 28800) / 86400 days after 1970-01-01,
-- the day store.Zone gives for every instant kefu records.
--
-- Triggers on tickets keep both exact on every insert, delete and update of
-- a counted column, whatever writes the row (the services, bench seed,
-- imports): the counters always equal a GROUP BY over tickets. Rows that
-- drop to zero stay (at most one per key).

-- +goose Up
CREATE TABLE ticket_counts (
    unit_id  INTEGER NOT NULL, -- owning unit (no FK: kept by triggers)
    pack     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    breached INTEGER NOT NULL,
    slot     INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (unit_id, pack, category, status, breached, slot)
) WITHOUT ROWID;

CREATE TABLE ticket_daily_counts (
    day      TEXT    NOT NULL, -- YYYY-MM-DD, Asia/Shanghai
    unit_id  INTEGER NOT NULL, -- received: receiving point; closed: owning unit
    pack     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    slot     INTEGER NOT NULL,
    received INTEGER NOT NULL,
    closed   INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, pack, category, slot)
) WITHOUT ROWID;

-- Running clocks by their warning point: the due-soon count reads only the
-- clocks whose warning has passed (Counts.DueSoon). CAL-011 targets are
-- left out: one passed stays running until its stop event (it never
-- breaches), and its warning is its target, so it is never due soon.
CREATE INDEX ticket_clocks_running_warn ON ticket_clocks (warn_at) WHERE state = 'running' AND target = 0;

-- Existing work orders.
INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
SELECT coalesce(handling_unit_id, receiving_unit_id), pack, category, status, breached, id % 8, count(*)
FROM tickets GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
SELECT date(received_at / 1000000 + 28800, 'unixepoch'), receiving_unit_id, pack, category, id % 8, count(*), 0
FROM tickets GROUP BY 1, 2, 3, 4, 5;
INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
SELECT date(closed_at / 1000000 + 28800, 'unixepoch'), coalesce(handling_unit_id, receiving_unit_id), pack, category,
    id % 8, 0, count(*)
FROM tickets WHERE status = 'closed' GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET closed = excluded.closed;

-- +goose StatementBegin
CREATE TRIGGER tickets_counts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
    VALUES (coalesce(NEW.handling_unit_id, NEW.receiving_unit_id), NEW.pack, NEW.category, NEW.status, NEW.breached, NEW.id % 8, 1)
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = n + excluded.n;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    VALUES (date(NEW.received_at / 1000000 + 28800, 'unixepoch'), NEW.receiving_unit_id, NEW.pack, NEW.category, NEW.id % 8, 1, 0)
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET received = received + excluded.received;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(NEW.closed_at / 1000000 + 28800, 'unixepoch'), coalesce(NEW.handling_unit_id, NEW.receiving_unit_id),
        NEW.pack, NEW.category, NEW.id % 8, 0, 1
    WHERE NEW.status = 'closed'
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET closed = closed + excluded.closed;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_counts_ad AFTER DELETE ON tickets BEGIN
    INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
    VALUES (coalesce(OLD.handling_unit_id, OLD.receiving_unit_id), OLD.pack, OLD.category, OLD.status, OLD.breached, OLD.id % 8, -1)
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = n + excluded.n;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    VALUES (date(OLD.received_at / 1000000 + 28800, 'unixepoch'), OLD.receiving_unit_id, OLD.pack, OLD.category, OLD.id % 8, -1, 0)
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET received = received + excluded.received;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(OLD.closed_at / 1000000 + 28800, 'unixepoch'), coalesce(OLD.handling_unit_id, OLD.receiving_unit_id),
        OLD.pack, OLD.category, OLD.id % 8, 0, -1
    WHERE OLD.status = 'closed'
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET closed = closed + excluded.closed;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_counts_au AFTER UPDATE OF status, breached, handling_unit_id, receiving_unit_id, pack, category ON tickets
WHEN OLD.status IS NOT NEW.status OR OLD.breached IS NOT NEW.breached
    OR coalesce(OLD.handling_unit_id, OLD.receiving_unit_id) IS NOT coalesce(NEW.handling_unit_id, NEW.receiving_unit_id)
    OR OLD.pack IS NOT NEW.pack OR OLD.category IS NOT NEW.category
BEGIN
    INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
    VALUES (coalesce(OLD.handling_unit_id, OLD.receiving_unit_id), OLD.pack, OLD.category, OLD.status, OLD.breached, OLD.id % 8, -1)
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = n + excluded.n;
    INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
    VALUES (coalesce(NEW.handling_unit_id, NEW.receiving_unit_id), NEW.pack, NEW.category, NEW.status, NEW.breached, NEW.id % 8, 1)
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- The daily counters change when the received key changes, or when a
-- closed work order (before or after) changes status, close time or unit.
-- +goose StatementBegin
CREATE TRIGGER tickets_daily_counts_au AFTER UPDATE OF received_at, receiving_unit_id, handling_unit_id, pack, category, status, closed_at ON tickets
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.receiving_unit_id IS NOT NEW.receiving_unit_id
    OR OLD.pack IS NOT NEW.pack OR OLD.category IS NOT NEW.category
    OR ((OLD.status = 'closed' OR NEW.status = 'closed') AND (OLD.status IS NOT NEW.status OR OLD.closed_at IS NOT NEW.closed_at
        OR coalesce(OLD.handling_unit_id, OLD.receiving_unit_id) IS NOT coalesce(NEW.handling_unit_id, NEW.receiving_unit_id)))
BEGIN
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(OLD.received_at / 1000000 + 28800, 'unixepoch'), OLD.receiving_unit_id, OLD.pack, OLD.category, OLD.id % 8, -1, 0
    WHERE OLD.received_at IS NOT NEW.received_at OR OLD.receiving_unit_id IS NOT NEW.receiving_unit_id
        OR OLD.pack IS NOT NEW.pack OR OLD.category IS NOT NEW.category
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET received = received + excluded.received;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(NEW.received_at / 1000000 + 28800, 'unixepoch'), NEW.receiving_unit_id, NEW.pack, NEW.category, NEW.id % 8, 1, 0
    WHERE OLD.received_at IS NOT NEW.received_at OR OLD.receiving_unit_id IS NOT NEW.receiving_unit_id
        OR OLD.pack IS NOT NEW.pack OR OLD.category IS NOT NEW.category
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET received = received + excluded.received;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(OLD.closed_at / 1000000 + 28800, 'unixepoch'), coalesce(OLD.handling_unit_id, OLD.receiving_unit_id),
        OLD.pack, OLD.category, OLD.id % 8, 0, -1
    WHERE OLD.status = 'closed'
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET closed = closed + excluded.closed;
    INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
    SELECT date(NEW.closed_at / 1000000 + 28800, 'unixepoch'), coalesce(NEW.handling_unit_id, NEW.receiving_unit_id),
        NEW.pack, NEW.category, NEW.id % 8, 0, 1
    WHERE NEW.status = 'closed'
    ON CONFLICT (day, unit_id, pack, category, slot) DO UPDATE SET closed = closed + excluded.closed;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tickets_daily_counts_au;
DROP TRIGGER tickets_counts_au;
DROP TRIGGER tickets_counts_ad;
DROP TRIGGER tickets_counts_ai;
DROP INDEX ticket_clocks_running_warn;
DROP TABLE ticket_daily_counts;
DROP TABLE ticket_counts;
