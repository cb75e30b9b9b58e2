-- Customer search (issue 5, CUS search; API.md "Customers": q matches any
-- substring of name, phone, address or a service point's account number or
-- address, Chinese included).
--
-- customer_search holds one normalised text per customer (the "doc"):
--     name \n phone \n [phone_key \n] address \n {account_no \n archive_no \n address \n} \n
-- normalised as customer.NormalizeSearch normalises the query: full-width
-- forms (U+FF01..U+FF5E) and the ideographic space become ASCII, ASCII
-- letters are lower-cased. The line breaks keep a query from matching across
-- two fields, and every character is followed by at least two more (the
-- trailing \n), so every character starts a trigram: a one- or two-character
-- query is a prefix of the trigrams that contain it (see search.go).
--
-- customer_fts indexes the docs by trigrams (FTS5, external content) for
-- substring search; customer_fts_vocab lists its trigrams for the prefix
-- expansion of short queries. Triggers keep everything current on every
-- insert, update and delete of customers and service points, so import,
-- merge and edits need not call anything.

-- +goose Up
CREATE TABLE customer_search (
    customer_id INTEGER PRIMARY KEY, -- = customers.id (no FK: kept by triggers)
    doc         TEXT    NOT NULL
);

-- The doc of each customer, computed from the live rows. The nested
-- replace() calls map the 94 full-width ASCII forms and U+3000 to ASCII;
-- lower() folds ASCII letters only (no ICU), as NormalizeSearch does.
CREATE VIEW customer_search_source AS
SELECT c.id AS customer_id,
    lower(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        c.name || char(10) || c.phone || char(10)
        || CASE WHEN c.phone_key <> c.phone THEN c.phone_key || char(10) ELSE '' END
        || c.address || char(10)
        || coalesce((SELECT group_concat(s.account_no || char(10) || s.archive_no || char(10) || s.address || char(10), '')
                     FROM service_points s WHERE s.customer_id = c.id), '')
        || char(10)
      , '！', '!'), '＂', '"'), '＃', '#'), '＄', '$'), '％', '%'), '＆', '&')
      , '＇', ''''), '（', '('), '）', ')'), '＊', '*'), '＋', '+'), '，', ',')
      , '－', '-'), '．', '.'), '／', '/'), '０', '0'), '１', '1'), '２', '2')
      , '３', '3'), '４', '4'), '５', '5'), '６', '6'), '７', '7'), '８', '8')
      , '９', '9'), '：', ':'), '；', ';'), '＜', '<'), '＝', '='), '＞', '>')
      , '？', '?'), '＠', '@'), 'Ａ', 'a'), 'Ｂ', 'b'), 'Ｃ', 'c'), 'Ｄ', 'd')
      , 'Ｅ', 'e'), 'Ｆ', 'f'), 'Ｇ', 'g'), 'Ｈ', 'h'), 'Ｉ', 'i'), 'Ｊ', 'j')
      , 'Ｋ', 'k'), 'Ｌ', 'l'), 'Ｍ', 'm'), 'Ｎ', 'n'), 'Ｏ', 'o'), 'Ｐ', 'p')
      , 'Ｑ', 'q'), 'Ｒ', 'r'), 'Ｓ', 's'), 'Ｔ', 't'), 'Ｕ', 'u'), 'Ｖ', 'v')
      , 'Ｗ', 'w'), 'Ｘ', 'x'), 'Ｙ', 'y'), 'Ｚ', 'z'), '［', '['), '＼', '\')
      , '］', ']'), '＾', '^'), '＿', '_'), '｀', '`'), 'ａ', 'a'), 'ｂ', 'b')
      , 'ｃ', 'c'), 'ｄ', 'd'), 'ｅ', 'e'), 'ｆ', 'f'), 'ｇ', 'g'), 'ｈ', 'h')
      , 'ｉ', 'i'), 'ｊ', 'j'), 'ｋ', 'k'), 'ｌ', 'l'), 'ｍ', 'm'), 'ｎ', 'n')
      , 'ｏ', 'o'), 'ｐ', 'p'), 'ｑ', 'q'), 'ｒ', 'r'), 'ｓ', 's'), 'ｔ', 't')
      , 'ｕ', 'u'), 'ｖ', 'v'), 'ｗ', 'w'), 'ｘ', 'x'), 'ｙ', 'y'), 'ｚ', 'z')
      , '｛', '{'), '｜', '|'), '｝', '}'), '～', '~'), '　', ' ')
    ) AS doc
FROM customers c;

-- Trigram index over the docs; case-sensitive because the docs are already
-- folded, so a phrase match is an exact substring match.
CREATE VIRTUAL TABLE customer_fts USING fts5(
    doc, content = 'customer_search', content_rowid = 'customer_id',
    tokenize = 'trigram case_sensitive 1'
);
CREATE VIRTUAL TABLE customer_fts_vocab USING fts5vocab(customer_fts, 'row');

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
CREATE TRIGGER customers_search_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search (customer_id, doc)
    SELECT customer_id, doc FROM customer_search_source WHERE customer_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_search_au AFTER UPDATE OF name, phone, phone_key, address ON customers BEGIN
    UPDATE customer_search SET doc = (SELECT doc FROM customer_search_source WHERE customer_id = NEW.id)
    WHERE customer_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_search_ad AFTER DELETE ON customers BEGIN
    DELETE FROM customer_search WHERE customer_id = OLD.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER service_points_search_ai AFTER INSERT ON service_points BEGIN
    UPDATE customer_search SET doc = (SELECT doc FROM customer_search_source WHERE customer_id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER service_points_search_au AFTER UPDATE OF customer_id, account_no, archive_no, address ON service_points BEGIN
    UPDATE customer_search SET doc = (SELECT v.doc FROM customer_search_source v WHERE v.customer_id = customer_search.customer_id)
    WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER service_points_search_ad AFTER DELETE ON service_points BEGIN
    UPDATE customer_search SET doc = (SELECT doc FROM customer_search_source WHERE customer_id = OLD.customer_id)
    WHERE customer_id = OLD.customer_id;
END;
-- +goose StatementEnd

-- Existing customers (the triggers above fill customer_fts).
INSERT INTO customer_search (customer_id, doc) SELECT customer_id, doc FROM customer_search_source;

-- +goose Down
DROP TRIGGER service_points_search_ad;
DROP TRIGGER service_points_search_au;
DROP TRIGGER service_points_search_ai;
DROP TRIGGER customers_search_ad;
DROP TRIGGER customers_search_au;
DROP TRIGGER customers_search_ai;
DROP TRIGGER customer_search_au;
DROP TRIGGER customer_search_ad;
DROP TRIGGER customer_search_ai;
DROP TABLE customer_fts_vocab;
DROP TABLE customer_fts;
DROP VIEW customer_search_source;
DROP TABLE customer_search;
