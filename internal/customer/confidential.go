package customer

import (
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/auth"
	"kefu/internal/policy"
)

// Sees reports whether p sees a confidential field group (policy.FieldIDNumber,
// FieldProfile, FieldReporter) unmasked under pack: p must hold
// customers:confidential and one of the roles the pack names for the group
// (SEC-007, SEC-009, SEC-010, CUS-020). A nil principal (the system, e.g.
// an export) or a nil pack sees nothing.
func Sees(p *auth.Principal, pack *policy.Pack, group string) bool {
	if p == nil || pack == nil || !p.Can(auth.PermCustomersConfidential) {
		return false
	}
	for _, r := range pack.Customers.RolesFor(group) {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// MaskIDNumber keeps the first and last four characters of an identity
// number and stars the rest: "110101199003071234" → "1101**********1234"
// (API.md). Numbers of eight characters or fewer are starred entirely.
func MaskIDNumber(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n <= 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:4]) + strings.Repeat("*", n-8) + string(r[n-4:])
}

// mask masks c's confidential fields for p under pack (nil pack: mask
// everything) and returns the groups shown unmasked that hold a value —
// the views to audit. Masked lists every group masked or hidden.
func mask(p *auth.Principal, pack *policy.Pack, c *Customer) (shown []string) {
	c.Masked = nil
	if c.IDNumber != "" {
		if Sees(p, pack, policy.FieldIDNumber) {
			shown = append(shown, policy.FieldIDNumber)
		} else {
			c.IDNumber = MaskIDNumber(c.IDNumber)
			c.Masked = append(c.Masked, policy.FieldIDNumber)
		}
	}
	if len(c.Profile) > 0 {
		if Sees(p, pack, policy.FieldProfile) {
			shown = append(shown, policy.FieldProfile)
		} else {
			c.Profile = nil
			c.Masked = append(c.Masked, policy.FieldProfile)
		}
	}
	// A report's own record on the reporter's page names the reporter, so
	// those who may not see reporters do not see the record at all — not
	// even a masked trace, which would itself tell who reported (SEC-007).
	if slices.ContainsFunc(c.Contacts, func(k Contact) bool { return k.Reporter }) {
		if Sees(p, pack, policy.FieldReporter) {
			shown = append(shown, policy.FieldReporter)
		} else {
			c.Contacts = slices.DeleteFunc(c.Contacts, func(k Contact) bool { return k.Reporter })
		}
	}
	return shown
}

// maskHistory masks the old and new values of a confidential field in a
// history row for p under pack; it reports a confidential value shown
// unmasked (a view to audit).
func maskHistory(p *auth.Principal, pack *policy.Pack, h *FieldChange) bool {
	if h.Field != policy.FieldIDNumber && h.Field != policy.FieldProfile {
		return false
	}
	if Sees(p, pack, h.Field) {
		return h.Old != "" || h.New != ""
	}
	h.Masked = true
	if h.Field == policy.FieldIDNumber {
		h.Old, h.New = MaskIDNumber(h.Old), MaskIDNumber(h.New)
	} else {
		h.Old, h.New = hidden(h.Old), hidden(h.New)
	}
	return false
}

func hidden(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}
