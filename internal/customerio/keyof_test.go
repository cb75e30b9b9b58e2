package customerio

import (
	"testing"

	"kefu/internal/policy"
)

// TestSpecialGroupWords: ledgers name special groups by key, full name or
// the short words offices use ("老", CUS-012); anything else stays as
// written, for the customer validation to refuse with its row.
func TestSpecialGroupWords(t *testing.T) {
	packs, err := policy.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	groups := packs[0].Customers.SpecialGroups
	for in, want := range map[string]string{"elderly": "elderly", "老年人": "elderly", "老": "elderly", "残": "disabled",
		"Disabled": "disabled", "富": "富"} {
		if got := keyOf(groups, in); got != want {
			t.Errorf("keyOf(%q) = %q, want %q", in, got, want)
		}
	}
}
