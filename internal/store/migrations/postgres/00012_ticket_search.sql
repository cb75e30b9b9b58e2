-- Work-order search (PRODUCT.md §5: GET /api/v1/tickets?q=… within 50 ms
-- on 1,000,000 work orders; q matches any substring of the number, subject,
-- or the customer's name, phone or address as recorded on the work order,
-- Chinese included, and a phone's digits).
--
-- ticket_search holds one normalised text per work order (the "doc"), the
-- same as on SQLite:
--     number \n subject \n customer_name \n customer_phone \n [phone_key \n] customer_address \n \n
-- normalised by 00008's kefu_search_norm. phone_key is the phone without
-- the separators a phone may hold (space + - ( ) and their full-width
-- forms, the em dash, U+3000), i.e. its digits (customer.PhoneKey), listed
-- only when it differs from the phone.
--
-- Indexes as for customer_search (00008): pg_trgm GIN on the doc and GIN on
-- kefu_search_grams(doc). A row trigger on tickets keeps the doc current on
-- every insert, update of the searched columns and delete, so raw INSERTs
-- (bench seed, imports) are indexed too; a work order's doc depends on its
-- own row only, so unlike 00008 it need not wait for the commit.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION kefu_ticket_search_doc(number text, subject text, name text, phone text, address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kefu_search_norm(
        number || E'\n' || subject || E'\n' || name || E'\n' || phone || E'\n'
        || CASE WHEN k.phone_key IN ('', phone) THEN '' ELSE k.phone_key || E'\n' END
        || address || E'\n' || E'\n')
    FROM (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '－', ''), '（', ''), '）', ''), '＋', ''), '—', ''), '　', '') AS phone_key) k
$$;
-- +goose StatementEnd

CREATE TABLE ticket_search (
    ticket_id BIGINT PRIMARY KEY, -- = tickets.id (no FK: kept by the trigger)
    doc       TEXT   NOT NULL COLLATE "C"
);
CREATE INDEX ticket_search_trgm ON ticket_search USING gin (doc public.gin_trgm_ops);
CREATE INDEX ticket_search_grams ON ticket_search USING gin (kefu_search_grams(doc));

-- +goose StatementBegin
CREATE FUNCTION kefu_tickets_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM ticket_search WHERE ticket_id = OLD.id;
    ELSE
        INSERT INTO ticket_search (ticket_id, doc)
        VALUES (NEW.id, kefu_ticket_search_doc(NEW.number, NEW.subject, NEW.customer_name, NEW.customer_phone, NEW.customer_address))
        ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc WHERE ticket_search.doc IS DISTINCT FROM EXCLUDED.doc;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tickets_search AFTER INSERT OR DELETE OR UPDATE OF number, subject, customer_name, customer_phone, customer_address
    ON tickets FOR EACH ROW EXECUTE FUNCTION kefu_tickets_search_trigger();

-- Existing work orders.
INSERT INTO ticket_search (ticket_id, doc)
SELECT id, kefu_ticket_search_doc(number, subject, customer_name, customer_phone, customer_address) FROM tickets;

-- +goose Down
DROP TRIGGER tickets_search ON tickets;
DROP FUNCTION kefu_tickets_search_trigger();
DROP TABLE ticket_search;
DROP FUNCTION kefu_ticket_search_doc(text, text, text, text, text);
