-- Dashboard counters (PRODUCT.md §5: dashboards over 1,000,000 work orders
-- ≤ 200 ms). GET /api/v1/tickets/counts sums a few thousand counter rows
-- instead of counting a million work orders per request.
--
-- ticket_counts: how many work orders there are now per owning unit
-- (coalesce(handling_unit_id, receiving_unit_id)), pack, category, status
-- and breached flag. slot = id % 8 spreads a hot key over eight rows so that
-- concurrent transactions rarely wait on one counter row; readers sum over
-- the slots. Keys are upserted in key order, so two transactions moving
-- work orders in opposite directions take their row locks in one order.
--
-- ticket_daily_counts: per calendar day (YYYY-MM-DD in Asia/Shanghai), unit,
-- pack, category and slot, the work orders received that day (at their
-- receiving point) and the work orders closed that day that are still
-- closed (at their owning unit; a reopen takes the close back). Days are
-- UTC+8 fixed (kefu_day): China has kept no daylight saving time since
-- 1991, so this is the day store.Zone gives for every instant kefu records.
--
-- Triggers on tickets keep both exact on every insert, delete and update of
-- a counted column, whatever writes the row (the services, bench seed,
-- imports): the counters always equal a GROUP BY over tickets. Inserts and
-- deletes are counted per statement from the transition table (bench seed
-- inserts 5,000 rows a statement: one grouped upsert, not 5,000); updates
-- per row, and only when a counted column changes. Rows that drop to zero
-- stay (at most one per key).

-- +goose Up
CREATE TABLE ticket_counts (
    unit_id  BIGINT  NOT NULL, -- owning unit (no FK: kept by triggers)
    pack     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    breached BOOLEAN NOT NULL,
    slot     INTEGER NOT NULL,
    n        BIGINT  NOT NULL,
    PRIMARY KEY (unit_id, pack, category, status, breached, slot)
);

CREATE TABLE ticket_daily_counts (
    day      TEXT    NOT NULL, -- YYYY-MM-DD, Asia/Shanghai
    unit_id  BIGINT  NOT NULL, -- received: receiving point; closed: owning unit
    pack     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    slot     INTEGER NOT NULL,
    received BIGINT  NOT NULL,
    closed   BIGINT  NOT NULL,
    PRIMARY KEY (day, unit_id, pack, category, slot)
);

-- Running clocks by their warning point: the due-soon count reads only the
-- clocks whose warning has passed (Counts.DueSoon). CAL-011 targets are
-- left out: one passed stays running until its stop event (it never
-- breaches), and its warning is its target, so it is never due soon.
CREATE INDEX ticket_clocks_running_warn ON ticket_clocks (warn_at) WHERE state = 'running' AND NOT target;

-- +goose StatementBegin
CREATE FUNCTION kefu_day(us bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(date '1970-01-01' + ((us / 1000000 + 28800) / 86400)::integer, 'YYYY-MM-DD')
$$;
-- +goose StatementEnd

-- Inserts and deletes: one grouped upsert per table and statement over the
-- transition table "changed" (the rows inserted, or deleted).
-- +goose StatementBegin
CREATE FUNCTION kefu_ticket_counts_stmt() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    dir bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO ticket_counts AS c (unit_id, pack, category, status, breached, slot, n)
    SELECT coalesce(handling_unit_id, receiving_unit_id), pack, category, status, breached, (id % 8)::integer, dir * count(*)
    FROM changed
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO ticket_daily_counts AS d (day, unit_id, pack, category, slot, received, closed)
    SELECT day, unit_id, pack, category, slot, dir * sum(received), dir * sum(closed)
    FROM (SELECT kefu_day(received_at), receiving_unit_id, pack, category, (id % 8)::integer, 1, 0 FROM changed
          UNION ALL
          SELECT kefu_day(closed_at), coalesce(handling_unit_id, receiving_unit_id), pack, category, (id % 8)::integer, 0, 1
          FROM changed WHERE status = 'closed'
         ) AS x (day, unit_id, pack, category, slot, received, closed)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, unit_id, pack, category, slot)
    DO UPDATE SET received = d.received + EXCLUDED.received, closed = d.closed + EXCLUDED.closed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tickets_counts_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION kefu_ticket_counts_stmt();
