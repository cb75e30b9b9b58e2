package customer

import (
	"context"
	"slices"
	"strings"

	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Identity keys of CUS-016 (the pack chooses which apply).
const (
	KeyPhone        = "phone"         // same contact phone (digits)
	KeyFullName     = "full_name"     // same full name
	KeyNameAddress  = "name_address"  // same full name at the same address
	KeyPlateSurname = "plate_surname" // same licence plate and surname (and car brand when both give one)
)

// Candidate is an existing customer that may be the same party (CUS-016).
type Candidate struct {
	ID      store.ID `json:"id"`
	Name    string   `json:"name"`
	Phone   string   `json:"phone"`
	Address string   `json:"address"`
	Keys    []string `json:"keys"` // the identity keys that matched
}

// maxCandidates bounds the candidates shown.
const maxCandidates = 20

// Candidates returns the existing customers, in the caller's scope, that
// match in on any identity key of the pack (for the creation form).
func (s *Service) Candidates(ctx context.Context, p *auth.Principal, in Input) ([]Candidate, error) {
	if err := need(p, auth.PermCustomersRead); err != nil {
		return nil, err
	}
	in.Normalize()
	unit := store.ID(0)
	switch {
	case in.OrgUnit != nil:
		unit = *in.OrgUnit
	case p != nil:
		unit = p.OrgUnitID
	}
	var pack *policy.Pack
	if unit != 0 {
		var err error
		if pack, err = s.packFor(ctx, unit); err != nil {
			return nil, err
		}
	}
	return candidates(ctx, s.db.Reader(), p, pack, in, 0)
}

// candidates finds the customers matching in (normalised) on the pack's
// identity keys, leaving out exclude and merged duplicates.
func candidates(ctx context.Context, c store.Conn, p *auth.Principal, pack *policy.Pack, in Input, exclude store.ID) ([]Candidate, error) {
	keys := policy.DefaultIdentityKeys
	if pack != nil {
		keys = pack.Customers.IdentityKeys
	}
	phone, name, plate := PhoneKey(in.Phone), NameKey(in.Name), PlateKey(in.CarPlate)
	var ors []string
	var args []any
	if phone != "" && slices.Contains(keys, KeyPhone) {
		ors, args = append(ors, "c.phone_key = ?"), append(args, phone)
	}
	if name != "" && (slices.Contains(keys, KeyFullName) || slices.Contains(keys, KeyNameAddress) && in.Address != "") {
		ors, args = append(ors, "c.name_key = ?"), append(args, name)
	}
	if plate != "" && slices.Contains(keys, KeyPlateSurname) {
		ors, args = append(ors, "c.plate_key = ?"), append(args, plate)
	}
	out := []Candidate{}
	if len(ors) == 0 {
		return out, nil
	}
	scope, sargs := scopeOf(p).SQL("c.org_unit_id")
	args = append(args, sargs...)
	args = append(args, exclude, 4*maxCandidates)
	rows, err := c.Query(ctx, `SELECT c.id, c.name, c.phone, c.address, c.phone_key, c.name_key, c.plate_key, c.car_brand
		FROM customers c WHERE (`+strings.Join(ors, " OR ")+`) AND `+scope+`
		AND c.merged_into_id IS NULL AND c.id <> ? ORDER BY c.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() && len(out) < maxCandidates {
		var cd Candidate
		var phoneKey, nameKey, plateKey, brand string
		if err := rows.Scan(&cd.ID, &cd.Name, &cd.Phone, &cd.Address, &phoneKey, &nameKey, &plateKey, &brand); err != nil {
			return nil, err
		}
		for _, k := range keys {
			if matches(k, in, phone, name, plate, cd.Address, phoneKey, nameKey, plateKey, brand) {
				cd.Keys = append(cd.Keys, k)
			}
		}
		if len(cd.Keys) > 0 {
			out = append(out, cd)
		}
	}
	return out, rows.Err()
}

// matches applies one identity key (CUS-016) to a stored record.
func matches(key string, in Input, phone, name, plate, address, phoneKey, nameKey, plateKey, brand string) bool {
	if key == KeyNameAddress {
		return name != "" && name == nameKey && in.Address != "" && addressKey(in.Address) == addressKey(address)
	}
	return matchKey(key, Identity{Name: name, Phone: phone, Plate: plate, Brand: NameKey(in.CarBrand)},
		Identity{Name: nameKey, Phone: phoneKey, Plate: plateKey, Brand: NameKey(brand)})
}
