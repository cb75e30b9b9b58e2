-- Search documents computed by one Go function, and FTS5 maintenance
-- deferred to the end of each write transaction (issue 6: the single
-- writer's time per work-order intake bounds intake per second).
--
-- 1. kefu_search_norm(text) is registered by internal/store (searchnorm.go)
--    on every SQLite connection: full-width ASCII forms (U+FF01..U+FF5E) and
--    U+3000 to ASCII, ASCII letters lower-cased, everything else kept — what
--    the replace() chains of 00008 and 00012 did, in one pass instead of 95,
--    and the same function name PostgreSQL's 00008 defines. The databases
--    therefore need kefu (or a registered function) to write to customers
--    and tickets; reading works anywhere.
-- 2. FTS5 flushes its pending terms into a new segment at every statement
--    boundary inside a transaction, so indexing each doc at once wrote one
--    tiny segment per insert and merged them again and again. The triggers
--    now only note the doc in a *_fts_pending table; store.FlushDeferred
--    (run by the group committer before every commit, by Migrate, and by the
--    bulk generator) indexes all noted docs with one statement. A reader
--    sees only committed data, so it never sees a doc unindexed.
--    An indexed doc that changes is deleted from the index at once (FTS5
--    needs the old text); a doc still pending is simply indexed later.

-- +goose Up
CREATE TABLE customer_fts_pending (customer_id INTEGER PRIMARY KEY);
CREATE TABLE ticket_fts_pending (ticket_id INTEGER PRIMARY KEY);

DROP VIEW customer_search_source;
CREATE VIEW customer_search_source AS
SELECT c.id AS customer_id,
    kefu_search_norm(
        c.name || char(10) || c.phone || char(10)
        || CASE WHEN c.phone_key <> c.phone THEN c.phone_key || char(10) ELSE '' END
        || c.address || char(10)
        || coalesce((SELECT group_concat(s.account_no || char(10) || s.archive_no || char(10) || s.address || char(10), '')
                     FROM service_points s WHERE s.customer_id = c.id), '')
        || char(10)
    ) AS doc
FROM customers c;

DROP VIEW ticket_search_source;
CREATE VIEW ticket_search_source AS
SELECT t.id AS ticket_id,
    kefu_search_norm(
        t.number || char(10) || t.subject || char(10) || t.customer_name || char(10) || t.customer_phone || char(10)
        || CASE WHEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(t.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '－', ''), '（', ''), '）', ''), '＋', ''), '—', ''), '　', '') NOT IN ('', t.customer_phone)
           THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(t.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '－', ''), '（', ''), '）', ''), '＋', ''), '—', ''), '　', '') || char(10) ELSE '' END
        || t.customer_address || char(10) || char(10)
    ) AS doc
FROM tickets t;

DROP TRIGGER customer_search_ai;
DROP TRIGGER customer_search_ad;
DROP TRIGGER customer_search_au;
-- +goose StatementBegin
CREATE TRIGGER customer_search_ai AFTER INSERT ON customer_search BEGIN
    INSERT OR IGNORE INTO customer_fts_pending (customer_id) VALUES (NEW.customer_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_search_ad AFTER DELETE ON customer_search BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, doc)
    SELECT 'delete', OLD.customer_id, OLD.doc
    WHERE NOT EXISTS (SELECT 1 FROM customer_fts_pending WHERE customer_id = OLD.customer_id);
    DELETE FROM customer_fts_pending WHERE customer_id = OLD.customer_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_search_au AFTER UPDATE OF doc ON customer_search
WHEN OLD.doc IS NOT NEW.doc AND NOT EXISTS (SELECT 1 FROM customer_fts_pending WHERE customer_id = OLD.customer_id) BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, doc) VALUES ('delete', OLD.customer_id, OLD.doc);
    INSERT INTO customer_fts_pending (customer_id) VALUES (NEW.customer_id);
END;
-- +goose StatementEnd

DROP TRIGGER ticket_search_ai;
DROP TRIGGER ticket_search_ad;
DROP TRIGGER ticket_search_au;
-- +goose StatementBegin
CREATE TRIGGER ticket_search_ai AFTER INSERT ON ticket_search BEGIN
    INSERT OR IGNORE INTO ticket_fts_pending (ticket_id) VALUES (NEW.ticket_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_search_ad AFTER DELETE ON ticket_search BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, doc)
    SELECT 'delete', OLD.ticket_id, OLD.doc
    WHERE NOT EXISTS (SELECT 1 FROM ticket_fts_pending WHERE ticket_id = OLD.ticket_id);
    DELETE FROM ticket_fts_pending WHERE ticket_id = OLD.ticket_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_search_au AFTER UPDATE OF doc ON ticket_search
WHEN OLD.doc IS NOT NEW.doc AND NOT EXISTS (SELECT 1 FROM ticket_fts_pending WHERE ticket_id = OLD.ticket_id) BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, doc) VALUES ('delete', OLD.ticket_id, OLD.doc);
    INSERT INTO ticket_fts_pending (ticket_id) VALUES (NEW.ticket_id);
END;
-- +goose StatementEnd

-- +goose Down
-- Back to indexing at once; the views keep kefu_search_norm (same docs).
INSERT INTO customer_fts (rowid, doc)
SELECT s.customer_id, s.doc FROM customer_fts_pending p JOIN customer_search s ON s.customer_id = p.customer_id;
INSERT INTO ticket_fts (rowid, doc)
SELECT s.ticket_id, s.doc FROM ticket_fts_pending p JOIN ticket_search s ON s.ticket_id = p.ticket_id;
DROP TRIGGER customer_search_ai;
DROP TRIGGER customer_search_ad;
DROP TRIGGER customer_search_au;
DROP TRIGGER ticket_search_ai;
DROP TRIGGER ticket_search_ad;
DROP TRIGGER ticket_search_au;
-- +goose StatementBegin
CREATE TRIGGER customer_search_ai AFTER INSERT ON customer_search BEGIN
    INSERT INTO customer_fts (rowid, doc) VALUES (NEW.customer_id, NEW.doc);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_search_ad AFTER DELETE ON customer_search BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, doc) VALUES ('delete', OLD.customer_id, OLD.doc);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customer_search_au AFTER UPDATE OF doc ON customer_search
WHEN OLD.doc IS NOT NEW.doc BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, doc) VALUES ('delete', OLD.customer_id, OLD.doc);
    INSERT INTO customer_fts (rowid, doc) VALUES (NEW.customer_id, NEW.doc);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_search_ai AFTER INSERT ON ticket_search BEGIN
    INSERT INTO ticket_fts (rowid, doc) VALUES (NEW.ticket_id, NEW.doc);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_search_ad AFTER DELETE ON ticket_search BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, doc) VALUES ('delete', OLD.ticket_id, OLD.doc);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ticket_search_au AFTER UPDATE OF doc ON ticket_search
WHEN OLD.doc IS NOT NEW.doc BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, doc) VALUES ('delete', OLD.ticket_id, OLD.doc);
    INSERT INTO ticket_fts (rowid, doc) VALUES (NEW.ticket_id, NEW.doc);
END;
-- +goose StatementEnd
DROP TABLE ticket_fts_pending;
DROP TABLE customer_fts_pending;
