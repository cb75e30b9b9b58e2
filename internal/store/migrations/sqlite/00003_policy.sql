-- Policy packs (issue 4, PRODUCT.md §4, TKT-041): versions of packs loaded by
-- an administrator. The built-in packs live in the binary; a row with a
-- built-in key is a later version of it. Rows are never changed: a work
-- order keeps the (key, version) it was created under.

-- +goose Up
CREATE TABLE policy_packs (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    yaml       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL,
    created_at INTEGER  NOT NULL,
    created_by INTEGER,
    UNIQUE (key, version)
);

-- +goose Down
DROP TABLE policy_packs;