CREATE TRIGGER tickets_counts_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION kefu_ticket_counts_stmt();

-- Updates: the old row counted -1 and the new +1, netted per key (an update
-- that changes no key writes nothing).
-- +goose StatementBegin
CREATE FUNCTION kefu_ticket_counts_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_counts AS c (unit_id, pack, category, status, breached, slot, n)
    SELECT unit_id, pack, category, status, breached, slot, sum(n)
    FROM (VALUES
            (coalesce(OLD.handling_unit_id, OLD.receiving_unit_id), OLD.pack, OLD.category, OLD.status, OLD.breached,
             (OLD.id % 8)::integer, -1),
            (coalesce(NEW.handling_unit_id, NEW.receiving_unit_id), NEW.pack, NEW.category, NEW.status, NEW.breached,
             (NEW.id % 8)::integer, 1)
         ) AS v (unit_id, pack, category, status, breached, slot, n)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (unit_id, pack, category, status, breached, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO ticket_daily_counts AS d (day, unit_id, pack, category, slot, received, closed)
    SELECT day, unit_id, pack, category, slot, sum(received), sum(closed)
    FROM (SELECT kefu_day(OLD.received_at), OLD.receiving_unit_id, OLD.pack, OLD.category, (OLD.id % 8)::integer, -1, 0
          UNION ALL
          SELECT kefu_day(NEW.received_at), NEW.receiving_unit_id, NEW.pack, NEW.category, (NEW.id % 8)::integer, 1, 0
          UNION ALL
          SELECT kefu_day(OLD.closed_at), coalesce(OLD.handling_unit_id, OLD.receiving_unit_id), OLD.pack, OLD.category,
              (OLD.id % 8)::integer, 0, -1
          WHERE OLD.status = 'closed'
          UNION ALL
          SELECT kefu_day(NEW.closed_at), coalesce(NEW.handling_unit_id, NEW.receiving_unit_id), NEW.pack, NEW.category,
              (NEW.id % 8)::integer, 0, 1
          WHERE NEW.status = 'closed'
         ) AS x (day, unit_id, pack, category, slot, received, closed)
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(received) <> 0 OR sum(closed) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, unit_id, pack, category, slot)
    DO UPDATE SET received = d.received + EXCLUDED.received, closed = d.closed + EXCLUDED.closed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tickets_counts_update
    AFTER UPDATE OF status, breached, handling_unit_id, receiving_unit_id, pack, category, received_at, closed_at ON tickets
    FOR EACH ROW WHEN ((OLD.status, OLD.breached, OLD.handling_unit_id, OLD.receiving_unit_id, OLD.pack, OLD.category,
                        OLD.received_at, OLD.closed_at)
                       IS DISTINCT FROM (NEW.status, NEW.breached, NEW.handling_unit_id, NEW.receiving_unit_id, NEW.pack,
                        NEW.category, NEW.received_at, NEW.closed_at))
    EXECUTE FUNCTION kefu_ticket_counts_row();

-- Existing work orders.
INSERT INTO ticket_counts (unit_id, pack, category, status, breached, slot, n)
SELECT coalesce(handling_unit_id, receiving_unit_id), pack, category, status, breached, (id % 8)::integer, count(*)
FROM tickets GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO ticket_daily_counts (day, unit_id, pack, category, slot, received, closed)
SELECT day, unit_id, pack, category, slot, sum(received), sum(closed)
FROM (SELECT kefu_day(received_at), receiving_unit_id, pack, category, (id % 8)::integer, 1, 0 FROM tickets
      UNION ALL
      SELECT kefu_day(closed_at), coalesce(handling_unit_id, receiving_unit_id), pack, category, (id % 8)::integer, 0, 1
      FROM tickets WHERE status = 'closed'
     ) AS x (day, unit_id, pack, category, slot, received, closed)
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TRIGGER tickets_counts_update ON tickets;
DROP TRIGGER tickets_counts_delete ON tickets;
DROP TRIGGER tickets_counts_insert ON tickets;
DROP FUNCTION kefu_ticket_counts_row();
DROP FUNCTION kefu_ticket_counts_stmt();
DROP FUNCTION kefu_day(bigint);
DROP INDEX ticket_clocks_running_warn;
DROP TABLE ticket_daily_counts;
DROP TABLE ticket_counts;
