-- Work-order search (PRODUCT.md §5: GET /api/v1/tickets?q=… within 50 ms
-- on 1,000,000 work orders; q matches any substring of the number, subject,
-- or the customer's name, phone or address as recorded on the work order,
-- Chinese included, and a phone's digits).
--
-- ticket_search holds one normalised text per work order (the "doc"):
--     number \n subject \n customer_name \n customer_phone \n [phone_key \n] customer_address \n \n
-- normalised as in 00008 (customer.NormalizeSearch / textsearch.Normalize).
-- phone_key is the phone without the separators a phone may hold (space
-- + - ( ) and their full-width forms, the em dash, U+3000), i.e. its digits
-- (customer.PhoneKey), listed only when it differs from the phone. The
-- line breaks keep a query from matching across two fields, and every
-- character is followed by at least two more, so every character starts a
-- trigram (see internal/textsearch).
--
-- ticket_fts indexes the docs by trigrams (FTS5, external content);
-- ticket_fts_vocab lists its trigrams for the prefix expansion of short
-- queries. Triggers on tickets keep everything current on every insert,
-- update of the searched columns and delete, so raw INSERTs (bench seed,
-- imports) are indexed too.

-- +goose Up
CREATE TABLE ticket_search (
    ticket_id INTEGER PRIMARY KEY, -- = tickets.id (no FK: kept by triggers)
    doc       TEXT    NOT NULL
);

-- The doc of each work order, computed from the live row (the replace()
-- chain is 00008's: full-width ASCII forms and U+3000 to ASCII; lower()
-- folds ASCII letters only).
CREATE VIEW ticket_search_source AS
SELECT t.id AS ticket_id,
    lower(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        t.number || char(10) || t.subject || char(10) || t.customer_name || char(10) || t.customer_phone || char(10)
        || CASE WHEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(t.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '－', ''), '（', ''), '）', ''), '＋', ''), '—', ''), '　', '') NOT IN ('', t.customer_phone)
           THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(t.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '－', ''), '（', ''), '）', ''), '＋', ''), '—', ''), '　', '') || char(10) ELSE '' END
        || t.customer_address || char(10) || char(10)
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
FROM tickets t;

-- Trigram index over the docs; case-sensitive because the docs are already
-- folded, so a phrase match is an exact substring match.
CREATE VIRTUAL TABLE ticket_fts USING fts5(
    doc, content = 'ticket_search', content_rowid = 'ticket_id',
    tokenize = 'trigram case_sensitive 1'
);
CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab(ticket_fts, 'row');

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

-- +goose StatementBegin
CREATE TRIGGER tickets_search_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_search (ticket_id, doc)
    SELECT ticket_id, doc FROM ticket_search_source WHERE ticket_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_search_au AFTER UPDATE OF number, subject, customer_name, customer_phone, customer_address ON tickets BEGIN
    UPDATE ticket_search SET doc = (SELECT doc FROM ticket_search_source WHERE ticket_id = NEW.id)
    WHERE ticket_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_search_ad AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_search WHERE ticket_id = OLD.id;
END;
-- +goose StatementEnd

-- Existing work orders (the triggers above fill ticket_fts).
INSERT INTO ticket_search (ticket_id, doc) SELECT ticket_id, doc FROM ticket_search_source;

-- +goose Down
DROP TRIGGER tickets_search_ad;
DROP TRIGGER tickets_search_au;
DROP TRIGGER tickets_search_ai;
DROP TRIGGER ticket_search_au;
DROP TRIGGER ticket_search_ad;
DROP TRIGGER ticket_search_ai;
DROP TABLE ticket_fts_vocab;
DROP TABLE ticket_fts;
DROP VIEW ticket_search_source;
DROP TABLE ticket_search;
