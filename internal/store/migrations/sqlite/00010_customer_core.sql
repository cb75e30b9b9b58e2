-- Customer archive core (issue 5): what the shared schema 00007 leaves
-- out. Important customers (CUS-005 to CUS-010): the designated outage
-- contact and the designated maintainer (CUS-010), the supply
-- configuration with its sources as JSON, validated against CUS-007 before
-- approval; the key-account tier (CUS-013). A contact record that reports
-- a hazard or gas theft protects the reporter's identity (SEC-007).

-- +goose Up
ALTER TABLE customers ADD COLUMN outage_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN maintainer_id BIGINT REFERENCES users(id);
ALTER TABLE customers ADD COLUMN supply TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN key_account_tier TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_contacts ADD COLUMN reporter INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_merged ON customers (merged_into_id);

-- +goose Down
DROP INDEX customers_merged;
ALTER TABLE customer_contacts DROP COLUMN reporter;
ALTER TABLE customers DROP COLUMN key_account_tier;
ALTER TABLE customers DROP COLUMN supply;
ALTER TABLE customers DROP COLUMN maintainer_id;
ALTER TABLE customers DROP COLUMN outage_contact;
