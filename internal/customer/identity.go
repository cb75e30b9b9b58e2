package customer

import "slices"

// Identity is a party as the identity keys of CUS-016 see it, normalised
// (NameKey, PhoneKey, PlateKey): registers outside the customer archive —
// the sales centre's visitor register (SAL-014, SAL-022) — match with it.
type Identity struct {
	Name  string `json:"-"` // NameKey of the full name
	Phone string `json:"-"` // PhoneKey
	Plate string `json:"-"` // PlateKey
	Brand string `json:"-"` // NameKey of the car brand
}

// IdentityOf normalises a name, phone, car brand and plate.
func IdentityOf(name, phone, brand, plate string) Identity {
	return Identity{Name: NameKey(name), Phone: PhoneKey(phone), Plate: PlateKey(plate), Brand: NameKey(brand)}
}

// SameParty returns, in the order of keys, the identity keys on which a
// and b match (CUS-016: any one is enough): phone, full_name and
// plate_surname (the same plate and surname, and the same brand when both
// give one). name_address needs addresses and is left to the archive.
func SameParty(keys []string, a, b Identity) []string {
	var out []string
	for _, k := range keys {
		if matchKey(k, a, b) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// matchKey applies one identity key to two normalised identities.
func matchKey(key string, a, b Identity) bool {
	switch key {
	case KeyPhone:
		return a.Phone != "" && a.Phone == b.Phone
	case KeyFullName:
		return a.Name != "" && a.Name == b.Name
	case KeyPlateSurname:
		if a.Plate == "" || a.Plate != b.Plate || surname(a.Name) == "" || surname(a.Name) != surname(b.Name) {
			return false
		}
		return a.Brand == "" || b.Brand == "" || a.Brand == b.Brand
	}
	return false
}
