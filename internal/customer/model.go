package customer

import (
	"encoding/json"
	"strings"
	"time"

	"kefu/internal/store"
)

// Kind is a person or an organisation.
type Kind string

// The kinds of customer.
const (
	Person       Kind = "person"
	Organisation Kind = "organisation"
)

// Customer is one party the company serves, with its classification,
// identity keys and (read by Get) its service points and contact records.
// Confidential fields are masked by the service for callers the pack does
// not name (SEC-007, SEC-009, SEC-010); Masked lists the masked groups.
type Customer struct {
	ID        store.ID `json:"id"`
	Kind      Kind     `json:"kind"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	PhoneKey  string   `json:"-"`
	NameKey   string   `json:"-"`
	PlateKey  string   `json:"-"`
	Address   string   `json:"address"`
	IDNumber  string   `json:"id_number"` // confidential: "1101**********1234" unless allowed
	Email     string   `json:"email"`
	Pack      string   `json:"pack"`                 // pack whose rules apply (CUS-002)
	Type      string   `json:"type"`                 // industry type key (CUS-002)
	TypeClass string   `json:"type_class,omitempty"` // residential | non_residential, derived from the pack
	Grade     string   `json:"grade"`                // A | B | C | D (CUS-004)
	// Importance is the important-customer grade (CUS-005) and
	// ImportanceState its approval state (CUS-006).
	Importance       string    `json:"importance"`
	ImportanceState  string    `json:"importance_state"`
	CreditGrade      string    `json:"credit_grade"` // CUS-017
	CreditLimit      string    `json:"credit_limit"` // yuan, "500000.00"
	CreditLimitCents int64     `json:"-"`
	SpecialGroups    []string  `json:"special_groups"` // CUS-012
	Flags            []string  `json:"flags"`          // gas risk flags (CUS-019)
	KeyAccount       bool      `json:"key_account"`    // CUS-013
	KeyAccountTier   string    `json:"key_account_tier"`
	AccountManagerID *store.ID `json:"account_manager_id"`
	CarBrand         string    `json:"car_brand"`
	CarPlate         string    `json:"car_plate"`
	Note             string    `json:"note"`
	// Profile is the confidential household profile (CUS-020); absent when masked.
	Profile map[string]string `json:"profile,omitempty"`
	// OutageContact and MaintainerID are the designated persons of an
	// important customer (CUS-010); Supply its supply configuration (CUS-007).
	OutageContact string    `json:"outage_contact"`
	MaintainerID  *store.ID `json:"maintainer_id"`
	Supply        *Supply   `json:"supply,omitempty"`
	// MergedIntoID is set on a merged duplicate (CUS-016); MergedIDs lists
	// the records merged into this one.
	MergedIntoID *store.ID  `json:"merged_into_id,omitempty"`
	MergedIDs    []store.ID `json:"merged_ids,omitempty"`
	Version      int        `json:"version"` // optimistic lock of Update
	OrgUnitID    store.ID   `json:"org_unit"`
	CreatedBy    store.ID   `json:"created_by,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// Masked names the confidential groups masked or hidden for the reader.
	Masked        []string       `json:"masked,omitempty"`
	ServicePoints []ServicePoint `json:"service_points"`
	Contacts      []Contact      `json:"contacts,omitempty"`
}

// ServicePoint is one account of a customer, kept as its own archive (一户一档,
// CUS-001, ARC-002).
type ServicePoint struct {
	ID         store.ID       `json:"id"`
	CustomerID store.ID       `json:"customer_id"`
	Kind       string         `json:"kind"` // gas_account | power_supply_point | property_unit
	AccountNo  string         `json:"account_no"`
	ArchiveNo  string         `json:"archive_no"` // G-000812
	CompanyID  store.ID       `json:"company_id"`
	OrgUnitID  store.ID       `json:"org_unit"`
	Address    string         `json:"address"`
	Attributes map[string]any `json:"attributes"`
	Status     string         `json:"status"`
	CreatedAt  time.Time      `json:"created_at"`
	// Related are the other archives of the same owner (ARC-002).
	Related []Reference `json:"related"`
}

// Reference points from one archive to another of the same owner.
type Reference struct {
	ServicePointID store.ID `json:"service_point_id"`
	ArchiveNo      string   `json:"archive_no"`
	AccountNo      string   `json:"account_no"`
	Relation       string   `json:"relation"` // same_owner
}

// Page is one page of a customer list.
type Page struct {
	Items []Customer
	Next  string // cursor of the next page; "" on the last
}

// Filter selects customers for List.
type Filter struct {
	Q            string // substring of name, phone, address or account number
	Type         string
	Grade        string
	Importance   string
	SpecialGroup string
	KeyAccount   *bool
	Kind         Kind
	Unit         store.ID // owning unit's subtree
	Limit        int
	Cursor       string
}

// columns of a customer row, on alias c.
const columns = `c.id, c.kind, c.name, c.phone, c.phone_key, c.address, c.id_number, c.org_unit_id,
	coalesce(c.created_by, 0), c.created_at, c.updated_at, c.pack, c.type, c.grade, c.importance,
	c.importance_state, c.credit_grade, c.credit_limit_cents, c.special_groups, c.flags, c.key_account,
	c.account_manager_id, c.name_key, c.car_brand, c.car_plate, c.plate_key, c.email, c.note, c.profile,
	c.merged_into_id, c.version, c.outage_contact, c.maintainer_id, c.supply, c.key_account_tier`

// returningColumns is columns for a RETURNING clause, which names the
// table's own columns.
var returningColumns = strings.ReplaceAll(columns, "c.", "")

func scan(s store.Scanner) (Customer, error) {
	var c Customer
	var created, updated, keyAccount int64
	var manager, merged, maintainer store.NullID
	var groups, flags, profile, supply string
	err := s.Scan(&c.ID, &c.Kind, &c.Name, &c.Phone, &c.PhoneKey, &c.Address, &c.IDNumber, &c.OrgUnitID,
		&c.CreatedBy, &created, &updated, &c.Pack, &c.Type, &c.Grade, &c.Importance,
		&c.ImportanceState, &c.CreditGrade, &c.CreditLimitCents, &groups, &flags, &keyAccount,
		&manager, &c.NameKey, &c.CarBrand, &c.CarPlate, &c.PlateKey, &c.Email, &c.Note, &profile,
		&merged, &c.Version, &c.OutageContact, &maintainer, &supply, &c.KeyAccountTier)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	c.SpecialGroups, c.Flags = splitList(groups), splitList(flags)
	c.KeyAccount = keyAccount != 0
	c.AccountManagerID, c.MergedIntoID, c.MaintainerID = idPtr(manager), idPtr(merged), idPtr(maintainer)
	c.CreditLimit = formatYuan(c.CreditLimitCents)
	if profile != "" {
		if err := json.Unmarshal([]byte(profile), &c.Profile); err != nil {
			return c, err
		}
	}
	if supply != "" {
		c.Supply = new(Supply)
		if err := json.Unmarshal([]byte(supply), c.Supply); err != nil {
			return c, err
		}
	}
	return c, nil
}

func idPtr(n store.NullID) *store.ID {
	if !n.Valid {
		return nil
	}
	id := n.ID
	return &id
}

func nullable(id *store.ID) any {
	if id == nil || *id == 0 {
		return nil
	}
	return *id
}

// splitList reads a comma-separated key list; joinList writes one.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func joinList(keys []string) string { return strings.Join(keys, ",") }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
