// Package customer owns the customer archive (客户档案, CUS): customers
// (persons and organisations) and their service points, one archive per
// account (一户一档, CUS-001, ARC-002); classification by industry type,
// A/B/C/D grade with the yearly regrading run, important-customer grades
// with supply-source validation (CUS-004 to CUS-010), special groups, key
// accounts and credit; contact records (CUS-015); confidential fields masked
// per the pack and every unmasked view audited (SEC-007, SEC-009, SEC-010);
// identity keys, duplicate candidates and merges (CUS-016); field history
// with an optimistic version (CUS-018). Rules come from the pack's
// `customers` section (internal/policy).
//
// Files: model.go (types and row scanning), input.go (input, normalising,
// validation), service.go (create, get, list), servicepoint.go,
// classify.go, supply.go, regrade.go, contacts.go, confidential.go,
// duplicates.go, merge.go, update.go; search_fallback.go holds the list's
// substring search until the search index replaces it.
package customer

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Service stores customers.
type Service struct {
	db    *store.DB
	packs *policy.Registry
	now   func() time.Time
}

// Options build a Service.
type Options struct {
	DB     *store.DB
	Policy *policy.Registry // the packs; needed by everything but Load and FindOrCreate
	Now    func() time.Time // defaults to time.Now
}

// New returns the customer service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: o.DB, packs: o.Policy, now: o.Now}
}

// maxMergeHops bounds following merged_into_id (merges re-point earlier
// merges, so one hop is the rule; the bound guards against bad data).
const maxMergeHops = 8

// Load returns one customer unmasked, read on c (a reader or a
// transaction), following a merged duplicate to the kept record. It does
// not check row scope: it serves other modules (work-order intake) that
// check their own access.
func (s *Service) Load(ctx context.Context, c store.Conn, id store.ID) (Customer, error) {
	for range maxMergeHops {
		cu, err := scan(c.QueryRow(ctx, "SELECT "+columns+" FROM customers c WHERE c.id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return cu, apperr.NotFound("customer_id")
		}
		if err != nil || cu.MergedIntoID == nil {
			return cu, err
		}
		id = *cu.MergedIntoID
	}
	return Customer{}, apperr.NotFound("customer_id")
}

// FindOrCreate returns the customer with the same phone key (preferring one
// with the same name), or, without a phone, the one with the same name and
// address; otherwise it creates the customer in unitID. Merged duplicates
// are never returned. in is validated first (fields named "customer.…").
// created reports a new customer. It serves the work-order intake, which
// gives only name, phone and address: the archive is completed later.
func (s *Service) FindOrCreate(ctx context.Context, tx store.Conn, in Input, unitID store.ID, by *auth.Principal) (Customer, bool, error) {
	if err := in.ValidateIntake("customer"); err != nil {
		return Customer{}, false, err
	}
	key := PhoneKey(in.Phone)
	var row *sql.Row
	if key != "" {
		row = tx.QueryRow(ctx, "SELECT "+columns+` FROM customers c WHERE c.phone_key = ? AND c.merged_into_id IS NULL
			ORDER BY CASE WHEN c.name = ? THEN 0 ELSE 1 END, c.id LIMIT 1`, key, in.Name)
	} else {
		row = tx.QueryRow(ctx, "SELECT "+columns+` FROM customers c WHERE c.phone_key = '' AND c.name = ? AND c.address = ?
			AND c.merged_into_id IS NULL ORDER BY c.id LIMIT 1`, in.Name, in.Address)
	}
	c, err := scan(row)
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Customer{}, false, err
	}
	now := store.Micros(s.now())
	var createdBy any
	if by != nil && by.UserID != 0 {
		createdBy = by.UserID
	}
	// RETURNING the row with its defaults spares the intake writer a read.
	c, err = scan(tx.QueryRow(ctx, `INSERT INTO customers (kind, name, phone, phone_key, address, id_number, org_unit_id,
		created_by, created_at, updated_at, name_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+returningColumns,
		string(in.Kind), in.Name, in.Phone, key, in.Address, in.IDNumber, unitID, createdBy, now, now, NameKey(in.Name)))
	return c, err == nil, err
}
