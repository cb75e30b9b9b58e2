-- Customer search (issue 5, CUS search; API.md "Customers": q matches any
-- substring of name, phone, address or a service point's account number or
-- address, Chinese included).
--
-- customer_search holds one normalised text per customer (the "doc"):
--     name \n phone \n [phone_key \n] address \n {account_no \n archive_no \n address \n} \n
-- normalised as customer.NormalizeSearch normalises the query: full-width
-- forms (U+FF01..U+FF5E) and the ideographic space become ASCII, ASCII
-- letters are lower-cased (and only those: lower() would fold other
-- scripts by the collation, which the query side does not). The line breaks
-- keep a query from matching across two fields. The same doc as on SQLite.
--
-- Indexes: pg_trgm GIN on the doc for queries with a run of three or more
-- letters/digits (LIKE '%q%'); GIN on kefu_search_grams(doc), the distinct
-- characters and character pairs of the doc, for short queries, which
-- pg_trgm cannot answer from the index. pg_trgm is a contrib extension
-- (Debian: postgresql-contrib, part of the server package); creating it
-- needs the CREATE privilege on the database (PostgreSQL 13+: trusted
-- extension) or a superuser.
--
-- Triggers keep everything current on every insert, update and delete of
-- customers and service points, so import, merge and edits need not call
-- anything; they run at commit (see below), so the index changes become
-- visible together with the rows.

-- +goose Up
-- In schema public, so that it outlives the schema of whoever runs the
-- migration first (tests run each in a schema of its own) and stays
-- reachable as public.gin_trgm_ops; the advisory lock serialises concurrent
-- first migrations, which would otherwise both try to create it.
SELECT pg_advisory_xact_lock(7419002);
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

-- +goose StatementBegin
CREATE FUNCTION kefu_search_norm(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(s,
            '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　ABCDEFGHIJKLMNOPQRSTUVWXYZ',
            '!"#$%&''()*+,-./0123456789:;<=>?@abcdefghijklmnopqrstuvwxyz[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ abcdefghijklmnopqrstuvwxyz')
$$;
-- +goose StatementEnd

-- The distinct characters and pairs of characters of a doc, without the
-- field separator.
-- +goose StatementBegin
CREATE FUNCTION kefu_search_grams(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g.g), '{}')
    FROM unnest(string_to_array(doc, NULL), string_to_array(substr(doc, 2), NULL)) AS t(a, b),
         LATERAL (VALUES (a), (a || b)) AS g(g)
    WHERE g.g IS NOT NULL AND strpos(g.g, E'\n') = 0
$$;
-- +goose StatementEnd

CREATE TABLE customer_search (
    customer_id BIGINT PRIMARY KEY, -- = customers.id (no FK: kept by triggers)
    doc         TEXT   NOT NULL COLLATE "C"
);
CREATE INDEX customer_search_trgm ON customer_search USING gin (doc public.gin_trgm_ops);
-- An expression index: storing the grams as a column made the table 4.6
-- times larger (943 MB for 1,000,000 customers) and every heap recheck slower.
CREATE INDEX customer_search_grams ON customer_search USING gin (kefu_search_grams(doc));

-- The doc of each customer, computed from the live rows.
CREATE VIEW customer_search_source AS
SELECT c.id AS customer_id,
    kefu_search_norm(
        c.name || E'\n' || c.phone || E'\n'
        || CASE WHEN c.phone_key <> c.phone THEN c.phone_key || E'\n' ELSE '' END
        || c.address || E'\n'
        || coalesce((SELECT string_agg(s.account_no || E'\n' || s.archive_no || E'\n' || s.address || E'\n', '' ORDER BY s.id)
                     FROM service_points s WHERE s.customer_id = c.id), '')
        || E'\n') AS doc
FROM customers c;

-- Recomputes the doc of customer p_id (removes it when the customer is
-- gone); writes nothing when the doc did not change.
-- +goose StatementBegin
CREATE FUNCTION kefu_customer_search_refresh(p_id BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    SELECT v.doc INTO d FROM customer_search_source v WHERE v.customer_id = p_id;
    IF d IS NULL THEN
        DELETE FROM customer_search WHERE customer_id = p_id;
    ELSIF NOT EXISTS (SELECT 1 FROM customer_search s WHERE s.customer_id = p_id AND s.doc = d) THEN
        INSERT INTO customer_search (customer_id, doc) VALUES (p_id, d)
        ON CONFLICT (customer_id) DO UPDATE SET doc = EXCLUDED.doc;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION kefu_customers_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM kefu_customer_search_refresh(OLD.id);
    ELSE
        PERFORM kefu_customer_search_refresh(NEW.id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION kefu_service_points_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM kefu_customer_search_refresh(NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.customer_id <> NEW.customer_id) THEN
        PERFORM kefu_customer_search_refresh(OLD.customer_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Deferred to the commit: by then a new customer has its service points,
-- so its doc is written once (the later events find it unchanged) instead
-- of once per row, which kept 2.25 versions of every row and its index
-- entries after a bulk import (customer_search 1,069 MB instead of ~300 MB
-- for 1,000,000 customers, and slower searches).
CREATE CONSTRAINT TRIGGER customers_search AFTER INSERT OR DELETE OR UPDATE OF name, phone, phone_key, address
    ON customers DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION kefu_customers_search_trigger();
CREATE CONSTRAINT TRIGGER service_points_search AFTER INSERT OR DELETE OR UPDATE OF customer_id, account_no, archive_no, address
    ON service_points DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION kefu_service_points_search_trigger();

-- Existing customers.
INSERT INTO customer_search (customer_id, doc) SELECT customer_id, doc FROM customer_search_source;

-- +goose Down
DROP TRIGGER service_points_search ON service_points;
DROP TRIGGER customers_search ON customers;
DROP FUNCTION kefu_service_points_search_trigger();
DROP FUNCTION kefu_customers_search_trigger();
DROP FUNCTION kefu_customer_search_refresh(BIGINT);
DROP VIEW customer_search_source;
DROP TABLE customer_search;
DROP FUNCTION kefu_search_grams(text);
DROP FUNCTION kefu_search_norm(text);
