-- SQLite only (its 00014 moves the doc normalisation into the Go function
-- kefu_search_norm and defers FTS5 maintenance to the end of each
-- transaction). PostgreSQL already normalises with its own kefu_search_norm
-- (00008) and its GIN indexes batch new entries in their pending lists
-- (fastupdate), so nothing changes here; the version exists so that both
-- dialects keep the same schema numbers.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
