-- Documents and attachments (ARC-001, CUS-018, SEC-009): files attached to
-- an owner (a customer, a service point, later work orders, archives,
-- inspections), stored once per content (content-addressed by SHA-256).
-- On SQLite the bytes are files under <data>/files/<aa>/<bb>/<sha256>; on
-- PostgreSQL they are large objects. Instants are Unix microseconds (UTC).

-- +goose Up
-- One row per distinct content. storage_key is "file" (the path follows
-- from the hash) or "lo:<oid>" (a PostgreSQL large object).
CREATE TABLE document_blobs (
    sha256      TEXT    PRIMARY KEY,
    size        BIGINT  NOT NULL,
    storage_key TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

-- A document: one file attached to one owner. Deleting is soft
-- (deleted_at); the row and the bytes stay, since archives are destroyed
-- only under the archive module's rules.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    owner_type   TEXT    NOT NULL,
    owner_id     BIGINT  NOT NULL,
    category     TEXT    NOT NULL,
    medium       TEXT    NOT NULL DEFAULT 'electronic',
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL REFERENCES document_blobs(sha256),
    uploaded_by  BIGINT  REFERENCES users(id),
    uploaded_at  BIGINT  NOT NULL,
    deleted_at   BIGINT  NOT NULL DEFAULT 0,
    deleted_by   BIGINT  REFERENCES users(id)
);
CREATE INDEX documents_owner ON documents (owner_type, owner_id, id);
CREATE INDEX documents_sha256 ON documents (sha256);

-- Neither documents nor their contents are ever deleted (PRODUCT.md §5).
-- +goose StatementBegin
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN
    SELECT RAISE(ABORT, 'documents are never deleted (soft delete: deleted_at)');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_blobs_no_delete BEFORE DELETE ON document_blobs
BEGIN
    SELECT RAISE(ABORT, 'document contents are never deleted');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_blobs_no_update BEFORE UPDATE ON document_blobs
BEGIN
    SELECT RAISE(ABORT, 'document contents are immutable');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER document_blobs_no_update;
DROP TRIGGER document_blobs_no_delete;
DROP TRIGGER documents_no_delete;
DROP TABLE documents;
DROP TABLE document_blobs;
